/**
 * Dropping a palette entry on the canvas: a new node where it is dropped, or
 * spliced into the edge under the pointer. While dragging, that edge is
 * highlighted so the user sees the splice before letting go.
 */
import type { NodeCatalogEntry } from '@tellflow/engine';
import { useReactFlow } from '@xyflow/react';
import type { DragEvent } from 'react';
import { useMemo } from 'react';
import { addNodeAt } from '../commands/actions.ts';
import { CARD_WIDTH } from '../canvas/size.ts';
import { edgeId, useEditor } from '../store.ts';
import classes from './palette.module.css';

/** The drag data type of a palette entry: the node type. */
export const PALETTE_MIME = 'application/x-tellflow-node-type';

/** Where under the pointer a dropped card's top-left corner goes: the pointer near the card's top middle. */
const GRAB = { x: CARD_WIDTH / 2, y: 20 };

function edgeElementAt(x: number, y: number): Element | undefined {
  for (const el of document.elementsFromPoint(x, y)) {
    const edge = el.closest('.react-flow__edge');
    if (edge) return edge;
  }
  return undefined;
}

let highlighted: Element | undefined;
function highlight(el: Element | undefined) {
  if (el === highlighted) return;
  highlighted?.classList.remove(classes.dropTarget!);
  el?.classList.add(classes.dropTarget!);
  highlighted = el;
}

export function usePaletteDrop(catalog: Map<string, NodeCatalogEntry>) {
  const flow = useReactFlow();
  return useMemo(() => {
    const accepts = (e: DragEvent) => e.dataTransfer.types.includes(PALETTE_MIME) && !useEditor.getState().readOnly;
    return {
      onDragOver(e: DragEvent) {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        highlight(edgeElementAt(e.clientX, e.clientY));
      },
      onDragLeave() {
        highlight(undefined);
      },
      onDrop(e: DragEvent) {
        highlight(undefined);
        if (!accepts(e)) return;
        e.preventDefault();
        const entry = catalog.get(e.dataTransfer.getData(PALETTE_MIME));
        if (!entry) return;
        const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
        const edgeEl = edgeElementAt(e.clientX, e.clientY);
        const id = edgeEl?.getAttribute('data-id');
        const edge = id ? useEditor.getState().doc?.edges.find((x) => edgeId(x) === id) : undefined;
        addNodeAt(entry, { x: at.x - GRAB.x, y: at.y - GRAB.y }, edge);
      },
    };
  }, [flow, catalog]);
}

/**
 * Tidy-up: lays the whole scenario, or only the selected nodes, out top to
 * bottom with dagre in a Web Worker, sized by the cards as drawn, and
 * records the new positions as one undoable change.
 */
import { moveToOrigin, type Point, setPositions } from '../commands/document.ts';
import { useEditor } from '../store.ts';
import type { LayoutRequest, LayoutResult } from './graph.ts';

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();

function layoutWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<{ id: number; positions?: LayoutResult; error?: string }>) => {
    const job = pending.get(e.data.id);
    pending.delete(e.data.id);
    if (e.data.positions) job?.resolve(e.data.positions);
    else job?.reject(new Error(`The layout failed: ${e.data.error}`));
  };
  return worker;
}

/** Lays out a graph in the worker. */
export function layoutInWorker(request: LayoutRequest): Promise<LayoutResult> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    layoutWorker().postMessage({ id, request });
  });
}

export type TidyScope = 'all' | 'selection';

/**
 * Tidies `scope`; the laid-out group keeps the top-left corner it had, so the
 * rest of the canvas stays where it is. Returns the number of nodes moved.
 */
export async function tidyUp(scope: TidyScope, sizeOf: (id: string) => { width: number; height: number }): Promise<number> {
  const { doc, selectedNodes } = useEditor.getState();
  if (!doc) return 0;
  const ids = new Set(scope === 'selection' ? selectedNodes : doc.nodes.map((n) => n.id));
  const nodes = doc.nodes.filter((n) => ids.has(n.id));
  if (nodes.length === 0) return 0;
  const request: LayoutRequest = {
    nodes: nodes.map((n) => ({ id: n.id, ...sizeOf(n.id) })),
    edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map(({ source, target, sourceHandle }) => ({ source, target, sourceHandle })),
  };
  const origin: Point = {
    x: Math.min(...nodes.map((n) => n.position?.x ?? 0)),
    y: Math.min(...nodes.map((n) => n.position?.y ?? 0)),
  };
  const positions = moveToOrigin(await layoutInWorker(request), origin);
  // The document may have changed while the worker ran: place the nodes that are still there.
  useEditor.getState().apply((d) => setPositions(d, positions));
  return nodes.length;
}

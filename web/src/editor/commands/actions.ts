/**
 * The canvas commands on the editor store: each is one undoable change and
 * leaves the nodes it made selected. Shortcuts, toolbar buttons and the
 * palette all call these.
 */
import type { NodeCatalogEntry } from '@tellflow/engine';
import { notifyError } from '../../shared/errors.ts';
import { type Doc, edgeId, useEditor } from '../store.ts';
import { addNode, type Fragment, fragmentOf, insertFragment, newNode, type Point, parseFragment, removeElements, spliceNode } from './document.ts';

/** How far a paste or a duplicate lands from the original, so the copy is visibly a copy. */
export const PASTE_OFFSET = 40;

/** Adds a node of the type `entry` with its top-left corner at `position`, or spliced into the edge `intoEdge`. */
export function addNodeAt(entry: NodeCatalogEntry, position: Point, intoEdge?: { source: string; sourceHandle: string }): string | null {
  const store = useEditor.getState();
  if (!store.doc || store.readOnly) return null;
  const node = newNode(entry, position, new Set(store.doc.nodes.map((n) => n.id)));
  store.apply((d) => (intoEdge ? spliceNode(d, node, intoEdge) : addNode(d, node)));
  store.select([node.id]);
  return node.id;
}

/** Deletes the selected nodes (with their edges) and the selected edges, as one step. */
export function deleteSelection(): void {
  const store = useEditor.getState();
  const { selectedNodes, selectedEdges } = store;
  if (selectedNodes.length === 0 && selectedEdges.length === 0) return;
  store.apply((d) => removeElements(d, selectedNodes, selectedEdges, edgeId));
  store.select([]);
}

/** Copies the selected nodes (and the edges between them) next to the originals. */
export function duplicateSelection(): void {
  const store = useEditor.getState();
  if (!store.doc || store.selectedNodes.length === 0) return;
  insert(fragmentOf(store.doc, store.selectedNodes), PASTE_OFFSET);
}

/** The selection as clipboard text: a scenario-shaped JSON document holding only the selected nodes and the edges between them. */
export function selectionText(doc: Doc, ids: string[]): string {
  const fragment = fragmentOf(doc, ids);
  return JSON.stringify({ format: doc.format, id: doc.id, name: doc.name, kind: doc.kind, ...fragment }, null, 2);
}

/** Writes the selection to the system clipboard; false when nothing is selected. */
export async function copySelection(): Promise<boolean> {
  const { doc, selectedNodes } = useEditor.getState();
  if (!doc || selectedNodes.length === 0) return false;
  try {
    await navigator.clipboard.writeText(selectionText(doc, selectedNodes));
    pastes = { text: '', count: 0 };
    return true;
  } catch (e) {
    notifyError('Could not copy to the clipboard', e);
    return false;
  }
}

export async function cutSelection(): Promise<void> {
  if (await copySelection()) deleteSelection();
}

/** Repeated pastes of the same text land further apart, so they do not stack on one spot. */
let pastes = { text: '', count: 0 };

/** Pastes nodes from the system clipboard (from this scenario, another one, or another tab). */
export async function pasteClipboard(): Promise<void> {
  const store = useEditor.getState();
  if (!store.doc || store.readOnly) return;
  let text: string;
  try {
    text = await navigator.clipboard.readText();
  } catch (e) {
    notifyError('Could not read the clipboard', e);
    return;
  }
  pasteText(text);
}

export function pasteText(text: string): void {
  const fragment = parseFragment(text);
  if (typeof fragment === 'string') {
    notifyError('Nothing to paste', new Error(fragment));
    return;
  }
  pastes = pastes.text === text ? { text, count: pastes.count + 1 } : { text, count: 1 };
  insert(fragment, PASTE_OFFSET * pastes.count);
}

function insert(fragment: Fragment, offset: number): void {
  const store = useEditor.getState();
  let ids: string[] = [];
  store.apply((d) => {
    const result = insertFragment(d, fragment, { x: offset, y: offset });
    ids = result.ids;
    return result.doc;
  });
  store.select(ids);
}

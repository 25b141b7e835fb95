/**
 * Pure edits of a scenario document for the canvas commands (add, splice,
 * delete, duplicate, paste): each takes a document and returns a new one, so
 * the store records it as one undoable step.
 */
import type { NodeCatalogEntry } from '@tellflow/engine';
import { outcomesOf } from '../outcomes.ts';
import type { Doc, DocEdge, DocNode } from '../store.ts';

export interface Point {
  x: number;
  y: number;
}

/** The first free id `base1`, `base2`… (a type's name without trailing digits), e.g. `sql2` when `sql1` exists. */
export function uniqueId(base: string, taken: Set<string>): string {
  const stem = base.replace(/\d+$/, '') || 'node';
  for (let n = 1; ; n++) {
    const id = `${stem}${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The params a new node starts with: the schema's declared defaults for its
 * required fields, nothing else. Validation then names what is missing,
 * which tells the user more than invented placeholder values would.
 */
export function defaultParams(entry: NodeCatalogEntry): Record<string, unknown> | undefined {
  if (entry.paramsOptional) return undefined;
  const schema = entry.params as { required?: string[]; properties?: Record<string, { default?: unknown }> };
  const params: Record<string, unknown> = {};
  for (const field of schema.required ?? []) {
    const def = schema.properties?.[field]?.default;
    if (def !== undefined) params[field] = structuredClone(def);
  }
  return params;
}

/** A new node of the catalogue type `entry` at `position` (its top-left corner). */
export function newNode(entry: NodeCatalogEntry, position: Point, taken: Set<string>): DocNode {
  const params = defaultParams(entry);
  return {
    id: uniqueId(entry.type, taken),
    type: entry.type,
    position: round(position),
    ...(params ? { params } : {}),
  } as DocNode;
}

export function addNode(doc: Doc, node: DocNode): Doc {
  return { ...doc, nodes: [...doc.nodes, node] };
}

/**
 * Adds `node` in the middle of the edge leaving `source` by `outcome`:
 * source →outcome→ node →(its first outcome)→ the old target. A node with no
 * outcome (an end) just takes the edge.
 */
export function spliceNode(doc: Doc, node: DocNode, edge: Pick<DocEdge, 'source' | 'sourceHandle'>): Doc {
  const old = doc.edges.find((e) => e.source === edge.source && e.sourceHandle === edge.sourceHandle);
  if (!old) return addNode(doc, node);
  const first = outcomesOf(node)[0];
  const edges = doc.edges.filter((e) => e !== old);
  edges.push({ source: old.source, sourceHandle: old.sourceHandle, target: node.id });
  if (first) edges.push({ source: node.id, sourceHandle: first, target: old.target });
  return { ...doc, nodes: [...doc.nodes, node], edges };
}

/** Removes nodes, every edge to or from them, and the edges named by id. */
export function removeElements(doc: Doc, nodeIds: Iterable<string>, edgeIds: Iterable<string> = [], edgeIdOf: (e: DocEdge) => string): Doc {
  const gone = new Set(nodeIds);
  const goneEdges = new Set(edgeIds);
  const nodes = doc.nodes.filter((n) => !gone.has(n.id));
  const edges = doc.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target) && !goneEdges.has(edgeIdOf(e)));
  if (nodes.length === doc.nodes.length && edges.length === doc.edges.length) return doc;
  return { ...doc, nodes, edges };
}

/** A selection as a small scenario document: the nodes and the edges between them. */
export interface Fragment {
  nodes: DocNode[];
  edges: DocEdge[];
}

export function fragmentOf(doc: Doc, nodeIds: Iterable<string>): Fragment {
  const ids = new Set(nodeIds);
  return {
    nodes: doc.nodes.filter((n) => ids.has(n.id)),
    edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

/**
 * Inserts a copy of `fragment`: node ids that clash with the document's are
 * renamed (and the fragment's edges follow them), positions are shifted by
 * `offset`. Returns the new document and the ids of the inserted nodes.
 */
export function insertFragment(doc: Doc, fragment: Fragment, offset: Point): { doc: Doc; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const renamed = new Map<string, string>();
  const nodes = fragment.nodes.map((node) => {
    const id = taken.has(node.id) ? uniqueId(node.id, taken) : node.id;
    taken.add(id);
    renamed.set(node.id, id);
    const at = node.position ?? { x: 0, y: 0 };
    return { ...structuredClone(node), id, position: round({ x: at.x + offset.x, y: at.y + offset.y }) } as DocNode;
  });
  const edges = fragment.edges
    .filter((e) => renamed.has(e.source) && renamed.has(e.target))
    .map((e) => {
      const { id: _dropped, ...rest } = e;
      return { ...rest, source: renamed.get(e.source)!, target: renamed.get(e.target)! };
    });
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((n) => n.id) };
}

/**
 * Reads a fragment from clipboard text: any JSON object with a `nodes` array
 * of `{id, type}` objects (what `copy` writes, or a whole exported scenario).
 * Returns a message naming what is wrong otherwise.
 */
export function parseFragment(text: string): Fragment | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'The clipboard does not hold scenario JSON.';
  }
  const nodes = (value as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return 'The clipboard JSON has no "nodes" to paste.';
  for (const [i, n] of nodes.entries()) {
    const node = n as { id?: unknown; type?: unknown };
    if (typeof node?.id !== 'string' || typeof node.type !== 'string') return `Node ${i + 1} in the clipboard has no string "id" and "type".`;
  }
  const edges = (value as { edges?: unknown }).edges;
  const validEdges = (Array.isArray(edges) ? edges : []).filter(
    (e): e is DocEdge => typeof e?.source === 'string' && typeof e?.target === 'string' && typeof e?.sourceHandle === 'string',
  );
  return { nodes: nodes as DocNode[], edges: validEdges };
}

/** New top-left corners for `positions`, keeping their arrangement, so its bounding box starts at `origin`. */
export function moveToOrigin(positions: Record<string, Point>, origin: Point): Record<string, Point> {
  const all = Object.values(positions);
  if (all.length === 0) return positions;
  const minX = Math.min(...all.map((p) => p.x));
  const minY = Math.min(...all.map((p) => p.y));
  return Object.fromEntries(Object.entries(positions).map(([id, p]) => [id, round({ x: p.x - minX + origin.x, y: p.y - minY + origin.y })]));
}

export function setPositions(doc: Doc, positions: Record<string, Point>): Doc {
  return { ...doc, nodes: doc.nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id] } : n)) };
}

function round(p: Point): Point {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

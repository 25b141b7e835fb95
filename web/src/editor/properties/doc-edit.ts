/** Immutable edits of the scenario document for the property panels: every one is applied through the store (undoable). */
import type { Doc, DocNode } from '../store.ts';

export type Path = (string | number)[];

export function getIn(value: unknown, path: Path): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

/** `value` with `path` set to `next`; `undefined` removes an object key (an optional field left empty). */
export function setIn(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [key, ...rest] = path as [string | number, ...Path];
  if (typeof key === 'number') {
    const list = Array.isArray(value) ? [...value] : [];
    list[key] = setIn(list[key], rest, next);
    return list;
  }
  const object = value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  const inner = setIn(object[key], rest, next);
  if (inner === undefined) delete object[key];
  else object[key] = inner;
  return object;
}

/** The list with the item at `from` moved to `to`. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}

/** The document with one node's field (`['params', …]`, `['label']`…) set; `undefined` removes it. */
export function setNodeField(doc: Doc, nodeId: string, path: Path, next: unknown): Doc {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === nodeId ? (setIn(n, path, next) as DocNode) : n)),
  };
}

/** Why `to` cannot be the new id of node `from`, or null. */
export function nodeIdProblem(doc: Doc, from: string, to: string): string | null {
  if (to === '') return 'must not be empty';
  if (to.length > 100) return 'must be at most 100 characters';
  if (!/^[A-Za-z0-9_.-]+$/.test(to)) return 'may contain only letters, digits, "_", "-" and "."';
  if (to !== from && doc.nodes.some((n) => n.id === to)) return `another node is already called "${to}"`;
  return null;
}

/** The document with node `from` renamed to `to`, its edges following. */
export function renameNode(doc: Doc, from: string, to: string): Doc {
  if (from === to) return doc;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
    edges: doc.edges.map((e) =>
      e.source === from || e.target === from ? { ...e, source: e.source === from ? to : e.source, target: e.target === from ? to : e.target } : e,
    ),
  };
}

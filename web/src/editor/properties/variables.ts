/**
 * The variables a scenario knows, from its document: declared ones, the
 * start node's inputs, what nodes write (their `into`, a form's fields, a
 * setVariables' names — the node definitions' own `writes`), and the
 * built-in ones. Pickers and autocompletion offer these.
 */
import { BUILTIN_VARIABLES, nodeDefinition } from '@tellflow/engine';
import { useMemo } from 'react';
import { type Doc, useEditor } from '../store.ts';

export interface KnownVariable {
  name: string;
  /** Where it comes from, shown next to the name: "declared", "input", "set by sql-1", "built-in". */
  source: string;
}

export function knownVariables(doc: Doc): KnownVariable[] {
  const found = new Map<string, string>();
  const add = (name: unknown, source: string) => {
    if (typeof name === 'string' && name !== '' && !found.has(name)) found.set(name, source);
  };
  for (const v of doc.variables ?? []) add(v.name, 'declared');
  for (const node of doc.nodes) {
    if (node.type !== 'start') continue;
    for (const input of (node.params as { inputs?: { name?: unknown }[] } | undefined)?.inputs ?? []) add(input?.name, 'input');
  }
  for (const node of doc.nodes) {
    const def = nodeDefinition(node.type);
    if (!def || node.type === 'start') continue;
    let written: string[] = [];
    try {
      written = def.writes((node.params ?? {}) as never);
    } catch {
      // Params in the middle of an edit may not have the shape the definition reads yet.
    }
    for (const name of written) add(name, `set by ${node.id}`);
  }
  for (const name of BUILTIN_VARIABLES) add(name, 'built-in');
  return [...found].map(([name, source]) => ({ name, source }));
}

/** The open document's variables, recomputed when it changes. */
export function useKnownVariables(): KnownVariable[] {
  const doc = useEditor((s) => s.doc);
  return useMemo(() => (doc ? knownVariables(doc) : []), [doc]);
}

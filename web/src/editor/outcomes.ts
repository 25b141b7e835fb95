import { nodeDefinition } from '@tellflow/engine';
import type { DocNode } from './store.ts';

/** A node's outcomes for its current params (a branch's cases, a form's buttons…); none for an unknown type. */
export function outcomesOf(node: Pick<DocNode, 'type' | 'params'>): string[] {
  const def = nodeDefinition(node.type);
  if (!def) return [];
  try {
    return def.outcomes((node.params ?? {}) as never);
  } catch {
    // Params being edited may not have the shape the type expects yet.
    return def.outcomes({} as never);
  }
}

import type { Scenario } from '@tellflow/engine';

/** A lookup of node labels over one or more documents (the later ones win), for lists that name nodes. */
export function labelLookup(...docs: (Scenario | null | undefined)[]): (id: string) => string | undefined {
  const labels = new Map<string, string>();
  for (const doc of docs) for (const n of doc?.nodes ?? []) if (n.label) labels.set(n.id, n.label);
  return (id) => labels.get(id);
}

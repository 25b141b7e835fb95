/**
 * Two versions on one canvas: the later version's nodes and edges plus the
 * earlier one's removed nodes (where they stood) and removed edges, with the
 * diff as the canvas overlay (added, removed, changed, moved).
 */
import type { Scenario, ScenarioDiff } from '@tellflow/engine';
import { edgeId, type Overlay } from '../store.ts';

export function unionOf(before: Scenario, after: Scenario, diff: ScenarioDiff): { doc: Scenario; overlay: Overlay } {
  const removedNodes = new Set(diff.nodes.filter((n) => n.change === 'removed').map((n) => n.id));
  const nodeChanges: NonNullable<Overlay['nodeChanges']> = {};
  for (const id of diff.layout.moved) nodeChanges[id] = 'moved';
  for (const n of diff.nodes) nodeChanges[n.id] = n.change;

  const edgeChanges: NonNullable<Overlay['edgeChanges']> = {};
  const afterIds = new Set(after.edges.map(edgeId));
  for (const e of diff.edges) if (e.change === 'added') edgeChanges[edgeId(e)] = 'added';
  // An outcome that now leads elsewhere keeps one edge on the canvas (one edge per outcome): the new one, marked added.
  const removedEdges = before.edges.filter((e) => !afterIds.has(edgeId(e)) && diff.edges.some((d) => d.change === 'removed' && edgeId(d) === edgeId(e)));
  for (const e of removedEdges) edgeChanges[edgeId(e)] = 'removed';

  return {
    doc: {
      ...after,
      nodes: [...after.nodes, ...before.nodes.filter((n) => removedNodes.has(n.id))],
      edges: [...after.edges, ...removedEdges],
    },
    overlay: { nodeChanges, edgeChanges },
  };
}

/**
 * The tidy-up layout itself (dagre, top to bottom), as a pure function so the
 * worker stays a thin shell around it. Positions are top-left corners, as
 * the scenario document stores them.
 */
import dagre from '@dagrejs/dagre';

export interface LayoutRequest {
  nodes: { id: string; width: number; height: number }[];
  edges: { source: string; target: string; sourceHandle: string }[];
}

export type LayoutResult = Record<string, { x: number; y: number }>;

/** Space between ranks and between cards in a rank: room for outcome labels and arrows. */
const RANK_SEP = 70;
const NODE_SEP = 40;

export function layoutGraph({ nodes, edges }: LayoutRequest): LayoutResult {
  // A simple graph: two outcomes leading to the same node weigh as one edge for placement, and dagre is far faster without parallel edges.
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', ranksep: RANK_SEP, nodesep: NODE_SEP, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target) && e.source !== e.target) g.setEdge(e.source, e.target, {});
  dagre.layout(g);
  const result: LayoutResult = {};
  for (const n of nodes) {
    const placed = g.node(n.id);
    result[n.id] = { x: Math.round(placed.x - n.width / 2), y: Math.round(placed.y - n.height / 2) };
  }
  return result;
}

import type { Scenario, ScenarioNode } from '../format/scenario.ts';
import { nodeDefinition } from '../nodes/registry.ts';
import type { NodeDefinition } from '../nodes/types.ts';

/** A scenario indexed for stepping: nodes by id, each with its outgoing edges by outcome. */
export interface CompiledNode {
  node: ScenarioNode;
  def: NodeDefinition;
  params: any;
  next: Record<string, string | undefined>;
}

export interface CompiledScenario {
  scenario: Scenario;
  startId: string;
  nodes: Map<string, CompiledNode>;
}

const cache = new WeakMap<Scenario, CompiledScenario>();

/** Expects a validated scenario; compiled forms are cached per scenario object. */
export function compile(scenario: Scenario): CompiledScenario {
  const hit = cache.get(scenario);
  if (hit) return hit;
  const nodes = new Map<string, CompiledNode>();
  for (const node of scenario.nodes) {
    const def = nodeDefinition(node.type);
    if (!def) throw new Error(`unknown node type "${node.type}" at node "${node.id}"`);
    nodes.set(node.id, { node, def, params: node.params ?? {}, next: Object.create(null) });
  }
  for (const edge of scenario.edges) {
    const from = nodes.get(edge.source);
    if (from) from.next[edge.sourceHandle] = edge.target;
  }
  const start = scenario.nodes.find((n) => n.type === 'start');
  if (!start) throw new Error(`scenario "${scenario.id}" has no start node`);
  const compiled = { scenario, startId: start.id, nodes };
  cache.set(scenario, compiled);
  return compiled;
}

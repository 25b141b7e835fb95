import type { Scenario, ScenarioNode } from '../format/scenario.ts';
import type { Json } from '../json.ts';
import { compileLogic, type CompiledLogic } from '../logic.ts';
import { paramsExpressions } from '../nodes/params-walk.ts';
import { nodeDefinition } from '../nodes/registry.ts';
import type { NodeDefinition } from '../nodes/types.ts';

/** A scenario indexed for stepping: nodes by id, each with its outgoing edges by outcome. */
export interface CompiledNode {
  node: ScenarioNode;
  def: NodeDefinition;
  // biome-ignore lint/suspicious/noExplicitAny: each node's params are checked by its own definition's schema
  params: any;
  next: Record<string, string | undefined>;
  /** `next` as parallel lists, for the interpreter's loop: outcome, target id, target node (undefined if missing). */
  outcomes: string[];
  targetIds: string[];
  targets: (CompiledNode | undefined)[];
  /**
   * The node's json-logic expressions (objects and arrays; literals need no
   * compiling), in the order of its params schema, and their compiled
   * forms at the same index, filled in by the interpreter when an expression
   * is first evaluated. The interpreter finds an expression here by identity
   * when the node evaluates it; see logic.ts.
   */
  exprs: Json[];
  compiledExprs: (CompiledLogic | undefined)[];
}

export interface CompiledScenario {
  scenario: Scenario;
  startId: string;
  nodes: Map<string, CompiledNode>;
}

const cache = new WeakMap<Scenario, CompiledScenario>();

/**
 * Expects a validated scenario; compiled forms are cached per scenario object,
 * so a scenario (edges, params, expressions) must not be mutated once stepped.
 */
export function compile(scenario: Scenario): CompiledScenario {
  const hit = cache.get(scenario);
  if (hit) return hit;
  const nodes = new Map<string, CompiledNode>();
  for (const node of scenario.nodes) {
    const def = nodeDefinition(node.type);
    if (!def) throw new Error(`unknown node type "${node.type}" at node "${node.id}"`);
    const params = node.params ?? {};
    const compiled: CompiledNode = { node, def, params, next: Object.create(null), outcomes: [], targetIds: [], targets: [], exprs: [], compiledExprs: [] };
    compileExpressions(compiled);
    nodes.set(node.id, compiled);
  }
  for (const edge of scenario.edges) {
    const from = nodes.get(edge.source);
    if (from) from.next[edge.sourceHandle] = edge.target;
  }
  for (const node of nodes.values()) {
    for (const outcome in node.next) {
      const target = node.next[outcome]!;
      node.outcomes.push(outcome);
      node.targetIds.push(target);
      node.targets.push(nodes.get(target));
    }
  }
  const start = scenario.nodes.find((n) => n.type === 'start');
  if (!start) throw new Error(`scenario "${scenario.id}" has no start node`);
  const compiled = { scenario, startId: start.id, nodes };
  cache.set(scenario, compiled);
  return compiled;
}

function compileExpressions(node: CompiledNode): void {
  // Expressions not found here (params that validation would have rejected) are interpreted instead.
  for (const { logic } of paramsExpressions(node.def.params, node.params)) {
    if (logic === null || typeof logic !== 'object' || node.exprs.includes(logic)) continue;
    node.exprs.push(logic);
    node.compiledExprs.push(undefined); // compiled on first use: a step may visit few of a scenario's nodes
  }
}

/** The compiled form of `node.exprs[i]`, compiling it the first time. */
export function compiledExpression(node: CompiledNode, i: number): CompiledLogic {
  return node.compiledExprs[i] ?? (node.compiledExprs[i] = compileLogic(node.exprs[i]!));
}

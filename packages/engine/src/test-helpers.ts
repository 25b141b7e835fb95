/**
 * Test-only helpers for building scenario documents (not exported from the
 * package index). Keep this small and stable: other test suites import it.
 */
import { SCENARIO_FORMAT, type Edge, type Scenario, type ScenarioNode } from './format/scenario.ts';

/** A fixed, round moment for `at` in events: 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);

/** An edge as an object, or as `[source, sourceHandle, target]`. */
export type EdgeSpec = Edge | [source: string, sourceHandle: string, target: string];

/** Everything of a scenario but its nodes and edges. */
export type ScenarioExtra = Partial<Omit<Scenario, 'nodes' | 'edges'>>;

export function edge(source: string, sourceHandle: string, target: string): Edge {
  return { source, sourceHandle, target };
}

/**
 * A scenario document with `id: "test"`, `kind: "service"` and the given
 * nodes and edges; `extra` overrides or adds top-level fields.
 * It is not validated: pass it to `validateScenario` when that matters.
 */
export function scenario(nodes: ScenarioNode[], edges: EdgeSpec[] = [], extra: ScenarioExtra = {}): Scenario {
  return {
    format: SCENARIO_FORMAT,
    id: 'test',
    name: 'Test scenario',
    kind: 'service',
    ...extra,
    nodes,
    edges: edges.map((e) => (Array.isArray(e) ? edge(...e) : e)),
  };
}

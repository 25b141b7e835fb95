/** References between scenarios: what the node definitions' `references` name, with where. */
import type { Scenario } from './format/scenario.ts';
import { paramsHinted } from './nodes/params-walk.ts';
import { nodeDefinition } from './nodes/registry.ts';

export interface ScenarioReference {
  /** The scenario referred to. */
  scenario: string;
  nodeId: string;
  /** Where in the document, e.g. `['nodes', 3, 'params', 'scenario']`. */
  path: (string | number)[];
}

/** Every reference a scenario's nodes make, in node order. */
export function scenarioReferences(scenario: Scenario): ScenarioReference[] {
  const out: ScenarioReference[] = [];
  scenario.nodes.forEach((node, index) => {
    const def = nodeDefinition(node.type);
    if (!def) return;
    const params = node.params ?? {};
    const ids = def.references(params);
    if (ids.length === 0) return;
    // The field a reference sits in, when the definition marks it (`scenarioRef`); else the params as a whole.
    const hinted = paramsHinted(def.params, params, 'scenarioRef');
    for (const id of ids) {
      const at = hinted.find((h) => h.value === id)?.path ?? [];
      out.push({ scenario: id, nodeId: node.id, path: ['nodes', index, 'params', ...at] });
    }
  });
  return out;
}

/** The distinct scenario ids a scenario refers to. */
export function referencedScenarioIds(scenario: Scenario): string[] {
  return [...new Set(scenarioReferences(scenario).map((r) => r.scenario))];
}

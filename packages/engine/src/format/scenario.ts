/**
 * The scenario file format, v1. This zod schema is the single source of
 * truth: the JSON Schema in docs/, the API's validation and the editor's
 * forms are derived from it. It has no defaults on purpose, so that a parsed
 * document is the document as written and exports re-import unchanged.
 */
import { z } from 'zod';
import { JsonValue } from '../json.ts';
import { branch } from '../nodes/branch.ts';
import { callOperator, dialCustomer } from '../nodes/calls.ts';
import { end } from '../nodes/end.ts';
import { queue } from '../nodes/queue.ts';
import { runScenario } from '../nodes/run-scenario.ts';
import { setStatus } from '../nodes/set-status.ts';
import { setVariables } from '../nodes/set-variables.ts';
import { showForm } from '../nodes/show-form.ts';
import { sql } from '../nodes/sql.ts';
import { start } from '../nodes/start.ts';
import { wait } from '../nodes/wait.ts';
import { Identifier, NodeId, Position, ScenarioId, VariableType } from './common.ts';

export const SCENARIO_FORMAT = 'tellflow.scenario/v1';

const node = <const T extends string, P extends z.ZodType>(def: { type: T }, params: P) =>
  z.strictObject({
    id: NodeId,
    type: z.literal(def.type),
    label: z.string().max(200).optional(),
    description: z.string().optional(),
    position: Position.describe('Where the editor draws the node.').optional(),
    params,
  });

export const ScenarioNode = z.discriminatedUnion('type', [
  node(start, start.params.optional()),
  node(sql, sql.params),
  node(callOperator, callOperator.params),
  node(dialCustomer, dialCustomer.params),
  node(showForm, showForm.params),
  node(branch, branch.params),
  node(setVariables, setVariables.params),
  node(setStatus, setStatus.params),
  node(wait, wait.params),
  node(queue, queue.params),
  node(runScenario, runScenario.params),
  node(end, end.params.optional()),
]);
export type ScenarioNode = z.infer<typeof ScenarioNode>;

export const Edge = z.strictObject({
  id: z.string().optional(),
  source: NodeId,
  sourceHandle: z.string().min(1, 'must name an outcome of the source node').describe('The outcome of the source node this edge follows.'),
  target: NodeId,
});
export type Edge = z.infer<typeof Edge>;

export const VariableDeclaration = z.strictObject({
  name: Identifier,
  type: VariableType.optional(),
  default: JsonValue.optional(),
  description: z.string().optional(),
});
export type VariableDeclaration = z.infer<typeof VariableDeclaration>;

export const ScenarioKind = z.enum(['inbound', 'outbound', 'dialog', 'service', 'sub']);
export type ScenarioKind = z.infer<typeof ScenarioKind>;

export const Scenario = z
  .strictObject({
    $schema: z.string().describe('Optional link to the JSON Schema, for editors.').optional(),
    format: z.literal(SCENARIO_FORMAT),
    id: ScenarioId,
    name: z.string().min(1, 'must not be empty').max(200),
    kind: ScenarioKind,
    description: z.string().optional(),
    variables: z.array(VariableDeclaration).optional(),
    nodes: z.array(ScenarioNode).min(1, 'must have at least a start node'),
    edges: z.array(Edge),
    meta: z.record(z.string(), JsonValue).describe("Free-form data for tools, e.g. the editor's viewport.").optional(),
  })
  .meta({ title: 'Tellflow scenario', description: 'A call-center scenario: a graph of nodes and edges.' });
export type Scenario = z.infer<typeof Scenario>;

export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Scenario, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

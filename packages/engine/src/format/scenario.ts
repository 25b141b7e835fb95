/**
 * The scenario file format, v1. This zod schema, with the node definitions
 * of the registry (nodes/registry.ts) for the nodes, is the single source of
 * truth: the JSON Schema in docs/, the API's validation and the editor's
 * forms are derived from it. No node type is named here. It has no defaults
 * on purpose, so that a parsed document is the document as written and
 * exports re-import unchanged.
 */
import { z } from 'zod';
import { JsonValue } from '../json.ts';
import { derivedFromRegistry, nodeDefinitions, type NODE_DEFINITIONS } from '../nodes/registry.ts';
import type { NodeDefinition } from '../nodes/types.ts';
import { Identifier, NodeId, Position, ScenarioId, VariableType } from './common.ts';

export const SCENARIO_FORMAT = 'tellflow.scenario/v1';

/** The fields every node has, whatever its type. */
const nodeFields = {
  id: NodeId,
  label: z.string().max(200).optional(),
  description: z.string().optional(),
  position: Position.describe('Where the editor draws the node.').optional(),
};

/** The schema of a node of one type: the common fields, its `type` and its params. */
export function nodeSchema(def: NodeDefinition) {
  const { id, ...rest } = nodeFields;
  return z.strictObject({ id, type: z.literal(def.type), ...rest, params: def.paramsOptional ? def.params.optional() : def.params });
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type NodeOf<D> = D extends { type: infer T extends string; params: z.ZodType<infer P> }
  ? Simplify<
      { id: string; type: T; label?: string; description?: string; position?: { x: number; y: number } } & (D extends { paramsOptional?: true }
        ? { params?: P }
        : { params: P })
    >
  : never;

/** A node of a built-in type (a registered type's nodes are checked at run time but not known to the compiler). */
export type ScenarioNode = { [K in keyof typeof NODE_DEFINITIONS]: NodeOf<(typeof NODE_DEFINITIONS)[K]> }[number];

const currentNodeUnion = derivedFromRegistry(() => {
  const [first, ...others] = nodeDefinitions().map(nodeSchema);
  return z.discriminatedUnion('type', [first!, ...others]);
});

/**
 * A node of any type in the registry: one stable schema (the server documents
 * and compares it by identity) whose content follows the registry. `z.lazy`
 * resolves its getter once; its inner type is read through an accessor here
 * instead, so parsing and `z.toJSONSchema` see the union of the types known now.
 */
function followRegistry(): z.ZodType<ScenarioNode> {
  const schema = z.lazy(currentNodeUnion);
  Object.defineProperty(schema._zod, 'innerType', { get: currentNodeUnion, configurable: true });
  return schema as unknown as z.ZodType<ScenarioNode>;
}

export const ScenarioNode = followRegistry();

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

/** How a test case's run must end; each field given is checked. */
export const TestExpectation = z.strictObject({
  path: z.array(NodeId).describe("The nodes of this scenario the run visits, in order (child scenarios' steps are not part of it).").optional(),
  status: z.enum(['completed', 'failed', 'cancelled']).describe('How the execution ends (default "completed").').optional(),
  result: JsonValue.describe("The execution's result, compared as JSON.").optional(),
});
export type TestExpectation = z.infer<typeof TestExpectation>;

/** A test case stored with the scenario: a simulated run and what it must give (`tellflow test`, the editor's Tests tab). */
export const ScenarioTest = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(200),
  description: z.string().optional(),
  input: z.record(z.string(), JsonValue).describe("Values for the start node's inputs.").optional(),
  sim: z
    .record(z.string(), JsonValue)
    .describe(
      'Simulator rules, as for `tellflow run --sim`: {"customers": {"rules": [{"match": "+1555*", "outcome": "busy"}], "default": "answered"}, "operators": {…}}.',
    )
    .optional(),
  answers: z
    .record(z.string(), JsonValue)
    .describe(
      'Form answers keyed by node id ("scenario:node" for a child\'s) or form title: the values, a list of them for successive visits, null to let the form time out.',
    )
    .optional(),
  setupSql: z
    .string()
    .describe("Statements run in the test's throwaway database before the scenario starts, e.g. to create and fill the tables its SQL nodes use.")
    .optional(),
  expect: TestExpectation,
});
export type ScenarioTest = z.infer<typeof ScenarioTest>;

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
    tests: z.array(ScenarioTest).describe('Test cases: simulated runs and what they must give.').optional(),
  })
  .meta({ title: 'Tellflow scenario', description: 'A call-center scenario: a graph of nodes and edges.' });
export type Scenario = z.infer<typeof Scenario>;

const currentJsonSchema = derivedFromRegistry(
  () => z.toJSONSchema(Scenario, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
);

/** The scenario format as JSON Schema (draft 2020-12), for the node types known now; a copy the caller may change. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return structuredClone(currentJsonSchema());
}

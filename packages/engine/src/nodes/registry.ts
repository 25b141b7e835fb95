/**
 * Every node type, in one place. Adding a type: write its definition file
 * (params schema, outcomes, pure logic or effect + resume) and list it here;
 * the file format, validation and the editor's forms follow from it.
 */
import { branch } from './branch.ts';
import { callOperator, dialCustomer } from './calls.ts';
import { end } from './end.ts';
import { queue } from './queue.ts';
import { runScenario } from './run-scenario.ts';
import { setStatus } from './set-status.ts';
import { setVariables } from './set-variables.ts';
import { showForm } from './show-form.ts';
import { sql } from './sql.ts';
import { start } from './start.ts';
import type { NodeDefinition } from './types.ts';
import { wait } from './wait.ts';

export const NODE_DEFINITIONS = [start, sql, callOperator, dialCustomer, showForm, branch, setVariables, setStatus, wait, queue, runScenario, end] as const;

export type NodeType = (typeof NODE_DEFINITIONS)[number]['type'];

const byType = new Map<string, NodeDefinition>(NODE_DEFINITIONS.map((d) => [d.type, d as NodeDefinition]));

export const NODE_TYPES: readonly string[] = NODE_DEFINITIONS.map((d) => d.type);

export function nodeDefinition(type: string): NodeDefinition | undefined {
  return byType.get(type);
}

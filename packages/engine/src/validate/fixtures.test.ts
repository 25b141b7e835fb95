/**
 * One bad document per validation rule, in test-fixtures/invalid/. The
 * expected issue lives here, not in the fixture: each file must produce
 * exactly that one issue.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../parse-text.ts';
import type { Issue } from './issue.ts';
import { validateScenario } from './validate.ts';

const DIR = new URL('../../test-fixtures/invalid/', import.meta.url);

interface Expected {
  /** ok is true only for documents whose one issue is a warning. */
  ok: boolean;
  severity: Issue['severity'];
  nodeId?: string;
  path: string;
  /** A substring of the message. */
  message: string;
}

const error = (path: string, message: string, nodeId?: string): Expected => ({
  ok: false,
  severity: 'error',
  path,
  message,
  ...(nodeId !== undefined ? { nodeId } : {}),
});
const warning = (path: string, message: string, nodeId?: string): Expected => ({
  ok: true,
  severity: 'warning',
  path,
  message,
  ...(nodeId !== undefined ? { nodeId } : {}),
});

const EXPECTED: Record<string, Expected> = {
  'not-an-object': error('', 'a scenario must be a JSON object, not an array'),
  'wrong-format': error('format', 'must be "tellflow.scenario/v1"'),
  'node-not-an-object': error('nodes[1]', 'a node must be an object, not a string'),
  'missing-node-type': error('nodes[1].type', 'missing node type', 'done'),
  'unknown-node-type': error('nodes[1].type', 'unknown node type "dial" (known: start, sql, callOperator', 'call'),
  'invalid-node-id': error('nodes[1].id', 'may contain only letters, digits', 'the end'),
  'missing-param': error('nodes[1].params.query', 'expected string, received undefined', 'q'),
  'bad-param-value': error('nodes[1].params.timeoutSec', 'must be greater than 0', 'dial'),
  'bad-param-enum': error('nodes[1].params.result', 'expected one of "rows"|"first"|"none"', 'q'),
  'unknown-param-key': error('nodes[1].params', 'Unrecognized key: "database"', 'q'),
  'duplicate-node-id': error('nodes[2].id', 'duplicate node id "done" (also nodes[1])', 'done'),
  'edge-from-missing-node': error('edges[1].source', 'edge from missing node "ghost"', 'ghost'),
  'edge-to-missing-node': error('edges[0].target', 'edge to missing node "ghost"', 'start'),
  'unknown-outcome': error('edges[1].sourceHandle', '"success" is not an outcome of sql node "q": its outcomes are "ok", "empty", "error"', 'q'),
  'two-edges-one-outcome': error('edges[1]', 'outcome "next" of node "start" already has an edge (edges[0])', 'start'),
  'no-start': error('nodes', 'no start node'),
  'two-starts': error('nodes', '2 start nodes ("start", "start2")'),
  'unknown-logic-operation': error('nodes[1].params.condition.and[1].regex', 'unknown json-logic operation "regex"', 'check'),
  'sql-placeholder-without-param': error('nodes[1].params.query', 'parameter :status is used in the query but has no value in "params"', 'q'),
  'branch-condition-and-cases': error('nodes[1].params', 'set exactly one of "condition" or "cases"', 'check'),
  'branch-neither-condition-nor-cases': error('nodes[1].params', 'set exactly one of "condition" or "cases"', 'check'),
  'select-without-options': error('nodes[1].params.fields[1].options', 'a select field needs "options"', 'form'),
  'undeclared-variable': warning('nodes[1].params.condition', 'reads variable "subscriber", which is not declared and no node sets it', 'check'),
  'unreachable-node': warning('nodes[2]', 'unreachable: no path leads here from the start node', 'orphan'),
};

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('test-fixtures/invalid', () => {
  it('has exactly one expectation per fixture file', () => {
    expect(files.map((f) => f.slice(0, -'.json'.length))).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s.json gives exactly the expected issue', (name, want) => {
    const parsed = parseJsonText(readFileSync(new URL(`${name}.json`, DIR)));
    if (!parsed.ok) throw new Error(parsed.error);
    const result = validateScenario(parsed.value);
    const { ok, message, ...rest } = want;
    expect(result.issues).toStrictEqual([{ ...rest, message: expect.stringContaining(message) }]);
    expect(result.ok).toBe(ok);
    if (ok) expect(result.scenario).toEqual(parsed.value);
    else expect(result).not.toHaveProperty('scenario');
  });
});

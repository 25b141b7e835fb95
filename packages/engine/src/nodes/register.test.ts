/**
 * A node type added at run time, with nothing but its definition: the format,
 * validation, the JSON Schema, the catalogue and the interpreter all see it,
 * and forget it once it is unregistered (so other test files never meet it).
 */
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Expression, Identifier, ScenarioId } from '../format/common.ts';
import { scenarioJsonSchema, type Scenario, type ScenarioNode } from '../format/scenario.ts';
import { ui } from '../format/ui.ts';
import { step } from '../interpreter/step.ts';
import { scenario, T0 } from '../test-helpers.ts';
import { validateSet } from '../validate/validate-set.ts';
import { validateScenario } from '../validate/validate.ts';
import { nodeCatalog } from './catalog.ts';
import { nodeDefinition, registerNodeType, unregisterNodeType } from './registry.ts';
import { defineEffectNode, definePureNode } from './types.ts';
import { sql } from './sql.ts';

const testDouble = definePureNode({
  type: 'testDouble',
  title: 'Double',
  description: 'Doubles a number into a variable.',
  category: 'data',
  icon: 'math-x-plus',
  params: z.strictObject({ value: Expression, into: ui(Identifier, 'variable') }),
  outcomes: () => ['next'],
  writes: (p) => [p.into],
  run: (p, ctx) => {
    ctx.set(p.into, Number(ctx.evaluate(p.value)) * 2);
    return { outcome: 'next' };
  },
});

const EchoResult = z.object({ said: z.string() });
const testEcho = defineEffectNode({
  type: 'testEcho',
  title: 'Echo',
  description: 'Asks the outside world to repeat some text.',
  category: 'operator',
  icon: 'speakerphone',
  params: z.strictObject({
    text: Expression,
    into: ui(Identifier, 'variable').optional(),
    // A reference found by its hint: no `references` written here.
    followUp: ui(ScenarioId, 'scenarioRef').optional(),
  }),
  effectKind: 'echo',
  result: EchoResult,
  outcomes: () => ['heard'],
  writes: (p) => (p.into ? [p.into] : []),
  effect: (p, ctx) => ({ kind: 'echo', text: String(ctx.evaluate(p.text)) }),
  resume: (p, r, ctx) => {
    if (p.into) ctx.set(p.into, r.said);
    return { outcome: 'heard' };
  },
});

// Custom nodes are not part of the static ScenarioNode type.
const custom = (node: { id: string; type: string; params: unknown }) => node as unknown as ScenarioNode;

const echoScenario = (text: unknown, extra: Record<string, unknown> = {}): Scenario =>
  scenario(
    [
      { id: 'start', type: 'start' },
      custom({ id: 'twice', type: 'testDouble', params: { value: 21, into: 'n' } }),
      custom({ id: 'echo', type: 'testEcho', params: { text, into: 'heard', ...extra } }),
      { id: 'done', type: 'end', params: { result: { cat: [{ var: 'heard' }, ' ', { var: 'n' }] } } },
    ],
    [
      ['start', 'next', 'twice'],
      ['twice', 'next', 'echo'],
      ['echo', 'heard', 'done'],
    ],
  );

const nodeTypesInJsonSchema = () =>
  (scenarioJsonSchema() as { properties: { nodes: { items: { oneOf: { properties: { type: { const: string } } }[] } } } }).properties.nodes.items.oneOf.map(
    (s) => s.properties.type.const,
  );

describe('a registered node type', () => {
  beforeAll(() => {
    registerNodeType(testDouble);
    registerNodeType(testEcho);
  });
  afterAll(() => {
    unregisterNodeType('testDouble');
    unregisterNodeType('testEcho');
  });

  it('is validated: a good scenario passes, bad params are named by node and field', () => {
    expect(validateScenario(echoScenario({ var: 'n' })).issues).toEqual([]);
    const bad = validateScenario(
      scenario(
        [{ id: 'start', type: 'start' }, custom({ id: 'twice', type: 'testDouble', params: { value: 1, into: '9lives', extra: true } })],
        [['start', 'next', 'twice']],
      ),
    );
    expect(bad.ok).toBe(false);
    expect(bad.issues).toEqual([
      { severity: 'error', nodeId: 'twice', path: 'nodes[1].params.into', message: 'must start with a letter or "_" and contain only letters, digits and "_"' },
      { severity: 'error', nodeId: 'twice', path: 'nodes[1].params', message: 'Unrecognized key: "extra"' },
    ]);
  });

  it('has its expressions checked, found from its params schema', () => {
    const r = validateScenario(echoScenario({ var: 'nobody' }));
    expect(r.issues).toEqual([
      { severity: 'warning', nodeId: 'echo', path: 'nodes[2].params.text', message: 'reads variable "nobody", which is not declared and no node sets it' },
    ]);
    const wrong = validateScenario(echoScenario({ nosuchop: [1] }));
    expect(wrong.issues).toEqual([
      { severity: 'error', nodeId: 'echo', path: 'nodes[2].params.text.nosuchop', message: 'unknown json-logic operation "nosuchop"' },
    ]);
  });

  it('has its edges checked against its outcomes', () => {
    const sc = echoScenario('hi');
    const r = validateScenario({ ...sc, edges: [...sc.edges.filter((e) => e.source !== 'echo'), { source: 'echo', sourceHandle: 'ok', target: 'done' }] });
    expect(r.issues).toContainEqual({
      severity: 'error',
      nodeId: 'echo',
      path: 'edges[2].sourceHandle',
      message: '"ok" is not an outcome of testEcho node "echo": its outcomes are "heard"',
    });
  });

  it('has its scenario references, found by the scenarioRef hint, resolved with the others', () => {
    const r = validateSet([{ source: 'a.json', doc: echoScenario('hi', { followUp: 'follow-up' }) }]);
    expect(r.results[0]!.issues).toEqual([{ severity: 'error', nodeId: 'echo', path: 'nodes[2].params.followUp', message: 'unknown scenario "follow-up"' }]);
    expect(nodeDefinition('testEcho')!.references({ text: 'x', followUp: 'follow-up' })).toEqual(['follow-up']);
  });

  it('is in the JSON Schema, with its params and their hints', () => {
    const schema = scenarioJsonSchema() as {
      properties: { nodes: { items: { oneOf: { properties: Record<string, { const?: string; properties?: object }> }[] } } };
    };
    const echo = schema.properties.nodes.items.oneOf.find((s) => s.properties.type!.const === 'testEcho')!;
    expect(echo.properties.params!.properties).toMatchObject({
      text: { format: 'json-logic', ui: 'expression' },
      into: { ui: 'variable' },
      followUp: { ui: 'scenarioRef' },
    });
    expect(nodeTypesInJsonSchema()).toContain('testDouble');
  });

  it('is in the catalogue', () => {
    const catalog = nodeCatalog();
    expect(catalog.find((e) => e.type === 'testEcho')).toMatchObject({
      title: 'Echo',
      category: 'operator',
      icon: 'speakerphone',
      touchesWorld: true,
      effectKind: 'echo',
      outcomes: { static: ['heard'] },
      paramsOptional: false,
      params: { type: 'object', required: ['text'], properties: { text: { ui: 'expression' } } },
    });
    const double = catalog.find((e) => e.type === 'testDouble')!;
    expect(double.touchesWorld).toBe(false);
    expect(double).not.toHaveProperty('effectKind');
  });

  it('is stepped by the interpreter: its effect is returned, a good result resumes it, a bad one is refused', () => {
    const sc = echoScenario({ cat: ['n is ', { var: 'n' }] });
    const first = step(sc, undefined, { type: 'start', at: T0 });
    expect(first.effects).toEqual([{ step: 3, nodeId: 'echo', effect: { kind: 'echo', text: 'n is 42' } }]);
    expect(first.state).toMatchObject({ status: 'waiting', vars: { n: 42 }, waiting: { nodeId: 'echo', step: 3, kind: 'echo' } });

    const done = step(sc, first.state, { type: 'result', at: T0 + 1, step: 3, result: { said: 'n is 42' } });
    expect(done.state).toMatchObject({ status: 'completed', result: 'n is 42 42', vars: { n: 42, heard: 'n is 42' } });

    const refused = step(sc, first.state, { type: 'result', at: T0 + 1, step: 3, result: { said: 42 } });
    expect(refused.state.status).toBe('failed');
    expect(refused.state.error).toEqual({ nodeId: 'echo', message: expect.stringMatching(/^invalid echo result: .*expected string/) });
  });

  it('refuses a second type of the same name, a built-in name, or another result shape for a kind', () => {
    expect(() => registerNodeType(testEcho)).toThrow('cannot register node type "testEcho": a node type of that name is already registered');
    expect(() => registerNodeType(sql)).toThrow('cannot register node type "sql": a node type of that name is already registered');
    expect(() => registerNodeType({ ...testEcho, type: 'testEcho2', result: z.object({ other: z.number() }) })).toThrow(
      'cannot register node type "testEcho2": effect kind "echo" already has another result schema (node type "testEcho"); use the same one',
    );
    expect(() => registerNodeType({ ...testEcho, type: 'no spaces' })).toThrow(/cannot register node type "no spaces"/);
    const { result: _result, ...withoutResult } = testEcho;
    expect(() => registerNodeType({ ...withoutResult, type: 'testEcho3' } as never)).toThrow(
      'cannot register node type "testEcho3": its definition has no result (use definePureNode or defineEffectNode)',
    );
    expect(() => unregisterNodeType('sql')).toThrow('cannot unregister node type "sql": it is built in');
  });
});

describe('an unregistered node type', () => {
  it('is gone from validation, the JSON Schema and the catalogue again', () => {
    registerNodeType(testDouble);
    expect(nodeTypesInJsonSchema()).toContain('testDouble');
    expect(unregisterNodeType('testDouble')).toBe(true);
    expect(unregisterNodeType('testDouble')).toBe(false);
    expect(nodeTypesInJsonSchema()).not.toContain('testDouble');
    expect(nodeCatalog().map((e) => e.type)).not.toContain('testDouble');
    const r = validateScenario(scenario([{ id: 'start', type: 'start' }, custom({ id: 'twice', type: 'testDouble', params: { value: 1, into: 'n' } })]));
    expect(r.issues[0]).toMatchObject({
      nodeId: 'twice',
      path: 'nodes[1].type',
      message: expect.stringMatching(/^unknown node type "testDouble" \(known: start, sql, /),
    });
  });
});

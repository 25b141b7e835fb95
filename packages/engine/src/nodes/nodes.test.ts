/**
 * Every node type's outcomes, run through the interpreter: each test builds
 * start → node → one `end` per outcome (whose result is the outcome's name),
 * so the result of the execution says which edge was followed.
 */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../effects.ts';
import type { Scenario, ScenarioNode } from '../format/scenario.ts';
import { step } from '../interpreter/step.ts';
import type { ExecutionState, StepResult } from '../interpreter/state.ts';
import type { Json } from '../json.ts';
import { NODE_DEFINITIONS, NODE_TYPES, nodeDefinition } from './registry.ts';
import { scenario, T0, type ScenarioExtra } from '../test-helpers.ts';
import { validateScenario } from '../validate/validate.ts';

const AT = T0 + 60_000;

type StartInputSpec = { name: string; required?: boolean; default?: Json };

/** start → node → end_<outcome> for every outcome of the node. */
function around(node: ScenarioNode, opts: { inputs?: StartInputSpec[]; validate?: boolean; extra?: ScenarioExtra } = {}): Scenario {
  const outcomes = nodeDefinition(node.type)!.outcomes(node.params ?? {});
  const sc = scenario(
    [
      opts.inputs ? { id: 'start', type: 'start', params: { inputs: opts.inputs } } : { id: 'start', type: 'start' },
      node,
      ...outcomes.map((o): ScenarioNode => ({ id: `end_${o}`, type: 'end', params: { result: o } })),
    ],
    [['start', 'next', node.id], ...outcomes.map((o): [string, string, string] => [node.id, o, `end_${o}`])],
    opts.extra,
  );
  if (opts.validate !== false) {
    const v = validateScenario(sc);
    expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
  }
  return sc;
}

function begin(sc: Scenario, input: Record<string, Json> = {}): StepResult {
  return step(sc, undefined, { type: 'start', at: T0, input });
}

/** Asserts the step asked for exactly one effect and returns it. */
function effectOf(r: StepResult): Effect {
  expect(r.state.status).toBe('waiting');
  expect(r.effects).toHaveLength(1);
  return r.effects[0]!.effect;
}

function reply(sc: Scenario, r: StepResult, result: unknown): StepResult {
  expect(r.effects).toHaveLength(1);
  return step(sc, r.state, { type: 'result', at: AT, step: r.effects[0]!.step, result });
}

/** The outcome followed: the result of the `end_<outcome>` node reached. */
function outcome(r: StepResult): Json | undefined {
  expect(r.state.error).toBeUndefined();
  expect(r.state.status).toBe('completed');
  return r.state.result;
}

describe('the registry', () => {
  it('lists the twelve node types, each once', () => {
    expect(NODE_TYPES).toEqual([
      'start',
      'sql',
      'callOperator',
      'dialCustomer',
      'showForm',
      'branch',
      'setVariables',
      'setStatus',
      'wait',
      'queue',
      'runScenario',
      'end',
    ]);
    expect(new Set(NODE_TYPES).size).toBe(NODE_DEFINITIONS.length);
    expect(nodeDefinition('sql')?.type).toBe('sql');
    expect(nodeDefinition('dial')).toBeUndefined();
  });

  it('fixes each type’s outcomes', () => {
    const outcomes = (type: string, params: unknown = {}) => nodeDefinition(type)!.outcomes(params);
    expect(outcomes('start')).toEqual(['next']);
    expect(outcomes('sql')).toEqual(['ok', 'empty', 'error']);
    expect(outcomes('callOperator')).toEqual(['answered', 'busy', 'noAnswer', 'failed']);
    expect(outcomes('dialCustomer')).toEqual(['answered', 'busy', 'noAnswer', 'failed']);
    expect(outcomes('showForm')).toEqual(['submitted', 'timeout']);
    expect(outcomes('branch', { condition: true })).toEqual(['true', 'false']);
    expect(
      outcomes('branch', {
        cases: [
          { name: 'vip', when: true },
          { name: 'late', when: false },
        ],
      }),
    ).toEqual(['vip', 'late', 'default']);
    expect(outcomes('setVariables')).toEqual(['next']);
    expect(outcomes('setStatus')).toEqual(['next', 'error']);
    expect(outcomes('wait')).toEqual(['next']);
    expect(outcomes('queue')).toEqual(['assigned', 'timeout', 'left']);
    expect(outcomes('runScenario')).toEqual(['done', 'failed']);
    expect(outcomes('end')).toEqual([]);
  });

  it('marks which types wait for the outside world', () => {
    const effectful = NODE_DEFINITIONS.filter((d) => d.kind === 'effect').map((d) => d.type);
    expect(effectful).toEqual(['sql', 'callOperator', 'dialCustomer', 'showForm', 'setStatus', 'wait', 'queue', 'runScenario']);
  });
});

describe('start', () => {
  it('follows next', () => {
    const sc = scenario(
      [
        { id: 'start', type: 'start' },
        { id: 'done', type: 'end' },
      ],
      [['start', 'next', 'done']],
    );
    const r = begin(sc);
    expect(r.state.status).toBe('completed');
    expect(r.trace.map((t) => [t.nodeId, t.outcome])).toEqual([
      ['start', 'next'],
      ['done', null],
    ]);
  });
});

describe('sql', () => {
  const node = (params: Record<string, unknown>): ScenarioNode => ({ id: 'q', type: 'sql', params: params as never });
  const query = 'select * from table_out_call where status = :status and operator_number = :op';
  const ROWS = [
    { Id: 1, tel: '5550001' },
    { Id: 2, tel: '5550002' },
  ];

  it('asks for the query with its params evaluated, and the result mode (rows by default)', () => {
    const sc = around(node({ query, params: { status: 10, op: { var: 'op' } }, timeoutMs: 5000 }), { inputs: [{ name: 'op' }] });
    expect(effectOf(begin(sc, { op: '101' }))).toEqual({
      kind: 'sql',
      query,
      params: { status: 10, op: '101' },
      result: 'rows',
      timeoutMs: 5000,
    });
  });

  it('rows: ok with rows puts the array into the variable', () => {
    const sc = around(node({ query: 'select 1', result: 'rows', into: 'found' }));
    const r = reply(sc, begin(sc), { ok: true, rows: ROWS, rowCount: 2 });
    expect(outcome(r)).toBe('ok');
    expect(r.state.vars.found).toEqual(ROWS);
    expect(r.trace[0]).toMatchObject({ nodeId: 'q', outcome: 'ok', changed: { found: ROWS } });
  });

  it('rows: no rows is empty, and the variable gets []', () => {
    const sc = around(node({ query: 'select 1', into: 'found' }));
    const r = reply(sc, begin(sc), { ok: true, rows: [], rowCount: 0 });
    expect(outcome(r)).toBe('empty');
    expect(r.state.vars.found).toEqual([]);
  });

  it('first: the first row, or null when empty', () => {
    const sc = around(node({ query: 'select 1', result: 'first', into: 'row' }));
    expect(effectOf(begin(sc))).toMatchObject({ result: 'first' });
    const ok = reply(sc, begin(sc), { ok: true, rows: ROWS, rowCount: 2 });
    expect(outcome(ok)).toBe('ok');
    expect(ok.state.vars.row).toEqual({ Id: 1, tel: '5550001' });
    const empty = reply(sc, begin(sc), { ok: true, rows: [], rowCount: 0 });
    expect(outcome(empty)).toBe('empty');
    expect(empty.state.vars.row).toBeNull();
  });

  it('none: decided by rowCount, and nothing is written into the variable', () => {
    const sc = around(node({ query: 'update t set a = 1', result: 'none', into: 'res' }));
    const ok = reply(sc, begin(sc), { ok: true, rows: [], rowCount: 3 });
    expect(outcome(ok)).toBe('ok');
    expect(ok.state.vars).not.toHaveProperty('res');
    const empty = reply(sc, begin(sc), { ok: true, rows: [], rowCount: 0 });
    expect(outcome(empty)).toBe('empty');
  });

  it('without into, the rows are not stored anywhere', () => {
    const sc = around(node({ query: 'select 1' }));
    const r = reply(sc, begin(sc), { ok: true, rows: ROWS, rowCount: 2 });
    expect(outcome(r)).toBe('ok');
    expect(r.state.vars).toEqual({});
  });

  it('a database error takes error and sets lastError', () => {
    const sc = around(node({ query: 'select 1', into: 'found' }));
    const r = reply(sc, begin(sc), { ok: false, error: 'relation "x" does not exist', code: '42P01' });
    expect(outcome(r)).toBe('error');
    expect(r.state.vars).toEqual({ lastError: 'relation "x" does not exist' });
    expect(r.trace[0]).toMatchObject({ nodeId: 'q', outcome: 'error', changed: { lastError: 'relation "x" does not exist' } });
  });

  it('a param that cannot be evaluated takes error without asking for the query', () => {
    // An unknown operation inside a `map` body only fails when evaluated.
    const sc = around(node({ query: 'select :x', params: { x: { map: [[1], { nope: 1 }] } } }), { validate: false });
    const r = begin(sc);
    expect(r.effects).toEqual([]);
    expect(outcome(r)).toBe('error');
    expect(r.state.vars.lastError).toBe('Unrecognized operation nope');
    expect(r.trace[1]).toMatchObject({
      step: 2,
      nodeId: 'q',
      outcome: 'error',
      error: 'Unrecognized operation nope',
      changed: { lastError: 'Unrecognized operation nope' },
    });
  });
});

describe.each([
  ['callOperator', 'operator', 'call'],
  ['dialCustomer', 'number', 'dial'],
] as const)('%s', (type, field, kind) => {
  const node = (params: Record<string, unknown>): ScenarioNode => ({ id: 'c', type, params: { [field]: '101', ...params } as never });

  it.each(['answered', 'busy', 'noAnswer', 'failed'])('follows %s and stores it with the call id into the variable', (o) => {
    const sc = around(node({ into: 'call' }));
    const r = reply(sc, begin(sc), { outcome: o, callId: 'call-7' });
    expect(outcome(r)).toBe(o);
    expect(r.state.vars.call).toEqual({ outcome: o, callId: 'call-7' });
  });

  it('stores a null call id when the result has none', () => {
    const sc = around(node({ into: 'call' }));
    expect(reply(sc, begin(sc), { outcome: 'busy' }).state.vars.call).toEqual({ outcome: 'busy', callId: null });
  });

  it('without into, nothing is stored', () => {
    const sc = around(node({}));
    const r = reply(sc, begin(sc), { outcome: 'answered', callId: 'x' });
    expect(outcome(r)).toBe('answered');
    expect(r.state.vars).toEqual({});
  });

  it('evaluates the number from variables; a number value becomes text', () => {
    const sc = around(node({ [field]: { var: 'sub.tel' }, timeoutSec: 25 }), { inputs: [{ name: 'sub' }] });
    const e = effectOf(begin(sc, { sub: { tel: 5550001 } }));
    expect(e).toMatchObject({ kind, [field]: '5550001', timeoutSec: 25 });
  });

  it.each([
    ['an empty string', ''],
    ['a missing variable', { var: 'sub.tel' }],
    ['an object', { var: 'sub' }],
  ])('%s takes failed via the error outcome, with lastError', (_what, value) => {
    const sc = around(node({ [field]: value, into: 'call' }), { inputs: [{ name: 'sub' }] });
    const r = begin(sc, { sub: {} });
    expect(r.effects).toEqual([]);
    expect(outcome(r)).toBe('failed');
    expect(r.state.vars.lastError).toMatch(new RegExp(`^"${field}" is empty or not text: `));
    expect(r.state.vars).not.toHaveProperty('call');
    expect(r.trace[1]).toMatchObject({ nodeId: 'c', outcome: 'failed' });
    expect(r.trace[1]!.error).toBe(r.state.vars.lastError);
  });
});

describe('callOperator effect', () => {
  it('is exactly { kind: call, operator } without optional fields', () => {
    const sc = around({ id: 'c', type: 'callOperator', params: { operator: '101' } });
    expect(effectOf(begin(sc))).toEqual({ kind: 'call', operator: '101' });
  });
});

describe('dialCustomer effect', () => {
  it('bridges only when asked, and carries the caller id', () => {
    const plain = around({ id: 'c', type: 'dialCustomer', params: { number: '5550001' } });
    expect(effectOf(begin(plain))).toEqual({ kind: 'dial', number: '5550001', bridge: false });
    const bridged = around({ id: 'c', type: 'dialCustomer', params: { number: '5550001', bridge: true, callerId: '7000', timeoutSec: 30 } });
    expect(effectOf(begin(bridged))).toEqual({ kind: 'dial', number: '5550001', bridge: true, callerId: '7000', timeoutSec: 30 });
  });
});

describe('showForm', () => {
  const form: ScenarioNode = {
    id: 'form',
    type: 'showForm',
    params: {
      title: 'Callback',
      description: 'When should we call back?',
      operator: { var: 'op' },
      timeoutSec: 600,
      fields: [
        { name: 'previous', label: 'Previous call', type: 'text', readOnly: true, default: { var: 'last' } },
        { name: 'minutes', label: 'Call back in (min)', type: 'number', default: { '+': [{ var: 'base' }, 5] } },
        { name: 'result', label: 'Result', type: 'select', required: true, options: [{ value: 'ok', label: 'Done' }, { value: 'later' }] },
      ],
    },
  };
  const inputs = [{ name: 'op' }, { name: 'last' }, { name: 'base' }];

  it('shows the fields with their defaults evaluated', () => {
    const sc = around(form, { inputs });
    expect(effectOf(begin(sc, { op: 101, last: 'no answer', base: 10 }))).toEqual({
      kind: 'form',
      title: 'Callback',
      description: 'When should we call back?',
      operator: '101',
      timeoutSec: 600,
      fields: [
        { name: 'previous', label: 'Previous call', type: 'text', required: false, readOnly: true, value: 'no answer' },
        { name: 'minutes', label: 'Call back in (min)', type: 'number', required: false, readOnly: false, value: 15 },
        {
          name: 'result',
          label: 'Result',
          type: 'select',
          required: true,
          readOnly: false,
          value: null,
          options: [
            { value: 'ok', label: 'Done' },
            { value: 'later', label: 'later' },
          ],
        },
      ],
    });
  });

  it('leaves the operator out when its expression is empty', () => {
    const sc = around(form, { inputs });
    expect(effectOf(begin(sc, { base: 0 }))).not.toHaveProperty('operator');
  });

  it('submitted: writes the editable fields that were submitted, never read-only ones or unknown keys', () => {
    const sc = around(form, { inputs });
    const r = reply(sc, begin(sc, { last: 'busy', base: 0 }), {
      submitted: { previous: 'tampered', minutes: 30, hacker: 1 },
      by: 'agent-1',
    });
    expect(outcome(r)).toBe('submitted');
    expect(r.state.vars).toEqual({ last: 'busy', base: 0, minutes: 30 });
    expect(r.trace[0]).toMatchObject({ nodeId: 'form', outcome: 'submitted', changed: { minutes: 30 } });
  });

  it('timeout: follows timeout and writes nothing', () => {
    const sc = around(form, { inputs });
    const r = reply(sc, begin(sc, { base: 0 }), { timeout: true });
    expect(outcome(r)).toBe('timeout');
    expect(r.state.vars).toEqual({ base: 0 });
    expect(r.trace[0]).not.toHaveProperty('changed');
  });
});

describe('branch', () => {
  it('condition: true and false', () => {
    const sc = around({ id: 'b', type: 'branch', params: { condition: { '>': [{ var: 'n' }, 3] } } }, { inputs: [{ name: 'n' }] });
    expect(outcome(begin(sc, { n: 4 }))).toBe('true');
    expect(outcome(begin(sc, { n: 3 }))).toBe('false');
  });

  it('condition: json-logic truthiness (an empty array is false, "0" is true)', () => {
    const sc = around({ id: 'b', type: 'branch', params: { condition: { var: 'v' } } }, { inputs: [{ name: 'v' }] });
    expect(outcome(begin(sc, { v: [] }))).toBe('false');
    expect(outcome(begin(sc, { v: '0' }))).toBe('true');
    expect(outcome(begin(sc, {}))).toBe('false');
  });

  it('cases: the first matching case in order wins, otherwise default', () => {
    const sc = around(
      {
        id: 'b',
        type: 'branch',
        params: {
          cases: [
            { name: 'vip', when: { '==': [{ var: 'tier' }, 'gold'] } },
            { name: 'big', when: { '>=': [{ var: 'amount' }, 100] } },
            { name: 'alsoBig', when: { '>=': [{ var: 'amount' }, 50] } },
          ],
        },
      },
      { inputs: [{ name: 'tier' }, { name: 'amount' }] },
    );
    expect(outcome(begin(sc, { tier: 'gold', amount: 500 }))).toBe('vip');
    expect(outcome(begin(sc, { tier: 'none', amount: 500 }))).toBe('big');
    expect(outcome(begin(sc, { tier: 'none', amount: 60 }))).toBe('alsoBig');
    expect(outcome(begin(sc, { tier: 'none', amount: 10 }))).toBe('default');
  });
});

describe('setVariables', () => {
  it('assigns in order, a later value seeing the earlier ones', () => {
    const sc = around({
      id: 'set',
      type: 'setVariables',
      params: {
        assign: [
          { name: 'a', value: 2 },
          { name: 'b', value: { '*': [{ var: 'a' }, 10] } },
          { name: 'a', value: { '+': [{ var: 'b' }, 1] } },
        ],
      },
    });
    const r = begin(sc);
    expect(outcome(r)).toBe('next');
    expect(r.state.vars).toEqual({ a: 21, b: 20 });
    expect(r.trace[1]).toEqual({ step: 2, nodeId: 'set', nodeType: 'setVariables', outcome: 'next', startedAt: T0, endedAt: T0, changed: { a: 21, b: 20 } });
  });
});

describe('setStatus', () => {
  const node = (params: Record<string, unknown>): ScenarioNode => ({
    id: 'st',
    type: 'setStatus',
    params: { id: { var: 'sub.Id' }, status: 12, ...params } as never,
  });
  const inputs = [{ name: 'sub' }];

  it('asks to set the status and fields on the default table and key', () => {
    const sc = around(node({ fields: { operator_number: { var: 'sub.op' }, callaftermin: 5 } }), { inputs });
    expect(effectOf(begin(sc, { sub: { Id: 7, op: '101' } }))).toEqual({
      kind: 'setStatus',
      table: 'table_out_call',
      idColumn: 'Id',
      id: 7,
      status: 12,
      fields: { operator_number: '101', callaftermin: 5 },
    });
  });

  it('uses the given table and key column; a numeric string status is accepted', () => {
    const sc = around(node({ table: 'calls', idColumn: 'call_id', status: '10' }), { inputs });
    expect(effectOf(begin(sc, { sub: { Id: 'a1' } }))).toEqual({ kind: 'setStatus', table: 'calls', idColumn: 'call_id', id: 'a1', status: 10, fields: {} });
  });

  it('next when a row was updated', () => {
    const sc = around(node({}), { inputs });
    const r = reply(sc, begin(sc, { sub: { Id: 7 } }), { ok: true, rowCount: 1 });
    expect(outcome(r)).toBe('next');
    expect(r.state.vars).not.toHaveProperty('lastError');
  });

  it('error with lastError when no row matched', () => {
    const sc = around(node({}), { inputs });
    const r = reply(sc, begin(sc, { sub: { Id: 7 } }), { ok: true, rowCount: 0 });
    expect(outcome(r)).toBe('error');
    expect(r.state.vars.lastError).toBe('no row with Id = 7 in table_out_call');
  });

  it('error with the database message when the update failed', () => {
    const sc = around(node({}), { inputs });
    const r = reply(sc, begin(sc, { sub: { Id: 7 } }), { ok: false, error: 'deadlock detected' });
    expect(outcome(r)).toBe('error');
    expect(r.state.vars.lastError).toBe('deadlock detected');
  });

  it.each([
    ['a fraction', 1.5],
    ['text', 'done'],
    ['a missing variable', { var: 'sub.status' }],
    ['an empty string', ''],
    ['a boolean', true],
  ])('a status that is %s takes error without touching the table', (_what, status) => {
    const sc = around(node({ status }), { inputs });
    const r = begin(sc, { sub: { Id: 7 } });
    expect(r.effects).toEqual([]);
    expect(outcome(r)).toBe('error');
    expect(r.state.vars.lastError).toMatch(/^status is not an integer: /);
  });

  it('an empty id takes error', () => {
    const sc = around(node({}), { inputs });
    const r = begin(sc, { sub: {} });
    expect(r.effects).toEqual([]);
    expect(outcome(r)).toBe('error');
    expect(r.state.vars.lastError).toBe('"id" is empty');
  });
});

describe('wait', () => {
  const node = (params: Record<string, unknown>): ScenarioNode => ({ id: 'w', type: 'wait', params: params as never });

  it('seconds: wakes at the event time plus the seconds', () => {
    const sc = around(node({ seconds: 300 }));
    expect(effectOf(begin(sc))).toEqual({ kind: 'timer', wakeAt: T0 + 300_000 });
  });

  it('seconds from an expression, fractional allowed', () => {
    const sc = around(node({ seconds: { '*': [{ var: 'min' }, 60] } }), { inputs: [{ name: 'min' }] });
    expect(effectOf(begin(sc, { min: 0.5 }))).toEqual({ kind: 'timer', wakeAt: T0 + 30_000 });
  });

  it('a negative duration wakes at once', () => {
    const sc = around(node({ seconds: -5 }));
    expect(effectOf(begin(sc))).toEqual({ kind: 'timer', wakeAt: T0 });
  });

  it('until: an ISO 8601 string', () => {
    const sc = around(node({ until: '2024-01-02T03:04:05Z' }));
    expect(effectOf(begin(sc))).toEqual({ kind: 'timer', wakeAt: Date.UTC(2024, 0, 2, 3, 4, 5) });
  });

  it('until: ISO with an offset, and epoch milliseconds from a variable', () => {
    const iso = around(node({ until: '2024-01-02T03:00:00+03:00' }));
    expect(effectOf(begin(iso))).toEqual({ kind: 'timer', wakeAt: Date.UTC(2024, 0, 2, 0, 0, 0) });
    const epoch = around(node({ until: { var: 'at' } }), { inputs: [{ name: 'at' }] });
    expect(effectOf(begin(epoch, { at: 1_800_000_000_000 }))).toEqual({ kind: 'timer', wakeAt: 1_800_000_000_000 });
  });

  it('next once the timer fires', () => {
    const sc = around(node({ seconds: 1 }));
    const r = reply(sc, begin(sc), {});
    expect(outcome(r)).toBe('next');
    expect(r.trace[0]).toEqual({ step: 2, nodeId: 'w', nodeType: 'wait', outcome: 'next', startedAt: T0, endedAt: AT });
  });

  it.each([
    [{ until: 'soon' }, '"until" is not a time: "soon"'],
    [{ until: '' }, '"until" is not a time: ""'],
    [{ until: { var: 'missing' } }, '"until" is not a time: null'],
    [{ seconds: 'ten' }, '"seconds" is not a number: "ten"'],
    [{ seconds: { var: 'missing' } }, '"seconds" is not a number: null'],
    [{ seconds: true }, '"seconds" is not a number: true'],
  ])('a bad value (%j) fails the execution', (params, message) => {
    const sc = around(node(params));
    const r = begin(sc);
    expect(r.effects).toEqual([]);
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'w', message });
  });
});

describe('queue', () => {
  const node = (params: Record<string, unknown>): ScenarioNode => ({ id: 'qu', type: 'queue', params: { queue: 'sales', ...params } as never });

  it("asks to enqueue with the queue's priority (null) and null data by default, for this execution", () => {
    const sc = around(node({}));
    expect(effectOf(begin(sc))).toEqual({ kind: 'enqueue', queue: 'sales', priority: null, data: null });
  });

  it('names the customer who waits when told, e.g. the caller number', () => {
    const sc = around(node({ customer: { var: 'caller' } }), { inputs: [{ name: 'caller' }] });
    expect(effectOf(begin(sc, { caller: '+79001234567' }))).toMatchObject({ kind: 'enqueue', customer: '+79001234567' });
  });

  it('evaluates the queue, priority and data', () => {
    const sc = around(node({ queue: { var: 'q' }, priority: { '+': [{ var: 'p' }, 1] }, data: { cat: ['order ', { var: 'order' }] }, timeoutSec: 120 }), {
      inputs: [{ name: 'q' }, { name: 'p' }, { name: 'order' }],
    });
    expect(effectOf(begin(sc, { q: 'vip', p: 4, order: 'A-1' }))).toEqual({ kind: 'enqueue', queue: 'vip', priority: 5, data: 'order A-1', timeoutSec: 120 });
  });

  it("keeps the queue's priority when the priority expression gives nothing (an optional input left out)", () => {
    const sc = around(node({ priority: { var: 'p' } }), { inputs: [{ name: 'p' }] });
    expect(effectOf(begin(sc))).toMatchObject({ kind: 'enqueue', priority: null });
    expect(effectOf(begin(sc, { p: '' }))).toMatchObject({ kind: 'enqueue', priority: null });
    expect(effectOf(begin(sc, { p: 0 }))).toMatchObject({ kind: 'enqueue', priority: 0 });
  });

  it.each(['assigned', 'timeout', 'left'])('follows %s and stores it into the variable', (o) => {
    const sc = around(node({ into: 'q' }));
    const r = reply(sc, begin(sc), { outcome: o, agent: 'agent-3', waitedMs: 4200 });
    expect(outcome(r)).toBe(o);
    expect(r.state.vars.q).toEqual({ outcome: o, agent: 'agent-3', waitedMs: 4200 });
  });

  it('stores nulls for what the result leaves out', () => {
    const sc = around(node({ into: 'q' }));
    expect(reply(sc, begin(sc), { outcome: 'left' }).state.vars.q).toEqual({ outcome: 'left', agent: null, waitedMs: null });
  });

  it('an empty queue name fails the execution', () => {
    const sc = around(node({ queue: { var: 'q' } }), { inputs: [{ name: 'q' }] });
    const r = begin(sc);
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'qu', message: '"queue" is not a queue name: null' });
  });
});

describe('runScenario', () => {
  const node = (params: Record<string, unknown>): ScenarioNode => ({ id: 'run', type: 'runScenario', params: { scenario: 'child', ...params } as never });

  it('asks to start the child with its inputs evaluated, waiting by default', () => {
    const sc = around(node({ inputs: { tel: { var: 'sub.tel' }, retry: true } }), { inputs: [{ name: 'sub' }] });
    expect(effectOf(begin(sc, { sub: { tel: '555' } }))).toEqual({ kind: 'startChild', scenario: 'child', inputs: { tel: '555', retry: true }, wait: true });
  });

  it('carries wait: false', () => {
    const sc = around(node({ wait: false }));
    expect(effectOf(begin(sc))).toEqual({ kind: 'startChild', scenario: 'child', inputs: {}, wait: false });
  });

  it('done puts the child’s result into the variable', () => {
    const sc = around(node({ into: 'child' }));
    const r = reply(sc, begin(sc), { outcome: 'done', executionId: 'e-2', result: { callback: 12 } });
    expect(outcome(r)).toBe('done');
    expect(r.state.vars).toEqual({ child: { callback: 12 } });
  });

  it('done without a result stores null', () => {
    const sc = around(node({ into: 'child' }));
    expect(reply(sc, begin(sc), { outcome: 'done' }).state.vars).toEqual({ child: null });
  });

  it('failed sets lastError (the child’s error, or a default) and not the variable', () => {
    const sc = around(node({ into: 'child' }));
    const r = reply(sc, begin(sc), { outcome: 'failed', error: 'child blew up' });
    expect(outcome(r)).toBe('failed');
    expect(r.state.vars).toEqual({ lastError: 'child blew up' });
    expect(reply(sc, begin(sc), { outcome: 'failed' }).state.vars).toEqual({ lastError: 'the child scenario failed' });
  });
});

describe('end', () => {
  const run = (params?: Record<string, unknown>, input: Record<string, Json> = {}): ExecutionState => {
    const sc = scenario(
      [
        { id: 'start', type: 'start', params: { inputs: [{ name: 'x' }] } },
        params ? { id: 'fin', type: 'end', params: params as never } : { id: 'fin', type: 'end' },
      ],
      [['start', 'next', 'fin']],
    );
    return begin(sc, input).state;
  };

  it('completes without a result by default', () => {
    const s = run();
    expect(s).toEqual({ status: 'completed', vars: {}, steps: 2, startedAt: T0, endedAt: T0 });
  });

  it('evaluates the result', () => {
    const s = run({ result: { cat: ['#', { var: 'x' }] } }, { x: 5 });
    expect(s.status).toBe('completed');
    expect(s.result).toBe('#5');
    expect(s.error).toBeUndefined();
  });

  it('status failed with a reason fails the execution, keeping the result', () => {
    const s = run({ status: 'failed', reason: 'no operator available', result: 3 });
    expect(s.status).toBe('failed');
    expect(s.error).toEqual({ nodeId: 'fin', message: 'no operator available' });
    expect(s.result).toBe(3);
    expect(s.endedAt).toBe(T0);
  });

  it('status failed without a reason says so', () => {
    expect(run({ status: 'failed' }).error).toEqual({ nodeId: 'fin', message: 'ended as failed' });
  });
});

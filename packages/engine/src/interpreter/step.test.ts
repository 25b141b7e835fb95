import { describe, expect, it } from 'vitest';
import type { Scenario, ScenarioNode } from '../format/scenario.ts';
import type { Json } from '../json.ts';
import { scenario, T0 } from '../test-helpers.ts';
import { validateScenario } from '../validate/validate.ts';
import type { ExecutionEvent, ExecutionState, StepResult } from './state.ts';
import { DEFAULT_MAX_PURE_STEPS, initialVariables, step, variablesBefore } from './step.ts';

const T1 = T0 + 5_000;
const T2 = T0 + 9_000;

/** Asserts the document is valid (warnings allowed) and returns it typed. */
function valid(doc: Scenario): Scenario {
  const r = validateScenario(doc);
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return doc;
}

const begin = (sc: Scenario, input?: Record<string, Json>, at = T0) => step(sc, undefined, { type: 'start', at, ...(input ? { input } : {}) });
const result = (sc: Scenario, from: StepResult, value: unknown, at = T1) =>
  step(sc, from.state, { type: 'result', at, step: from.state.waiting!.step, result: value });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const set = (id: string, assign: { name: string; value: Json }[]): ScenarioNode => ({ id, type: 'setVariables', params: { assign } });

/** start → a=1 → (a == 1 ?) → b=a+1 → sql → c=b*10 → end with result c. */
const pipeline = valid(
  scenario(
    [
      { id: 'start', type: 'start' },
      set('setA', [{ name: 'a', value: 1 }]),
      { id: 'isOne', type: 'branch', params: { condition: { '==': [{ var: 'a' }, 1] } } },
      set('setB', [{ name: 'b', value: { '+': [{ var: 'a' }, 1] } }]),
      { id: 'q', type: 'sql', params: { query: 'select :b', params: { b: { var: 'b' } }, result: 'first', into: 'row' } },
      set('setC', [{ name: 'c', value: { '*': [{ var: 'b' }, 10] } }]),
      { id: 'done', type: 'end', params: { result: { var: 'c' } } },
      { id: 'other', type: 'end', params: { status: 'failed', reason: 'a is not 1' } },
    ],
    [
      ['start', 'next', 'setA'],
      ['setA', 'next', 'isOne'],
      ['isOne', 'true', 'setB'],
      ['isOne', 'false', 'other'],
      ['setB', 'next', 'q'],
      ['q', 'ok', 'setC'],
      ['setC', 'next', 'done'],
    ],
  ),
);

describe('step: running to the first effect', () => {
  it('runs the pure nodes in one step, in order, and stops at the first effect', () => {
    expect(begin(pipeline)).toEqual({
      state: {
        status: 'waiting',
        vars: { a: 1, b: 2 },
        steps: 5,
        waiting: { nodeId: 'q', step: 5, kind: 'sql', since: T0 },
        startedAt: T0,
      },
      effects: [{ step: 5, nodeId: 'q', effect: { kind: 'sql', query: 'select :b', params: { b: 2 }, result: 'first' } }],
      trace: [
        { step: 1, nodeId: 'start', nodeType: 'start', outcome: 'next', startedAt: T0, endedAt: T0 },
        { step: 2, nodeId: 'setA', nodeType: 'setVariables', outcome: 'next', startedAt: T0, endedAt: T0, changed: { a: 1 } },
        { step: 3, nodeId: 'isOne', nodeType: 'branch', outcome: 'true', startedAt: T0, endedAt: T0 },
        { step: 4, nodeId: 'setB', nodeType: 'setVariables', outcome: 'next', startedAt: T0, endedAt: T0, changed: { b: 2 } },
      ],
    });
  });

  it('resumes with the result, records the effect node, and runs on to the end', () => {
    const first = begin(pipeline);
    const r = result(pipeline, first, { ok: true, rows: [{ x: 2 }], rowCount: 1 });
    expect(r).toEqual({
      state: { status: 'completed', vars: { a: 1, b: 2, row: { x: 2 }, c: 20 }, steps: 7, startedAt: T0, endedAt: T1, result: 20 },
      effects: [],
      trace: [
        { step: 5, nodeId: 'q', nodeType: 'sql', outcome: 'ok', startedAt: T0, endedAt: T1, changed: { row: { x: 2 } } },
        { step: 6, nodeId: 'setC', nodeType: 'setVariables', outcome: 'next', startedAt: T1, endedAt: T1, changed: { c: 20 } },
        { step: 7, nodeId: 'done', nodeType: 'end', outcome: null, startedAt: T1, endedAt: T1 },
      ],
    });
  });

  it('numbers effects by step across several waits', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'w1', type: 'wait', params: { seconds: 1 } },
          set('mark', [{ name: 'm', value: true }]),
          { id: 'w2', type: 'wait', params: { seconds: 2 } },
          { id: 'done', type: 'end' },
        ],
        [
          ['start', 'next', 'w1'],
          ['w1', 'next', 'mark'],
          ['mark', 'next', 'w2'],
          ['w2', 'next', 'done'],
        ],
      ),
    );
    const a = begin(sc);
    expect(a.effects).toEqual([{ step: 2, nodeId: 'w1', effect: { kind: 'timer', wakeAt: T0 + 1000 } }]);
    const b = result(sc, a, {});
    expect(b.effects).toEqual([{ step: 4, nodeId: 'w2', effect: { kind: 'timer', wakeAt: T1 + 2000 } }]);
    expect(b.state.waiting).toEqual({ nodeId: 'w2', step: 4, kind: 'timer', since: T1 });
    expect(b.trace.map((t) => [t.step, t.nodeId])).toEqual([
      [2, 'w1'],
      [3, 'mark'],
    ]);
    const c = result(sc, b, {}, T2);
    expect(c.state).toEqual({ status: 'completed', vars: { m: true }, steps: 5, startedAt: T0, endedAt: T2 });
  });

  it('a state that went through JSON resumes the same way', () => {
    const first = begin(pipeline);
    const stored = JSON.parse(JSON.stringify(first.state)) as ExecutionState;
    expect(stored).toEqual(first.state);
    const r = step(pipeline, stored, { type: 'result', at: T1, step: 5, result: { ok: true, rows: [], rowCount: 0 } });
    // `empty` has no edge in this scenario.
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'q', message: 'node "q" has no edge for outcome "empty"' });
  });
});

describe('step: events that do not apply', () => {
  it('ignores a result for another step, changing nothing', () => {
    const first = begin(pipeline);
    for (const wrong of [4, 6, 0]) {
      const r = step(pipeline, first.state, { type: 'result', at: T1, step: wrong, result: { ok: true, rows: [], rowCount: 0 } });
      expect(r.state).toBe(first.state);
      expect(r.effects).toEqual([]);
      expect(r.trace).toEqual([]);
      expect(r.ignored).toBe(`no effect of step ${wrong} is awaited (waiting for step 5)`);
    }
  });

  it('ignores a repeated result once the step has moved on', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'w1', type: 'wait', params: { seconds: 1 } },
          { id: 'w2', type: 'wait', params: { seconds: 1 } },
          { id: 'done', type: 'end' },
        ],
        [
          ['start', 'next', 'w1'],
          ['w1', 'next', 'w2'],
          ['w2', 'next', 'done'],
        ],
      ),
    );
    const a = begin(sc);
    const b = result(sc, a, {});
    const again = step(sc, b.state, { type: 'result', at: T2, step: 2, result: {} });
    expect(again).toEqual({ state: b.state, effects: [], trace: [], ignored: 'no effect of step 2 is awaited (waiting for step 3)' });
  });

  it.each(['completed', 'failed', 'cancelled'] as const)('ignores results and cancels once %s', (status) => {
    const first = begin(pipeline);
    const ended =
      status === 'completed'
        ? result(pipeline, first, { ok: true, rows: [{}], rowCount: 1 })
        : status === 'failed'
          ? result(pipeline, first, { ok: true, rows: [], rowCount: 0 })
          : step(pipeline, first.state, { type: 'cancel', at: T1 });
    expect(ended.state.status).toBe(status);
    for (const event of [
      { type: 'result', at: T2, step: 5, result: { ok: true, rows: [], rowCount: 0 } },
      { type: 'cancel', at: T2 },
    ] satisfies ExecutionEvent[]) {
      const r = step(pipeline, ended.state, event);
      expect(r).toEqual({ state: ended.state, effects: [], trace: [], ignored: `the execution is already ${status}` });
      expect(r.state).toBe(ended.state);
    }
  });

  it('ignores a second start, and events for an execution that never started', () => {
    const first = begin(pipeline);
    const again = step(pipeline, first.state, { type: 'start', at: T1 });
    expect(again.state).toBe(first.state);
    expect(again.ignored).toBe('the execution has already started');
    expect(again.effects).toEqual([]);
    const early = step(pipeline, undefined, { type: 'result', at: T1, step: 1, result: {} });
    expect(early.ignored).toBe('the execution has not started');
    expect(early.effects).toEqual([]);
    expect(early.trace).toEqual([]);
  });
});

describe('step: cancel', () => {
  it('cancels a waiting execution, naming the node it waited at', () => {
    const first = begin(pipeline);
    expect(step(pipeline, first.state, { type: 'cancel', at: T1, reason: 'operator hung up' })).toEqual({
      state: { status: 'cancelled', vars: { a: 1, b: 2 }, steps: 5, startedAt: T0, endedAt: T1, error: { nodeId: 'q', message: 'operator hung up' } },
      effects: [],
      trace: [],
    });
  });

  it('says "cancelled" without a reason', () => {
    const r = step(pipeline, begin(pipeline).state, { type: 'cancel', at: T1 });
    expect(r.state.status).toBe('cancelled');
    expect(r.state.error).toEqual({ nodeId: 'q', message: 'cancelled' });
    expect(r.state).not.toHaveProperty('waiting');
  });
});

describe('step: the runaway guard', () => {
  /** start → inc → loop(true) → inc …, never waiting. */
  const loop = valid(
    scenario(
      [
        { id: 'start', type: 'start' },
        set('inc', [{ name: 'n', value: { '+': [{ var: 'n' }, 1] } }]),
        { id: 'loop', type: 'branch', params: { condition: true } },
        { id: 'done', type: 'end' },
      ],
      [
        ['start', 'next', 'inc'],
        ['inc', 'next', 'loop'],
        ['loop', 'true', 'inc'],
        ['loop', 'false', 'done'],
      ],
      { variables: [{ name: 'n', type: 'number', default: 0 }] },
    ),
  );

  it('fails after maxPureSteps visits, naming the node where it stopped', () => {
    const r = step(loop, undefined, { type: 'start', at: T0 }, { maxPureSteps: 5 });
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'inc', message: 'runaway: more than 5 nodes visited without waiting for anything (stopped at "inc")' });
    expect(r.trace.map((t) => t.nodeId)).toEqual(['start', 'inc', 'loop', 'inc', 'loop']);
    expect(r.state.steps).toBe(5);
    expect(r.state.vars).toEqual({ n: 2 });
    expect(r.state.endedAt).toBe(T0);
    expect(r.effects).toEqual([]);
  });

  it('has a default limit', () => {
    expect(DEFAULT_MAX_PURE_STEPS).toBe(10_000);
    const r = begin(loop);
    expect(r.state.error?.message).toBe(`runaway: more than ${DEFAULT_MAX_PURE_STEPS} nodes visited without waiting for anything (stopped at "loop")`);
    expect(r.state.steps).toBe(DEFAULT_MAX_PURE_STEPS);
  });

  it('counts only the visits since the last wait', () => {
    const waiting = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          set('inc', [{ name: 'n', value: { '+': [{ var: 'n' }, 1] } }]),
          { id: 'loop', type: 'branch', params: { condition: { '<': [{ var: 'n' }, 10] } } },
          { id: 'nap', type: 'wait', params: { seconds: 1 } },
          { id: 'done', type: 'end' },
        ],
        [
          ['start', 'next', 'inc'],
          ['inc', 'next', 'loop'],
          ['loop', 'true', 'nap'],
          ['nap', 'next', 'inc'],
          ['loop', 'false', 'done'],
        ],
        { variables: [{ name: 'n', default: 0 }] },
      ),
    );
    // The first step visits start, inc, loop, nap; each later one inc, loop, nap: never more than 4.
    let r = step(waiting, undefined, { type: 'start', at: T0 }, { maxPureSteps: 4 });
    for (let i = 0; i < 9; i++) {
      expect(r.state.status).toBe('waiting');
      r = step(waiting, r.state, { type: 'result', at: T0 + i, step: r.state.waiting!.step, result: {} }, { maxPureSteps: 4 });
    }
    expect(r.state).toMatchObject({ status: 'completed', vars: { n: 10 } });
  });
});

describe('step: failures become state', () => {
  it('a chosen outcome without an edge fails, naming node and outcome', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'b', type: 'branch', params: { condition: false } },
          { id: 'done', type: 'end' },
        ],
        [
          ['start', 'next', 'b'],
          ['b', 'true', 'done'],
        ],
      ),
    );
    const r = begin(sc);
    expect(r.state).toEqual({
      status: 'failed',
      vars: {},
      steps: 2,
      startedAt: T0,
      endedAt: T0,
      error: { nodeId: 'b', message: 'node "b" has no edge for outcome "false"' },
    });
    expect(r.trace.map((t) => [t.nodeId, t.outcome])).toEqual([
      ['start', 'next'],
      ['b', 'false'],
    ]);
  });

  it('an error outcome without an edge fails the same way', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'd', type: 'dialCustomer', params: { number: '' } },
          { id: 'done', type: 'end' },
        ],
        [
          ['start', 'next', 'd'],
          ['d', 'answered', 'done'],
        ],
      ),
    );
    const r = begin(sc);
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'd', message: 'node "d" has no edge for outcome "failed"' });
    expect(r.state.vars.lastError).toBe('"number" is empty or not text: ""');
  });

  it('an expression that throws in a pure node fails the execution', () => {
    const sc = scenario(
      [
        { id: 'start', type: 'start' },
        { id: 'b', type: 'branch', params: { condition: { map: [[1], { nope: 1 }] } } },
        { id: 'done', type: 'end' },
      ],
      [
        ['start', 'next', 'b'],
        ['b', 'true', 'done'],
        ['b', 'false', 'done'],
      ],
    );
    const r = begin(sc);
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'b', message: 'Unrecognized operation nope' });
  });

  it.each<[string, unknown, string]>([
    ['sql', { ok: true }, 'invalid sql result: '],
    ['sql', null, 'invalid sql result: '],
    ['sql', { ok: true, rows: 'many', rowCount: 1 }, 'invalid sql result: '],
  ])('an invalid %s result (%j) fails the execution with a clear message', (_kind, bad, prefix) => {
    const first = begin(pipeline);
    const r = result(pipeline, first, bad);
    expect(r.state.status).toBe('failed');
    expect(r.state.error?.nodeId).toBe('q');
    expect(r.state.error?.message.startsWith(prefix)).toBe(true);
    expect(r.state.error!.message.length).toBeGreaterThan(prefix.length);
    expect(r.state.endedAt).toBe(T1);
    expect(r.effects).toEqual([]);
    expect(r.trace).toEqual([]);
  });

  it('an invalid call outcome names the outcomes it expected', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          { id: 'c', type: 'callOperator', params: { operator: '101' } },
          { id: 'done', type: 'end' },
        ],
        [
          ['start', 'next', 'c'],
          ['c', 'answered', 'done'],
        ],
      ),
    );
    const r = result(sc, begin(sc), { outcome: 'maybe' });
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'c', message: 'invalid call result: Invalid option: expected one of "answered"|"busy"|"noAnswer"|"failed"' });
  });

  it('a result for a node that no longer exists fails the execution', () => {
    const first = begin(pipeline);
    const v2 = { ...pipeline, nodes: pipeline.nodes.filter((n) => n.id !== 'q'), edges: pipeline.edges.filter((e) => e.target !== 'q' && e.source !== 'q') };
    const r = step(v2, first.state, { type: 'result', at: T1, step: 5, result: { ok: true, rows: [], rowCount: 0 } });
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'q', message: 'node "q" no longer exists in this scenario version' });
  });
});

describe('step: inputs and variables', () => {
  const withInputs = (inputs: unknown[], variables?: unknown[]) =>
    valid(
      scenario(
        [
          { id: 'start', type: 'start', params: { inputs: inputs as never } },
          { id: 'done', type: 'end' },
        ],
        [['start', 'next', 'done']],
        variables ? { variables: variables as never } : {},
      ),
    );

  it('fails when a required input is missing, naming every missing one', () => {
    const sc = withInputs([
      { name: 'tel', required: true },
      { name: 'id', required: true },
      { name: 'note', required: false },
    ]);
    const r = begin(sc, {});
    expect(r).toEqual({
      state: { status: 'failed', vars: {}, steps: 0, startedAt: T0, endedAt: T0, error: { nodeId: 'start', message: 'missing required input "tel", "id"' } },
      effects: [],
      trace: [],
    });
    expect(begin(sc, { id: 1 }).state.error?.message).toBe('missing required input "tel"');
    expect(begin(sc, { tel: '5550001', id: 1 }).state.status).toBe('completed');
  });

  it('a required input given as null is present', () => {
    const r = begin(withInputs([{ name: 'tel', required: true }]), { tel: null });
    expect(r.state.status).toBe('completed');
    expect(r.state.vars).toEqual({ tel: null });
  });

  it('applies scenario variable defaults, then start input defaults, then the given inputs', () => {
    const sc = withInputs(
      [{ name: 'retries', default: 3 }, { name: 'tel', required: true, default: '000' }, { name: 'mode' }],
      [{ name: 'retries', default: 1 }, { name: 'status', type: 'number', default: 10 }, { name: 'untouched' }],
    );
    expect(begin(sc).state.vars).toEqual({ retries: 3, tel: '000', status: 10 });
    expect(begin(sc, { retries: 0, tel: '5550001', mode: 'fast' }).state.vars).toEqual({ retries: 0, tel: '5550001', status: 10, mode: 'fast' });
  });

  it('lets expressions read $now (the event time) without storing it', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          set('stamp', [{ name: 'at', value: { var: '$now' } }]),
          { id: 'w', type: 'wait', params: { until: { '+': [{ var: '$now' }, 60_000] } } },
          set('stamp2', [{ name: 'later', value: { '-': [{ var: '$now' }, { var: 'at' }] } }]),
          { id: 'done', type: 'end' },
        ],
        [
          ['start', 'next', 'stamp'],
          ['stamp', 'next', 'w'],
          ['w', 'next', 'stamp2'],
          ['stamp2', 'next', 'done'],
        ],
      ),
    );
    const a = begin(sc);
    expect(a.state.vars).toEqual({ at: T0 });
    expect(a.effects[0]!.effect).toEqual({ kind: 'timer', wakeAt: T0 + 60_000 });
    expect(a.trace[1]!.changed).toEqual({ at: T0 });
    const b = result(sc, a, {}, T0 + 61_000);
    expect(b.state.vars).toEqual({ at: T0, later: 61_000 });
    expect(Object.keys(b.state.vars)).not.toContain('$now');
  });
});

describe('step: purity', () => {
  it('never mutates the scenario, the state or the event, and returns new objects', () => {
    const sc = deepFreeze(
      valid(
        scenario(
          [
            { id: 'start', type: 'start', params: { inputs: [{ name: 'sub', default: { tel: '555', tags: ['a'] } }] } },
            set('more', [
              { name: 'count', value: { '+': [{ var: 'count' }, 1] } },
              { name: 'tags', value: { merge: [{ var: 'sub.tags' }, 'b'] } },
            ]),
            { id: 'f', type: 'showForm', params: { title: 'T', fields: [{ name: 'note', label: 'N', type: 'text', default: { var: 'sub.tel' } }] } },
            { id: 'done', type: 'end', params: { result: { var: 'note' } } },
          ],
          [
            ['start', 'next', 'more'],
            ['more', 'next', 'f'],
            ['f', 'submitted', 'done'],
          ],
          {
            variables: [
              { name: 'count', default: 0 },
              { name: 'list', default: [1, 2] },
            ],
          },
        ),
      ),
    );
    const scBefore = structuredClone(sc);

    const input: Record<string, Json> = deepFreeze({ sub: { tel: '777', tags: ['x'] } });
    const a = begin(sc, input);
    expect(a.state.status).toBe('waiting');
    expect(a.state.vars).toEqual({ count: 1, list: [1, 2], sub: { tel: '777', tags: ['x'] }, tags: ['x', 'b'] });
    deepFreeze(a);
    const aBefore = structuredClone(a);

    const event = deepFreeze({ type: 'result', at: T1, step: a.state.waiting!.step, result: { submitted: { note: 'hello' } } } as const);
    const b = step(sc, a.state, event);
    expect(b.state.status).toBe('completed');
    expect(b.state.result).toBe('hello');
    expect(b.state).not.toBe(a.state);
    expect(b.state.vars).not.toBe(a.state.vars);
    expect(a).toEqual(aBefore);

    const c = step(sc, a.state, { type: 'cancel', at: T1 });
    expect(c.state.status).toBe('cancelled');
    expect(c.state).not.toBe(a.state);
    expect(a).toEqual(aBefore);
    expect(sc).toEqual(scBefore);
    expect(input).toEqual({ sub: { tel: '777', tags: ['x'] } });
  });

  it('gives the same result for the same inputs', () => {
    const one = begin(pipeline);
    const two = begin(pipeline);
    expect(two).toEqual(one);
    expect(result(pipeline, one, { ok: true, rows: [{ x: 1 }], rowCount: 1 })).toEqual(result(pipeline, two, { ok: true, rows: [{ x: 1 }], rowCount: 1 }));
  });
});

describe('variables named like JavaScript object members', () => {
  it('treats "constructor" and "__proto__" as ordinary variables', () => {
    const sc = scenario(
      [
        { id: 's', type: 'start' },
        {
          id: 'a',
          type: 'setVariables',
          params: {
            assign: [
              { name: 'c', value: { var: 'constructor' } },
              { name: '__proto__', value: { merge: [1] } },
              { name: 'd', value: { var: '__proto__' } },
            ],
          },
        },
        { id: 'e', type: 'end' },
      ],
      [
        ['s', 'next', 'a'],
        ['a', 'next', 'e'],
      ],
    );
    const r = step(sc, undefined, { type: 'start', at: T0 });
    expect(JSON.stringify(r.state.vars)).toBe('{"c":null,"__proto__":[1],"d":[1]}');
    expect(JSON.stringify(r.trace[1]!.changed)).toBe('{"c":null,"__proto__":[1],"d":[1]}');
  });
});

describe('step: retrying from a step of an earlier run', () => {
  const withInput = valid(
    scenario(
      [
        {
          id: 'start',
          type: 'start',
          params: {
            inputs: [
              { name: 'n', type: 'number', required: true },
              { name: 'tag', default: 'x' },
            ],
          },
        },
        set('double', [{ name: 'd', value: { '*': [{ var: 'n' }, 2] } }]),
        { id: 'q', type: 'sql', params: { query: 'select :d', params: { d: { var: 'd' } }, result: 'first', into: 'row' } },
        set('after', [{ name: 'd', value: { '+': [{ var: 'd' }, 1] } }]),
        { id: 'done', type: 'end', params: { result: { cat: [{ var: 'tag' }, { var: 'd' }] } } },
      ],
      [
        ['start', 'next', 'double'],
        ['double', 'next', 'q'],
        ['q', 'ok', 'after'],
        ['after', 'next', 'done'],
      ],
      { variables: [{ name: 'seen', default: 0 }] },
    ),
  );

  it('knows the variables before any step from the input and the trace', () => {
    expect({ ...initialVariables(withInput, { n: 4 }).vars }).toEqual({ seen: 0, n: 4, tag: 'x' });
    expect(initialVariables(withInput, {}).missing).toEqual(['n']);
    const first = begin(withInput, { n: 4 });
    const second = result(withInput, first, { ok: true, rows: [{ d: 8 }], rowCount: 1 });
    const trace = [...first.trace, ...second.trace];
    const initial = initialVariables(withInput, { n: 4 }).vars;
    expect(variablesBefore(initial, trace, 3)).toEqual({ seen: 0, n: 4, tag: 'x', d: 8 });
    expect(variablesBefore(initial, trace, 4)).toEqual({ seen: 0, n: 4, tag: 'x', d: 8, row: { d: 8 } });
    expect(variablesBefore(initial, trace, 5)).toEqual({ seen: 0, n: 4, tag: 'x', d: 9, row: { d: 8 } });
    expect(initial).toEqual({ seen: 0, n: 4, tag: 'x' }); // not changed by those
  });

  it('starts at the given node with the given variables, numbering steps from 1', () => {
    const r = step(withInput, undefined, { type: 'start', at: T1, from: { nodeId: 'q', vars: { n: 4, tag: 'y', d: 8 } } });
    expect(r.state).toEqual({
      status: 'waiting',
      vars: { n: 4, tag: 'y', d: 8 },
      steps: 1,
      waiting: { nodeId: 'q', step: 1, kind: 'sql', since: T1 },
      startedAt: T1,
    });
    expect(r.effects).toEqual([{ step: 1, nodeId: 'q', effect: { kind: 'sql', query: 'select :d', params: { d: 8 }, result: 'first' } }]);
    const end = result(withInput, r, { ok: true, rows: [], rowCount: 0 }, T2);
    expect(end.state).toMatchObject({ status: 'failed', error: { nodeId: 'q', message: 'node "q" has no edge for outcome "empty"' } });
    const missing = step(withInput, undefined, { type: 'start', at: T1, from: { nodeId: 'gone', vars: {} } });
    expect(missing.state).toMatchObject({ status: 'failed', error: { nodeId: 'gone', message: 'node "gone" does not exist' } });
  });
});

describe('step: variables that hold all the variables', () => {
  it('stores {"var": ""} as the variables are at that moment, never as the live set that would then hold itself', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          set('set', [
            { name: 'b', value: 1 },
            { name: 'all', value: { var: '' } },
            { name: 'list', value: { merge: [[{ var: '' }], 2] } },
            { name: 'b', value: 2 },
          ]),
          { id: 'end', type: 'end', params: { result: { var: 'all' } } },
        ],
        [
          ['start', 'next', 'set'],
          ['set', 'next', 'end'],
        ],
      ),
    );
    const r = begin(sc);
    expect(r.state.status).toBe('completed');
    // Before, the state held a cycle: JSON.stringify failed and the step could never be committed.
    const stored = JSON.parse(JSON.stringify(r.state)) as typeof r.state;
    // `$now` is read, never stored: not in a copy of the variables either.
    expect(stored.vars).toEqual({ b: 2, all: { b: 1 }, list: [{ b: 1, all: { b: 1 } }, 2] });
    expect(stored.result).toEqual({ b: 1 });
  });
});

describe('step: error messages', () => {
  it('keeps an error message storable: cut to 2,000 characters, text the database refuses replaced, also when each error quotes the last', () => {
    // setStatus's error quotes its request: looping on "error" made lastError grow without end.
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 's' }] } },
          { id: 'n0', type: 'setStatus', params: { table: 'a', idColumn: 'a', id: { var: 's' }, status: { var: 'lastError' } } } as ScenarioNode,
        ],
        [
          ['start', 'next', 'n0'],
          ['n0', 'error', 'n0'],
        ],
      ),
    );
    const r = begin(sc, { s: 'x' });
    expect(r.state.error?.message).toMatch(/^runaway: more than 10000 nodes visited/);
    const last = r.state.vars.lastError as string;
    expect(last.length).toBeLessThan(2_100);
    expect(last).toMatch(/… \([\d,]+ characters in all\)$/);
    expect(r.trace.every((t) => (t.error ?? '').length < 2_100)).toBe(true);
  });
});

describe('step: variable size', () => {
  it('measures a value that shares its parts once per part: [a, a] in a loop fails when its JSON would be too large, without walking every path', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          set('init', [{ name: 'a', value: 'leaf' }]),
          set('pair', [{ name: 'a', value: [{ var: 'a' }, { var: 'a' }] }]),
          { id: 'again', type: 'branch', params: { condition: true } },
        ],
        [
          ['start', 'next', 'init'],
          ['init', 'next', 'pair'],
          ['pair', 'next', 'again'],
          ['again', 'true', 'pair'],
        ],
      ),
    );
    const r = begin(sc);
    expect(r.state.error).toEqual({ nodeId: 'pair', message: 'variable "a" would take more than 16 million characters: keep data that big in the database' });
  });

  it('fails the node that would make a variable larger than the limit, naming it', () => {
    const sc = valid(
      scenario(
        [
          { id: 'start', type: 'start' },
          set('init', [{ name: 's', value: 'x'.repeat(100) }]),
          set('double', [{ name: 's', value: { cat: [{ var: 's' }, { var: 's' }] } }]),
          { id: 'again', type: 'branch', params: { condition: true } },
        ],
        [
          ['start', 'next', 'init'],
          ['init', 'next', 'double'],
          ['double', 'next', 'again'],
          ['again', 'true', 'double'],
        ],
      ),
    );
    const r = begin(sc);
    expect(r.state.status).toBe('failed');
    expect(r.state.error).toEqual({ nodeId: 'double', message: 'variable "s" would take more than 16 million characters: keep data that big in the database' });
    // The last value that fit is what the execution keeps.
    expect((r.state.vars.s as string).length).toBe(100 * 2 ** 17);
  });
});

describe('step: text the database cannot store (NUL, an unpaired surrogate)', () => {
  const cannot = (what: string, where = 'in a string') => `${what} contains a NUL character or an unpaired surrogate ${where}, which the database cannot store`;
  const withNode = (node: ScenarioNode, outcome = 'next') =>
    valid(
      scenario(
        [{ id: 'start', type: 'start', params: { inputs: [{ name: 's' }] } }, node, { id: 'end', type: 'end' }],
        [
          ['start', 'next', node.id],
          [node.id, outcome, 'end'],
        ],
      ),
    );

  it('fails the node that would store it in a variable, a request or the result, naming what, instead of a commit that would fail for ever', () => {
    const run = (node: ScenarioNode, outcome?: string) => begin(withNode(node, outcome), { s: 'a\u0000b' });
    expect(run(set('copy', [{ name: 't', value: { var: 's' } }])).state.error).toEqual({ nodeId: 'copy', message: cannot('variable "t"') });
    expect(run(set('nest', [{ name: 't', value: { merge: [[1], [{ var: 's' }]] } }])).state.error?.message).toBe(cannot('variable "t"'));
    // A query's parameters: its error outcome (here without an edge, so the execution fails on that).
    const q = run({ id: 'q', type: 'sql', params: { query: 'select :s', params: { s: { var: 's' } } } } as ScenarioNode, 'ok');
    expect(q.effects).toEqual([]);
    expect(q.state.vars.lastError).toBe(cannot('the request'));
    const end = begin(
      valid(
        scenario(
          [
            { id: 'start', type: 'start', params: { inputs: [{ name: 's' }] } },
            { id: 'end', type: 'end', params: { result: { var: 's' } } },
          ],
          [['start', 'next', 'end']],
        ),
      ),
      { s: 'a\u0000b' },
    );
    expect(end.state.error).toEqual({ nodeId: 'end', message: cannot('the result') });
  });

  it('catches half an emoji cut by substr', () => {
    const r = begin(withNode(set('cut', [{ name: 'first', value: { substr: [{ var: 's' }, 0, 1] } }])), { s: '😀 Anna' });
    expect(r.state.error).toEqual({ nodeId: 'cut', message: cannot('variable "first"') });
  });
});

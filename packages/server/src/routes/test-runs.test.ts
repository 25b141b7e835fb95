import { createScratchDatabase, type Database } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { TestRunWorkers } from '@tellflow/runtime/test-run';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConcurrencyGate } from '../http/gate.ts';
import { doc, useServer } from '../test-support.ts';

// Runs go to worker threads, which load their code and open a database first: seconds, many more on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

/** Doubles its input after a minute: published on the server, run by `desk`. */
const child = doc(
  'child',
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'n' }] } },
    { id: 'pause', type: 'wait', params: { seconds: 60 } },
    { id: 'end', type: 'end', params: { result: { '*': [{ var: 'n' }, 2] } } },
  ],
  [
    ['start:next', 'pause'],
    ['pause:next', 'end'],
  ],
  { kind: 'sub' },
);

/** Looks the caller up in a table setupSql makes, dials them, asks for a score, doubles it in `child`. */
const desk = doc(
  'desk',
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'tel', required: true }] } },
    {
      id: 'lookup',
      type: 'sql',
      params: { query: 'select name from customers where tel = :tel', params: { tel: { var: 'tel' } }, result: 'first', into: 'row' },
    },
    { id: 'dial', type: 'dialCustomer', params: { number: { var: 'tel' } } },
    { id: 'survey', type: 'showForm', params: { title: 'Survey', fields: [{ name: 'score', label: 'Score', type: 'number', required: true }] } },
    { id: 'double', type: 'runScenario', params: { scenario: 'child', inputs: { n: { var: 'score' } }, into: 'answer' } },
    { id: 'end', type: 'end', params: { result: { cat: [{ var: 'row.name' }, ':', { var: 'answer' }] } } },
    { id: 'busy', type: 'end', params: { result: 'busy' } },
    { id: 'unknown', type: 'end', params: { status: 'failed', reason: 'unknown caller' } },
  ],
  [
    ['start:next', 'lookup'],
    ['lookup:ok', 'dial'],
    ['lookup:empty', 'unknown'],
    ['dial:answered', 'survey'],
    ['dial:busy', 'busy'],
    ['survey:submitted', 'double'],
    ['double:done', 'end'],
  ],
);

const SETUP = `create table customers (tel text primary key, name text not null);
insert into customers values ('+15550100', 'Ada'), ('+15550199', 'Grace');`;
const INPUT = { tel: '+15550100' };

/** Runs forever: a loop through a wait. */
const forever = doc(
  'forever',
  [
    { id: 'start', type: 'start' },
    { id: 'tick', type: 'wait', params: { seconds: 60 } },
  ],
  [
    ['start:next', 'tick'],
    ['tick:next', 'tick'],
  ],
);

describe.each(DATABASE_KINDS)('test runs on %s', (kind) => {
  // The product's 10 s of real time per run is what a loaded CI machine can take for a whole run; the limit has tests of its own below.
  const { h, skip } = useServer(kind, { testRunWallMs: 120_000 });
  const testRun = (body: Record<string, unknown>, as: 'admin' | 'supervisor' = 'supervisor') => h().call('POST', '/api/scenarios/test-run', { as, body });

  it.skipIf(skip)('stops at a form without an answer, then runs to the end with it: timeline, variables, effects, child steps', async () => {
    expect((await h().importScenario(child)).status).toBe(201);

    const first = await testRun({ scenario: desk, input: INPUT, setupSql: SETUP });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'needsAnswer', result: null, errorNodeId: 'survey', unusedAnswers: [] });
    expect(first.body.error).toMatch(/^no answer for the form "Survey" at node "survey"/);
    expect(first.body.pendingForm).toEqual({
      nodeId: 'survey',
      scenarioId: 'desk',
      form: { kind: 'form', title: 'Survey', fields: [{ name: 'score', label: 'Score', type: 'number', required: true, readOnly: false, value: null }] },
    });
    expect(first.body.sandbox).toMatch(/throwaway in-memory database/);
    const [start, lookup, dial] = first.body.trace;
    expect(first.body.trace.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'lookup', 'dial']);
    expect(start).toMatchObject({
      index: 0,
      depth: 0,
      scenarioId: 'desk',
      version: 1,
      step: 1,
      type: 'start',
      outcome: 'next',
      at: 0,
      vars: INPUT,
      effect: null,
    });
    expect(lookup).toMatchObject({ outcome: 'ok', changed: { row: { name: 'Ada' } }, vars: { ...INPUT, row: { name: 'Ada' } } });
    expect(lookup.effect).toMatchObject({ kind: 'sql', status: 'done', result: { ok: true, rowCount: 1, rows: [{ name: 'Ada' }] } });
    expect(lookup.effect.summary).toBe('sql select name from customers where tel = :tel with {"tel":"+15550100"} → 1 row');
    expect(dial).toMatchObject({ outcome: 'answered', at: 0, effect: { kind: 'dial', summary: 'dial +15550100 → answered' } });

    const second = await testRun({ scenario: desk, input: INPUT, setupSql: SETUP, answers: { survey: { score: 21 } } });
    expect(second.body).toMatchObject({ status: 'completed', result: 'Ada:42', error: null, errorNodeId: null, pendingForm: null });
    expect(second.body.trace.map((s: { scenarioId: string; nodeId: string; depth: number; at: number }) => [s.depth, s.scenarioId, s.nodeId, s.at])).toEqual([
      [0, 'desk', 'start', 0],
      [0, 'desk', 'lookup', 0],
      [0, 'desk', 'dial', 0],
      [0, 'desk', 'survey', 2_000],
      [0, 'desk', 'double', 2_000],
      [1, 'child', 'start', 2_000],
      [1, 'child', 'pause', 2_000],
      [1, 'child', 'end', 62_000],
      [0, 'desk', 'end', 62_000],
    ]);
    const survey = second.body.trace[3];
    expect(survey.effect.summary).toBe('form "Survey" → submitted {"score":21}');
    expect(second.body.trace[4].effect.summary).toBe('run child → done 42');
    expect(second.body.trace[8].vars).toMatchObject({ score: 21, answer: 42 });
    expect(second.body.simulatedMs).toBe(62_000);

    // Nothing of it reached the server's database: no table, no execution.
    const { rows } = await h().t.db.query<{ t: string | null; n: number }>(
      `select to_regclass('customers')::text as t, (select count(*)::int from executions) as n`,
    );
    expect(rows[0]).toEqual({ t: null, n: 0 });
  });

  it.skipIf(skip)('follows the simulator rules and the limits', async () => {
    await h().importScenario(child);
    const busy = await testRun({
      scenario: desk,
      input: INPUT,
      setupSql: SETUP,
      sim: { customers: { rules: [{ match: '+1555*', outcome: 'busy', afterMs: 3000 }] } },
    });
    expect(busy.body).toMatchObject({ status: 'completed', result: 'busy' });
    expect(busy.body.trace.map((s: { nodeId: string; at: number }) => [s.nodeId, s.at])).toEqual([
      ['start', 0],
      ['lookup', 0],
      ['dial', 0],
      ['busy', 3_000],
    ]);
    // No setupSql: the table is not there, the sql node takes its error outcome (no edge: the execution fails there).
    const noTable = await testRun({ scenario: desk, input: INPUT });
    expect(noTable.body).toMatchObject({ status: 'failed', errorNodeId: 'lookup' });

    const steps = await testRun({ scenario: forever, maxSteps: 10 });
    expect(steps.body.status).toBe('stopped');
    expect(steps.body.error).toMatch(/^stopped after 1\d steps, more than maxSteps 10/);
    const hours = await testRun({ scenario: forever, maxHours: 1 });
    expect(hours.body).toMatchObject({ status: 'stopped', error: 'stopped at the simulated time limit of 1 h (maxHours): the executions were still waiting' });
    // The last wait it finished began at 59 min and ended at the hour.
    expect(hours.body.trace.at(-1).at).toBe(3_540_000);
  });

  it.skipIf(skip)('refuses what cannot run, naming the problem: 422 for the scenario, 400 for sim, answers, setup and input', async () => {
    const invalid = await testRun({ scenario: { ...desk, edges: [...(desk.edges as object[]), { source: 'dial', sourceHandle: 'maybe', target: 'end' }] } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.issues).toEqual([expect.objectContaining({ severity: 'error', nodeId: 'dial', path: 'edges[7].sourceHandle' })]);
    const missingChild = await testRun({ scenario: desk, input: INPUT });
    expect([missingChild.status, missingChild.body.error]).toEqual([422, 'a scenario it runs: scenario "child" not found']);

    await h().importScenario(child);
    const sim = await testRun({ scenario: desk, input: INPUT, sim: { customers: { rules: [{ match: '+1*', outcome: 'maybe' }] } } });
    expect(sim.status).toBe(400);
    expect(sim.body.error).toMatch(/^sim: invalid simulator rules file:\n {2}- customers\.rules\[0\]\.outcome: /);
    const answers = await testRun({ scenario: desk, input: INPUT, answers: { survey: 5 } });
    expect([answers.status, answers.body.error]).toEqual([
      400,
      'answers the answer for "survey" must be an object of field values (null: no answer, the form times out), or a list of them',
    ]);
    const setup = await testRun({ scenario: desk, input: INPUT, setupSql: 'create table customers (' });
    expect([setup.status, setup.body.error]).toEqual([400, 'setupSql failed: syntax error at end of input']);
    const input = await testRun({ scenario: desk });
    expect([input.status, input.body.error]).toEqual([400, 'missing required input "tel"']);
    const shape = await testRun({ scenario: desk, maxSteps: 0 });
    expect([shape.status, shape.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['maxSteps']]);
  });

  it.skipIf(skip)("runs a version's test cases: each passes or says what differed", async () => {
    await h().importScenario(child);
    const tested = {
      ...desk,
      tests: [
        {
          name: 'a known caller',
          input: INPUT,
          setupSql: SETUP,
          answers: { survey: { score: 2 } },
          expect: { path: ['start', 'lookup', 'dial', 'survey', 'double', 'end'], result: 'Ada:4' },
        },
        {
          name: 'busy',
          input: INPUT,
          setupSql: SETUP,
          sim: { customers: { rules: [{ match: '+1555*', outcome: 'busy' }] } },
          expect: { path: ['start', 'lookup', 'dial', 'busy'], result: 'busy' },
        },
        {
          name: 'wrong guess',
          input: { tel: '+15550199' },
          setupSql: SETUP,
          answers: { survey: { score: 1 } },
          expect: { path: ['start', 'lookup', 'busy'], result: 'Ada:2' },
        },
        { name: 'no answer', input: INPUT, setupSql: SETUP, expect: {} },
      ],
    };
    expect((await h().importScenario(tested, false)).status).toBe(201);
    const r = await h().call('POST', '/api/scenarios/desk/tests/run', { as: 'supervisor', body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ scenarioId: 'desk', version: 1, passed: 2, failed: 2 });
    expect(r.body.tests.map((t: { name: string; passed: boolean; failures: string[] }) => [t.name, t.passed, t.failures])).toEqual([
      ['a known caller', true, []],
      ['busy', true, []],
      [
        'wrong guess',
        false,
        [
          'expected path start → lookup → busy, got start → lookup → dial → survey → double → end (they part at step 3: expected "busy", got "dial")',
          'expected result "Ada:2", got "Grace:2"',
        ],
      ],
      ['no answer', false, [expect.stringMatching(/^expected status completed, got needsAnswer \(no answer for the form "Survey"/)]],
    ]);
    expect(r.body.tests[0].run.trace).toHaveLength(9);

    // The published version (none of its tests) and an unknown scenario.
    await h().call('PUT', '/api/scenarios/desk/draft', { as: 'admin', body: desk });
    const v2 = await h().call('POST', '/api/scenarios/desk/tests/run', { as: 'admin', body: { version: 2 } });
    expect(v2.body).toEqual({ scenarioId: 'desk', version: 2, passed: 0, failed: 0, tests: [] });
    expect((await h().call('POST', '/api/scenarios/nope/tests/run', { as: 'admin', body: {} })).status).toBe(404);
  });
});

describe.each(DATABASE_KINDS)('test run limits on %s', (kind) => {
  // Real time is read from this clock: each reading is a second later.
  let wallNow = 0;
  let release: () => void = () => {};
  let held: Promise<void> = Promise.resolve();
  let entered: () => void = () => {};
  const { h, skip } = useServer(kind, {
    testRunWorkers: null,
    testRunWallMs: 30_000,
    testRunWallClock: () => (wallNow += 1_000),
    testRunGate: new ConcurrencyGate(1, 0, 'the server is busy with other test runs; try again in a moment'),
    testRunSandbox: async (): Promise<Database> => {
      entered();
      await held;
      return createScratchDatabase();
    },
  });

  it.skipIf(skip)('a run stops at its real-time limit', async () => {
    const r = await h().call('POST', '/api/scenarios/test-run', { as: 'admin', body: { scenario: forever, maxSteps: 10_000 } });
    expect(r.body).toMatchObject({ status: 'stopped', error: 'stopped at the time limit of 30000 ms of real time a run may take' });
  });

  it.skipIf(skip)('one run at a time with this gate: another is answered 503 while it runs', async () => {
    held = new Promise<void>((resolve) => (release = resolve));
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = h().call('POST', '/api/scenarios/test-run', { as: 'admin', body: { scenario: forever, maxSteps: 5 } });
    // The second asks once the first holds the gate (on a busy machine it could otherwise get there first).
    await inside;
    const second = await h().call('POST', '/api/scenarios/test-run', { as: 'admin', body: { scenario: forever, maxSteps: 5 } });
    expect([second.status, second.body.error, second.headers.get('retry-after')]).toEqual([
      503,
      'the server is busy with other test runs; try again in a moment',
      '1',
    ]);
    release();
    expect((await first).body.status).toBe('stopped');
    held = Promise.resolve();
  });
});

describe.each(DATABASE_KINDS)('test runs in worker threads on %s', (kind) => {
  // A pool of one worker, cut off five seconds after a run's limit of one second.
  const workers = new TestRunWorkers(1, 5_000);
  const { h, skip } = useServer(kind, { testRunWorkers: workers, testRunWallMs: 1_000 });
  afterAll(() => workers.close());

  it.skipIf(skip)('a statement that does not finish holds only its worker: the server answers meanwhile, the run is cut off, the next run works', async () => {
    const endless = 'select count(*) from generate_series(1, 100000000) a, generate_series(1, 100000000) b';
    const stuck = h().call('POST', '/api/scenarios/test-run', { as: 'admin', body: { scenario: forever, setupSql: endless, maxSteps: 5 } });
    // Answered while the worker is busy with the statement.
    await new Promise((r) => setTimeout(r, 200));
    expect((await h().call('GET', '/api/health')).status).toBe(200);
    const r = await stuck;
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'stopped',
      trace: [],
      error: expect.stringMatching(/^stopped at the time limit of 1000 ms .* in the middle of a statement/),
    });

    // A fresh worker: this run stops at its step limit (or, on a very busy machine, its own time limit), with its trace.
    const next = await h().call('POST', '/api/scenarios/test-run', { as: 'admin', body: { scenario: forever, maxSteps: 3 } });
    expect(next.body).toMatchObject({ status: 'stopped', error: expect.not.stringMatching(/in the middle of a statement/) });
    expect(next.body.trace[0]).toMatchObject({ nodeId: 'start', outcome: 'next' });
  });
});

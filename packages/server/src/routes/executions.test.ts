import { DATABASE_KINDS } from '@tellflow/db/testing';
import { installBundled } from '@tellflow/runtime';
import { describe, expect, it } from 'vitest';
import { doc, useServer } from '../test-support.ts';

/** start (batch: number, required) → double → end with the doubled batch. */
const doubler = doc(
  'doubler',
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'batch', type: 'number', required: true }] } },
    { id: 'double', type: 'setVariables', params: { assign: [{ name: 'd', value: { '*': [{ var: 'batch' }, 2] } }] } },
    { id: 'end', type: 'end', params: { result: { var: 'd' } } },
  ],
  [
    ['start:next', 'double'],
    ['double:next', 'end'],
  ],
);

describe.each(DATABASE_KINDS)('executions API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('a retry checks the input as start does: 400 naming a missing required input; `input` gives it anew', async () => {
    await h().importScenario(doubler);
    // As a service task started it before tasks were checked: no input, so it failed at its start node.
    const { rows } = await h().t.db.query<{ id: string }>(
      `insert into executions (scenario_id, version, status, input, run_at, created_at, updated_at) values ('doubler', 1, 'running', '{}', $1, $1, $1) returning id`,
      [new Date(h().clock.now())],
    );
    const id = rows[0]!.id;
    await h().runtime.drain();
    expect((await h().call('GET', `/api/executions/${id}`, { as: 'admin' })).body).toMatchObject({ status: 'failed', error: 'missing required input "batch"' });

    const refused = await h().call('POST', `/api/executions/${id}/retry`, { as: 'supervisor', body: {} });
    expect([refused.status, refused.body.error]).toEqual([400, `cannot retry execution "${id}": missing required input "batch"`]);
    const wrong = await h().call('POST', `/api/executions/${id}/retry`, { as: 'supervisor', body: { input: { batch: 'ten' } } });
    expect([wrong.status, wrong.body.error]).toEqual([400, `cannot retry execution "${id}": invalid input "batch" must be a number, not "ten"`]);
    const notAnObject = await h().call('POST', `/api/executions/${id}/retry`, { as: 'supervisor', body: { input: [1] } });
    expect(notAnObject.status).toBe(400);
    expect((await h().call('GET', '/api/executions?scenarioId=doubler', { as: 'admin' })).body.executions).toHaveLength(1);

    const retried = await h().call('POST', `/api/executions/${id}/retry`, { as: 'supervisor', body: { input: { batch: 4 } } });
    expect(retried.status).toBe(201);
    await h().runtime.drain();
    const x = await h().call('GET', `/api/executions/${retried.body.id}`, { as: 'admin' });
    expect(x.body).toMatchObject({ status: 'completed', result: 8, retryOf: id, input: { batch: 4 } });
    // What a replay needs to show each step's variables: a retry's starting ones (a fresh start's come from its version and input).
    expect(x.body.startVars).toMatchObject({ batch: 4 });
    expect((await h().call('GET', `/api/executions/${id}`, { as: 'admin' })).body.startVars).toBeNull();
  });

  it.skipIf(skip)('the list leaves out idle service-task executions unless asked (idle=include|only) and counts those it leaves out', async () => {
    await installBundled(h().runtime);
    const enabled = await h().call('PATCH', '/api/service-tasks/callback-monitor', { as: 'admin', body: { enabled: true } });
    expect(enabled.status).toBe(200);
    await h().clock.advance(5_000);
    await h().runtime.tick();
    await h().runtime.drain();
    await h().importScenario(doubler);
    await h().clock.advance(1_000); // newest first: a later one
    const started = await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'doubler', input: { batch: 1 } } });
    await h().runtime.drain();

    const list = await h().call('GET', '/api/executions', { as: 'supervisor' });
    expect(list.body.executions.map((x: { id: string; idle: boolean }) => [x.id, x.idle])).toEqual([[started.body.id, false]]);
    expect(list.body.idleHidden).toBe(1);
    const all = await h().call('GET', '/api/executions?idle=include', { as: 'supervisor' });
    expect(all.body.executions.map((x: { scenarioId: string; idle: boolean }) => [x.scenarioId, x.idle])).toEqual([
      ['doubler', false],
      ['callback-monitor', true],
    ]);
    expect(all.body.idleHidden).toBe(0);
    const only = await h().call('GET', '/api/executions?idle=only', { as: 'supervisor' });
    expect(only.body.executions.map((x: { scenarioId: string }) => x.scenarioId)).toEqual(['callback-monitor']);
    expect((await h().call('GET', '/api/executions?status=failed', { as: 'supervisor' })).body).toEqual({ executions: [], idleHidden: 0 });
    const bad = await h().call('GET', '/api/executions?idle=yes', { as: 'supervisor' });
    expect([bad.status, bad.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['idle']]);
  });

  it.skipIf(skip)('replays an execution step by step: its version, each step with its variables and effect, child steps after their step', async () => {
    await h().importScenario(
      doc(
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
      ),
    );
    const parent = doc(
      'parent',
      [
        { id: 'start', type: 'start', params: { inputs: [{ name: 'batch', type: 'number', required: true }] } },
        { id: 'double', type: 'setVariables', params: { assign: [{ name: 'd', value: { '*': [{ var: 'batch' }, 2] } }] } },
        { id: 'kid', type: 'runScenario', params: { scenario: 'child', inputs: { n: { var: 'd' } }, into: 'answer' } },
        { id: 'end', type: 'end', params: { result: { var: 'answer' } } },
      ],
      [
        ['start:next', 'double'],
        ['double:next', 'kid'],
        ['kid:done', 'end'],
      ],
    );
    await h().importScenario(parent);
    const started = await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'parent', input: { batch: 3 } } });
    await h().runtime.drain();

    const waiting = await h().call('GET', `/api/executions/${started.body.id}/trace`, { as: 'supervisor' });
    expect(waiting.status).toBe(200);
    expect(waiting.body.waiting).toEqual({ nodeId: 'kid', since: h().clock.now() });
    expect(waiting.body.steps.map((s: { nodeId: string; depth: number }) => [s.depth, s.nodeId])).toEqual([
      [0, 'start'],
      [0, 'double'],
      [1, 'start'],
    ]);

    await h().advance(60_000);
    const r = await h().call('GET', `/api/executions/${started.body.id}/trace`, { as: 'supervisor' });
    expect(r.body.execution).toMatchObject({
      id: started.body.id,
      scenarioId: 'parent',
      version: 1,
      status: 'completed',
      result: 12,
      taskId: null,
      scheduledBy: null,
    });
    expect(r.body.scenario).toEqual(parent);
    expect(r.body.waiting).toBeNull();
    expect(
      r.body.steps.map((s: { depth: number; scenarioId: string; nodeId: string; at: number; vars: object }) => [s.depth, s.scenarioId, s.nodeId, s.at, s.vars]),
    ).toEqual([
      [0, 'parent', 'start', 0, { batch: 3 }],
      [0, 'parent', 'double', 0, { batch: 3, d: 6 }],
      [0, 'parent', 'kid', 0, { batch: 3, d: 6, answer: 12 }],
      [1, 'child', 'start', 0, { n: 6 }],
      [1, 'child', 'pause', 0, { n: 6 }],
      [1, 'child', 'end', 60_000, { n: 6 }],
      [0, 'parent', 'end', 60_000, { batch: 3, d: 6, answer: 12 }],
    ]);
    expect(r.body.steps[2].effect).toMatchObject({
      kind: 'startChild',
      status: 'done',
      summary: 'run child → done 12',
      request: { scenario: 'child', inputs: { n: 6 } },
    });
    expect(r.body.steps[4].effect).toMatchObject({ kind: 'timer', summary: `wait until ${new Date(h().clock.now()).toISOString()} → woke` });
    expect(r.body.steps.map((s: { index: number }) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect((await h().call('GET', '/api/executions/00000000-0000-4000-8000-000000000000/trace', { as: 'admin' })).status).toBe(404);
  });

  it.skipIf(skip)('the list filters by time range, outbound task and service task', async () => {
    await h().importScenario(doubler);
    const t0 = h().clock.now();
    const insert = async (at: number, task: { taskId?: string; scheduledBy?: string } = {}) => {
      const { rows } = await h().t.db.query<{ id: string }>(
        `insert into executions (scenario_id, version, status, input, task_id, scheduled_by, created_at, updated_at) values ('doubler', 1, 'completed', '{}', $1, $2, $3, $3) returning id`,
        [task.taskId ?? null, task.scheduledBy ?? null, new Date(at)],
      );
      return rows[0]!.id;
    };
    const early = await insert(t0 - 3_600_000, { taskId: 'spring-sale' });
    const middle = await insert(t0 - 60_000, { scheduledBy: 'callback-monitor' });
    const late = await insert(t0, { taskId: 'spring-sale' });
    const ids = async (query: string) =>
      (await h().call('GET', `/api/executions?${query}`, { as: 'supervisor' })).body.executions.map((x: { id: string }) => x.id);
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    expect(await ids('')).toEqual([late, middle, early]);
    expect(await ids(`from=${iso(t0 - 60_000)}`)).toEqual([late, middle]);
    expect(await ids(`from=${iso(t0 - 3_600_000)}&to=${iso(t0)}`)).toEqual([middle, early]);
    expect(await ids('taskId=spring-sale')).toEqual([late, early]);
    expect(await ids('serviceTaskId=callback-monitor')).toEqual([middle]);
    expect(await ids(`taskId=spring-sale&scenarioId=doubler&status=completed&to=${iso(t0)}`)).toEqual([early]);
    const list = await h().call('GET', '/api/executions?taskId=spring-sale', { as: 'supervisor' });
    expect(list.body.executions[0]).toMatchObject({ taskId: 'spring-sale', scheduledBy: null });
    const bad = await h().call('GET', '/api/executions?from=yesterday', { as: 'supervisor' });
    expect([bad.status, bad.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['from']]);
  });
});

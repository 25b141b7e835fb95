import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { T0, useServer, waitingScenario } from '../test-support.ts';

const EVERY_5S = '*/5 * * * * *';
const nightly = (extra: Record<string, unknown> = {}) => ({
  id: 'nightly',
  name: 'Nightly',
  scenarioId: 'flow',
  schedule: EVERY_5S,
  input: { n: 4 },
  ...extra,
});

describe.each(DATABASE_KINDS)('service tasks API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('creates (disabled by default), lists, enables and disables, deletes', async () => {
    await h().importScenario(waitingScenario('flow'));
    const created = await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly() });
    expect(created.status).toBe(201);
    expect(created.body.task).toEqual({
      id: 'nightly',
      name: 'Nightly',
      scenarioId: 'flow',
      schedule: EVERY_5S,
      timeZone: 'UTC',
      enabled: false,
      overlap: 'skip',
      missed: 'skip',
      input: { n: 4 },
      lastPeriod: new Date(T0).toISOString(),
      updatedAt: new Date(T0).toISOString(),
    });

    const list = await h().call('GET', '/api/service-tasks', { as: 'supervisor' });
    expect(list.status).toBe(200);
    expect(list.body.tasks.map((t: { id: string }) => t.id)).toEqual(['nightly']);

    await h().clock.advance(60_000);
    const enabled = await h().call('PATCH', '/api/service-tasks/nightly', { as: 'admin', body: { enabled: true } });
    expect(enabled.status).toBe(200);
    // Enabling counts the schedule from now: the minute while it was off is not "missed".
    expect(enabled.body.task).toMatchObject({ enabled: true, lastPeriod: new Date(T0 + 60_000).toISOString(), name: 'Nightly' });
    const renamed = await h().call('PATCH', '/api/service-tasks/nightly', {
      as: 'admin',
      body: { enabled: false, name: 'Every five seconds', overlap: 'allow' },
    });
    expect(renamed.body.task).toMatchObject({ enabled: false, name: 'Every five seconds', overlap: 'allow', schedule: EVERY_5S });

    const removed = await h().call('DELETE', '/api/service-tasks/nightly', { as: 'admin' });
    expect([removed.status, removed.text]).toEqual([204, '']);
    expect((await h().call('GET', '/api/service-tasks', { as: 'admin' })).body.tasks).toEqual([]);
    expect((await h().call('DELETE', '/api/service-tasks/nightly', { as: 'admin' })).status).toBe(404);
  });

  it.skipIf(skip)('runs on its schedule and on "run now"; the runs list shows each execution\'s status', async () => {
    await h().importScenario(waitingScenario('flow'));
    await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly({ enabled: true }) });
    await h().clock.advance(5_000);
    await h().runtime.tick();
    await h().runtime.drain();

    // (A run now in the same millisecond as a period would share its key.)
    await h().clock.advance(1_000);
    const run = await h().call('POST', '/api/service-tasks/nightly/run', { as: 'supervisor' });
    expect(run.status).toBe(201);
    expect(run.body).toEqual({ executionId: expect.any(String) });
    await h().runtime.drain();
    const execution = await h().call('GET', `/api/executions/${run.body.executionId}`, { as: 'admin' });
    expect(execution.body).toMatchObject({ scenarioId: 'flow', status: 'waiting', input: { n: 4 } });

    const runs = await h().call('GET', '/api/service-tasks/nightly/runs', { as: 'supervisor' });
    expect(runs.status).toBe(200);
    expect(runs.body.runs).toEqual([
      {
        taskId: 'nightly',
        scheduledFor: new Date(T0 + 6_000).toISOString(),
        executionId: run.body.executionId,
        outcome: 'started',
        reason: 'run now',
        executionStatus: 'waiting',
      },
      {
        taskId: 'nightly',
        scheduledFor: new Date(T0 + 5_000).toISOString(),
        executionId: expect.any(String),
        outcome: 'started',
        reason: null,
        executionStatus: 'waiting',
      },
    ]);

    await h().advance(60_000);
    const later = await h().call('GET', '/api/service-tasks/nightly/runs?limit=1', { as: 'admin' });
    expect(later.body.runs).toHaveLength(1);
    expect(later.body.runs[0]).toMatchObject({ reason: 'run now', executionStatus: 'completed' });
  });

  it.skipIf(skip)('"run now" works for a disabled task; a task is only saved for a published scenario', async () => {
    await h().importScenario(waitingScenario('flow'), false);
    const unpublished = await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly() });
    expect(unpublished.status).toBe(400);
    expect(unpublished.body).toEqual({
      error: 'service task "nightly" cannot run: scenarioId: scenario "flow" has no published version',
      details: { issues: [{ severity: 'error', path: 'scenarioId', message: 'scenario "flow" has no published version' }] },
    });
    await h().call('POST', '/api/scenarios/flow/publish', { as: 'admin' });
    expect((await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly() })).status).toBe(201);
    expect((await h().call('POST', '/api/service-tasks/nightly/run', { as: 'admin' })).status).toBe(201);
  });

  it.skipIf(skip)(
    "answers 400 naming the input when the task lacks a required input of the scenario's start node, or gives one of the wrong type",
    async () => {
      const needsBatch = waitingScenario('flow');
      (needsBatch.nodes as { params: { inputs: unknown[] } }[])[0]!.params.inputs = [{ name: 'batch', type: 'number', required: true }];
      await h().importScenario(needsBatch);
      const missing = await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly({ input: {} }) });
      expect([missing.status, missing.body.error]).toEqual([
        400,
        'service task "nightly" cannot run: input.batch: required input of scenario "flow" is missing',
      ]);
      const wrong = await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly({ input: { batch: 'many' } }) });
      expect([wrong.status, wrong.body.details.issues]).toEqual([400, [{ severity: 'error', path: 'input.batch', message: 'must be a number, not "many"' }]]);
      expect((await h().call('GET', '/api/service-tasks', { as: 'admin' })).body.tasks).toEqual([]);

      expect((await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly({ input: { batch: 5 } }) })).status).toBe(201);
      const dropped = await h().call('PATCH', '/api/service-tasks/nightly', { as: 'admin', body: { input: {}, enabled: true } });
      expect([dropped.status, dropped.body.details.issues[0].path]).toEqual([400, 'input.batch']);
      expect((await h().call('GET', '/api/service-tasks', { as: 'admin' })).body.tasks).toEqual([
        expect.objectContaining({ enabled: false, input: { batch: 5 } }),
      ]);
    },
  );

  it.skipIf(skip)('answers 400 for bad tasks, 404 for unknown ones and 409 for a taken id', async () => {
    await h().importScenario(waitingScenario('flow'));
    const badSchedule = await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly({ schedule: 'every minute' }) });
    expect(badSchedule.status).toBe(400);
    expect(badSchedule.body.details.issues).toEqual([expect.objectContaining({ path: 'schedule' })]);
    const badFields = await h().call('POST', '/api/service-tasks', {
      as: 'admin',
      body: { id: 'x y', name: '', scenarioId: 'flow', schedule: EVERY_5S, colour: 'red' },
    });
    expect(badFields.status).toBe(400);
    expect(badFields.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['', 'id', 'name']);
    const ghost = await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly({ scenarioId: 'ghost' }) });
    expect(ghost.status).toBe(400);
    expect(ghost.body).toEqual({
      error: 'service task "nightly" cannot run: scenarioId: scenario "ghost" does not exist',
      details: { issues: [{ severity: 'error', path: 'scenarioId', message: 'scenario "ghost" does not exist' }] },
    });

    expect((await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly() })).status).toBe(201);
    const taken = await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly() });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('service task "nightly" already exists');

    expect((await h().call('PATCH', '/api/service-tasks/nightly', { as: 'admin', body: { scenarioId: 'ghost' } })).status).toBe(400);
    expect((await h().call('PATCH', '/api/service-tasks/nightly', { as: 'admin', body: { id: 'other' } })).status).toBe(400);
    expect((await h().call('PATCH', '/api/service-tasks/nightly', { as: 'admin', body: { timeZone: 'Mars/Olympus' } })).status).toBe(400);
    expect((await h().call('GET', '/api/service-tasks/nightly/runs?limit=0', { as: 'admin' })).status).toBe(400);

    for (const [method, path] of [
      ['PATCH', '/api/service-tasks/ghost'],
      ['DELETE', '/api/service-tasks/ghost'],
      ['POST', '/api/service-tasks/ghost/run'],
      ['GET', '/api/service-tasks/ghost/runs'],
      ['GET', '/api/service-tasks/not%20an%20id/runs'],
    ] as const) {
      const r = await h().call(method, path, { as: 'admin', ...(method === 'PATCH' ? { body: { enabled: true } } : {}) });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    // Nothing changed.
    expect((await h().call('GET', '/api/service-tasks', { as: 'admin' })).body.tasks).toEqual([
      expect.objectContaining({ id: 'nightly', scenarioId: 'flow', enabled: false }),
    ]);
  });

  it.skipIf(skip)('supervisors read and run tasks; only admins change them; agents see none', async () => {
    await h().importScenario(waitingScenario('flow'));
    expect((await h().call('POST', '/api/service-tasks', { as: 'supervisor', body: nightly() })).status).toBe(403);
    await h().call('POST', '/api/service-tasks', { as: 'admin', body: nightly() });
    expect((await h().call('PATCH', '/api/service-tasks/nightly', { as: 'supervisor', body: { enabled: true } })).status).toBe(403);
    expect((await h().call('DELETE', '/api/service-tasks/nightly', { as: 'supervisor' })).status).toBe(403);
    expect((await h().call('POST', '/api/service-tasks/nightly/run', { as: 'supervisor' })).status).toBe(201);
    expect((await h().call('GET', '/api/service-tasks/nightly/runs', { as: 'supervisor' })).body.runs).toHaveLength(1);
    for (const path of ['/api/service-tasks', '/api/service-tasks/nightly/runs']) expect((await h().call('GET', path, { as: 'agent' })).status).toBe(403);
    expect((await h().call('POST', '/api/service-tasks/nightly/run', { as: 'agent' })).status).toBe(403);
    expect((await h().call('GET', '/api/service-tasks')).status).toBe(401);
  });
});

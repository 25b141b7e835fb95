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
  it.skipIf(skip)("the list filters by time (since, before) and by task: an outbound task's executions or a service task's scheduled ones", async () => {
    await installBundled(h().runtime);
    await h().importScenario(doubler);
    const startedAt = new Date(h().clock.now());
    const first = await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'doubler', input: { batch: 1 } } });
    await h().clock.advance(60_000);
    const middle = new Date(h().clock.now());
    // An execution attached to an outbound task, as the dialer makes them.
    const { rows } = await h().t.db.query<{ id: string }>(
      `insert into executions (scenario_id, version, status, input, task_id, run_at, created_at, updated_at) values ('doubler', 1, 'running', '{"batch":2}', 'spring-campaign', $1, $1, $1) returning id`,
      [middle],
    );
    const ofTask = rows[0]!.id;
    await h().clock.advance(60_000);
    const enabled = await h().call('PATCH', '/api/service-tasks/callback-monitor', { as: 'admin', body: { enabled: true } });
    expect(enabled.status).toBe(200);
    await h().clock.advance(5_000);
    await h().runtime.tick();
    await h().runtime.drain();

    const ids = async (query: string) =>
      (await h().call('GET', `/api/executions?idle=include&${query}`, { as: 'supervisor' })).body.executions.map((x: { id: string; scenarioId: string }) =>
        x.id === first.body.id ? 'first' : x.id === ofTask ? 'task' : x.scenarioId,
      );
    expect(await ids('')).toEqual(['callback-monitor', 'task', 'first']);
    expect(await ids(`since=${middle.toISOString()}`)).toEqual(['callback-monitor', 'task']);
    expect(await ids(`since=${startedAt.toISOString()}&before=${middle.toISOString()}`)).toEqual(['first']);
    expect(await ids('task=spring-campaign')).toEqual(['task']);
    expect(await ids('task=callback-monitor')).toEqual(['callback-monitor']);
    expect(await ids('task=no-such-task')).toEqual([]);
    const bad = await h().call('GET', '/api/executions?since=yesterday', { as: 'supervisor' });
    expect([bad.status, bad.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['since']]);
  });
});

import { randomUUID } from 'node:crypto';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { installBundled } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { describe, expect, it } from 'vitest';
import { CallDesk } from '../call-desk.ts';
import { T0, useServer } from '../test-support.ts';

describe.each(DATABASE_KINDS)('calls API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  /** An outbound task for operator 101 with one subscriber, started: the dialer rings 101. */
  async function ringingTaskCall() {
    await installBundled(h().runtime);
    await h().call('POST', '/api/outbound-tasks', {
      as: 'admin',
      body: {
        id: 'spring',
        name: 'Spring',
        dialogScenarioId: 'dialog',
        routingScenarioId: 'outbound-routing',
        operatorCallScenarioId: 'operator-call',
        operators: ['101'],
      },
    });
    await h().call('POST', '/api/outbound-tasks/spring/subscribers', {
      as: 'admin',
      body: 'tel,first_name,last_name\n+79000000001,Anna,Petrova\n',
      headers: { 'content-type': 'text/csv' },
    });
    await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'available' } });
    await h().call('POST', '/api/outbound-tasks/spring/start', { as: 'admin' });
    await h().runtime.tick();
    await h().runtime.drain();
    const listed = await h().call('GET', '/api/calls', { as: 'agent' });
    expect(listed.body.calls).toHaveLength(1);
    return listed.body.calls[0] as { callId: string; executionId: string };
  }

  it.skipIf(skip)('an agent answers the operator call of an outbound task: the customer is dialled, Form 1 appears, the history shows both calls', async () => {
    const call = await ringingTaskCall();
    expect(call).toEqual({
      callId: expect.any(String),
      operator: '101',
      startedAt: new Date(T0).toISOString(),
      executionId: expect.any(String),
      taskId: 'spring',
      subscriber: { id: 1, tel: '+79000000001', firstName: 'Anna', lastName: 'Petrova' },
    });
    expect((await h().call('GET', `/api/executions/${call.executionId}`, { as: 'admin' })).body.scenarioId).toBe('operator-call');
    // Someone else's call: not listed for agent2, and not theirs to answer; staff see it.
    expect((await h().call('GET', '/api/calls', { as: 'agent2' })).body.calls).toEqual([]);
    expect((await h().call('GET', '/api/calls', { as: 'supervisor' })).body.calls).toEqual([call]);
    const foreign = await h().call('POST', `/api/calls/${call.callId}/answer`, { as: 'agent2' });
    expect([foreign.status, foreign.body.error]).toEqual([403, `call "${call.callId}" is for operator 101`]);
    expect((await h().call('POST', `/api/calls/${call.callId}/answer`, { as: 'supervisor' })).status).toBe(403);

    const answered = await h().call('POST', `/api/calls/${call.callId}/answer`, { as: 'agent' });
    expect(answered.status).toBe(200);
    expect(answered.body.call).toEqual({
      callId: call.callId,
      operator: '101',
      state: 'answered',
      outcome: 'answered',
      startedAt: new Date(T0).toISOString(),
      answeredAt: new Date(T0).toISOString(),
      endedAt: null,
    });
    const again = await h().call('POST', `/api/calls/${call.callId}/answer`, { as: 'agent' });
    expect([again.status, again.body.error]).toEqual([409, `call "${call.callId}" is no longer ringing: it is answered (answered)`]);
    expect((await h().call('POST', `/api/calls/${call.callId}/reject`, { as: 'admin' })).status).toBe(409);
    expect((await h().call('GET', '/api/calls', { as: 'agent' })).body.calls).toEqual([]);

    // The customer answers after 2 s (the simulator's default); the dialog's Form 1 waits for operator 101.
    await h().advance(2_000);
    const forms = await h().call('GET', '/api/forms', { as: 'agent' });
    expect(forms.body.forms).toEqual([expect.objectContaining({ scenarioId: 'dialog', assignee: '101' })]);
    const history = await h().call('GET', '/api/outbound-tasks/spring/subscribers/1/calls', { as: 'agent' });
    expect(history.status).toBe(200);
    expect(history.body.calls).toEqual([
      {
        kind: 'operator',
        number: '101',
        operator: '101',
        outcome: 'answered',
        startedAt: new Date(T0).toISOString(),
        answeredAt: new Date(T0).toISOString(),
        endedAt: null,
        durationSec: null,
      },
      {
        kind: 'customer',
        number: '+79000000001',
        operator: '101',
        outcome: 'answered',
        startedAt: new Date(T0).toISOString(),
        answeredAt: new Date(T0 + 2_000).toISOString(),
        endedAt: null,
        durationSec: null,
      },
    ]);
  });

  it.skipIf(skip)('a rejected operator call is busy (or failed): the subscriber is set to be called back', async () => {
    const call = await ringingTaskCall();
    const rejected = await h().call('POST', `/api/calls/${call.callId}/reject`, { as: 'agent', body: {} });
    expect(rejected.status).toBe(200);
    expect(rejected.body.call).toMatchObject({ state: 'ended', outcome: 'busy', endedAt: new Date(T0).toISOString() });
    await h().runtime.drain();
    const history = await h().call('GET', '/api/outbound-tasks/spring/subscribers/1/calls', { as: 'supervisor' });
    expect(history.body.calls.map((c: { kind: string; outcome: string }) => `${c.kind} ${c.outcome}`)).toEqual(['operator busy']);
    expect((await h().call('GET', '/api/outbound-tasks/spring', { as: 'admin' })).body.progress).toEqual({ '10': 1 });
    expect((await h().call('POST', `/api/calls/${call.callId}/reject`, { as: 'agent' })).status).toBe(409);
  });

  it.skipIf(skip)("lists ringing calls only: answered, rejected and timed-out ones drop off; admins settle anyone's", async () => {
    const sim = h().sim;
    const a = await sim.callOperator({ key: 'manual-a', operator: '101' });
    await h().clock.advance(1_000);
    const b = await sim.callOperator({ key: 'manual-b', operator: '102', timeoutSec: 5 });
    const c = await sim.callOperator({ key: 'manual-c', operator: 'agent' });
    await sim.dial({ key: 'customer-d', number: '+79000000009', timeoutSec: 30 });

    const all = await h().call('GET', '/api/calls', { as: 'admin' });
    expect(all.body.calls.map((x: { callId: string }) => x.callId)).toEqual([a.callId, b.callId, c.callId]);
    expect(all.body.calls[0]).toEqual({
      callId: a.callId,
      operator: '101',
      startedAt: new Date(T0).toISOString(),
      executionId: null,
      taskId: null,
      subscriber: null,
    });
    // An agent answers for their operator number and their username, as for forms.
    expect((await h().call('GET', '/api/calls', { as: 'agent' })).body.calls.map((x: { callId: string }) => x.callId)).toEqual([a.callId, c.callId]);
    expect((await h().call('GET', '/api/calls', { as: 'agent2' })).body.calls.map((x: { callId: string }) => x.callId)).toEqual([b.callId]);

    await h().clock.advance(5_000); // b rings out
    await sim.settled();
    expect((await h().call('POST', `/api/calls/${b.callId}/answer`, { as: 'agent2' })).body.error).toBe(
      `call "${b.callId}" is no longer ringing: it is ended (noAnswer)`,
    );
    const failed = await h().call('POST', `/api/calls/${c.callId}/reject`, { as: 'admin', body: { reason: 'failed' } });
    expect(failed.body.call).toMatchObject({ operator: 'agent', state: 'ended', outcome: 'failed' });
    expect((await h().call('GET', '/api/calls', { as: 'admin' })).body.calls.map((x: { callId: string }) => x.callId)).toEqual([a.callId]);
    expect((await h().call('POST', `/api/calls/${a.callId}/answer`, { as: 'admin' })).status).toBe(200);
    expect((await h().call('GET', '/api/calls', { as: 'supervisor' })).body.calls).toEqual([]);
  });

  it.skipIf(skip)('unknown calls and customer calls are 404; a bad reason is a 400', async () => {
    const customer = await h().sim.dial({ key: 'customer', number: '+79000000009' });
    const op = await h().sim.callOperator({ key: 'op', operator: '101' });
    for (const id of [randomUUID(), 'nothing', customer.callId, 'x'.repeat(201)]) {
      const r = await h().call('POST', `/api/calls/${id}/answer`, { as: 'admin' });
      expect(r.status, id).toBe(404);
      expect((await h().call('POST', `/api/calls/${id}/reject`, { as: 'agent' })).status).toBe(404);
    }
    const bad = await h().call('POST', `/api/calls/${op.callId}/reject`, { as: 'agent', body: { reason: 'noAnswer' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues).toEqual([expect.objectContaining({ path: 'reason' })]);
    expect((await h().call('GET', '/api/calls', { as: 'agent' })).body.calls).toHaveLength(1);
    expect((await h().call('GET', '/api/calls')).status).toBe(401);
    expect((await h().call('POST', `/api/calls/${op.callId}/answer`)).status).toBe(401);
  });

  it.skipIf(skip)('the desk also reads a call log kept in memory, and lists nothing without a simulator', async () => {
    const sim = new TelephonySimulator({ clock: h().clock, rules: {} });
    try {
      const desk = new CallDesk(h().t.db, { simulator: sim });
      const a = await sim.callOperator({ key: 'a', operator: '101' });
      await sim.callOperator({ key: 'b', operator: '102' });
      await sim.dial({ key: 'c', number: '+7900' });
      expect((await desk.ringing()).map((c) => c.operator)).toEqual(['101', '102']);
      expect((await desk.ringing(['101'])).map((c) => c.callId)).toEqual([a.callId]);
      expect(await desk.ringing([])).toEqual([]);
      await desk.settle(a.callId, { answer: true });
      expect((await desk.ringing()).map((c) => c.operator)).toEqual(['102']);
      const none = new CallDesk(h().t.db, undefined);
      expect(await none.ringing()).toEqual([]);
      await expect(none.settle(a.callId, { answer: true })).rejects.toThrow(`operator call "${a.callId}" not found`);
    } finally {
      sim.dispose();
    }
  });
});

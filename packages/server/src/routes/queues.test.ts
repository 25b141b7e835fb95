/**
 * The queue API (docs/queues.md) on both databases: admins configure queues,
 * supervisors read them and their log, agents serve them and answer offers,
 * customers (customer tokens) join and leave.
 */
import { readFileSync } from 'node:fs';
import { BUNDLED_FOLDER } from '@tellflow/runtime';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { customerTokens, supportQueue } from '../queue-test-support.ts';
import { T0, useServer, type CallInit } from '../test-support.ts';

const bearer = (token: string): CallInit => ({ headers: { authorization: `Bearer ${token}` } });

describe.each(DATABASE_KINDS)('queue API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('an admin creates, changes and deletes queues; supervisors list them with live figures', async () => {
    const created = await h().call('POST', '/api/queues', { as: 'admin', body: { id: 'sales', priority: 5, offerTimeoutSec: 15 } });
    expect([created.status, created.body.queue]).toEqual([
      201,
      {
        id: 'sales',
        name: 'sales',
        priority: 5,
        offerTimeoutSec: 15,
        maxWaitSec: null,
        wrapUpSec: 0,
        serviceLevelSec: 20,
        shortAbandonSec: 5,
        reofferDelaySec: 30,
        consecutiveTimeoutsToDnd: 3,
        overflowQueueId: null,
      },
    ]);
    const again = await h().call('POST', '/api/queues', { as: 'admin', body: { id: 'sales' } });
    expect([again.status, again.body.error]).toEqual([409, 'queue "sales" already exists']);
    const bad = await h().call('POST', '/api/queues', { as: 'admin', body: { id: 'x', offerTimeoutSec: 0 } });
    expect([bad.status, bad.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['offerTimeoutSec']]);
    const overflow = await h().call('POST', '/api/queues', { as: 'admin', body: { id: 'x', overflowQueueId: 'nowhere' } });
    expect([overflow.status, overflow.body.error]).toEqual([409, 'overflowQueueId: queue "nowhere" does not exist']);

    const patched = await h().call('PATCH', '/api/queues/sales', { as: 'admin', body: { name: 'Sales', maxWaitSec: 600 } });
    expect(patched.body.queue).toMatchObject({ id: 'sales', name: 'Sales', maxWaitSec: 600, priority: 5 });
    const badPatch = await h().call('PATCH', '/api/queues/sales', { as: 'admin', body: { priority: 'high' } });
    expect([badPatch.status, badPatch.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['priority']]);

    await h().call('PUT', '/api/agents/me/queues/sales', { as: 'agent', body: { priority: 2 } });
    await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'available' } });
    const list = await h().call('GET', '/api/queues', { as: 'supervisor' });
    expect(list.body.queues).toEqual([
      {
        queue: patched.body.queue,
        status: { queueId: 'sales', waiting: 0, longestWaitSec: null, agentsServing: 1, agentsFree: 1, agentsBusy: 0 },
      },
    ]);
    expect((await h().call('GET', '/api/queues/sales', { as: 'supervisor' })).body).toEqual(list.body.queues[0]);
    expect((await h().call('GET', '/api/queues/nope', { as: 'supervisor' })).status).toBe(404);

    expect((await h().call('DELETE', '/api/queues/sales', { as: 'admin' })).status).toBe(204);
    expect((await h().call('GET', '/api/queues', { as: 'admin' })).body.queues).toEqual([]);
    expect((await h().call('GET', '/api/agents/me/queues', { as: 'agent' })).body.queues).toEqual([]);
    expect((await h().call('DELETE', '/api/queues/sales', { as: 'admin' })).status).toBe(404);
  });

  it.skipIf(skip)('a customer joins once, sees only its own place, and leaves; a queue with customers cannot be deleted', async () => {
    await supportQueue(h(), []);
    await h().call('POST', '/api/queues', { as: 'admin', body: { id: 'sales' } });
    const t = await customerTokens(h(), 'anna', 'boris');
    const joined = await h().call('POST', '/api/queues/support/join', { ...bearer(t.anna!), body: { extra: { order: 17 }, callbackNumber: '+79001112233' } });
    expect([joined.status, joined.body.entry]).toEqual([
      201,
      {
        id: expect.any(Number),
        queueId: 'support',
        customer: 'anna',
        name: 'ANNA',
        extra: { order: 17 },
        state: 'waiting',
        enqueuedAt: new Date(T0).toISOString(),
        position: 1,
        waitedSec: 0,
        estimatedWaitSec: null,
        agentId: null,
        callbackNumber: '+79001112233',
      },
    ]);
    const twice = await h().call('POST', '/api/queues/sales/join', { ...bearer(t.anna!), body: {} });
    expect([twice.status, twice.body.error, twice.body.details]).toEqual([
      409,
      'the customer is already in queue "support" (waiting): leave it first',
      { queueId: 'support' },
    ]);
    const badJoin = await h().call('POST', '/api/queues/sales/join', { ...bearer(t.boris!), body: { callbackNumber: '' } });
    expect([badJoin.status, badJoin.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['callbackNumber']]);
    expect((await h().call('POST', '/api/queues/nope/join', { ...bearer(t.boris!), body: {} })).status).toBe(404);

    await h().clock.advance(30_000);
    await h().call('POST', '/api/queues/support/join', { ...bearer(t.boris!), body: {} });
    await h().clock.advance(10_000);
    const mine = await h().call('GET', '/api/customer/queue', bearer(t.boris!));
    expect(mine.body.entry).toMatchObject({ customer: 'boris', position: 2, waitedSec: 10 });
    expect((await h().call('GET', '/api/customer/queue', bearer(t.anna!))).body.entry).toMatchObject({ customer: 'anna', position: 1, waitedSec: 40 });

    const refused = await h().call('DELETE', '/api/queues/support', { as: 'admin' });
    expect([refused.status, refused.body.error]).toEqual([409, 'queue "support" has 2 customers waiting or being served']);
    expect((await h().call('DELETE', '/api/customer/queue', bearer(t.anna!))).status).toBe(204);
    expect((await h().call('GET', '/api/customer/queue', bearer(t.anna!))).body).toEqual({ entry: null });
    expect((await h().call('GET', '/api/customer/queue', bearer(t.boris!))).body.entry).toMatchObject({ position: 1 });
    const gone = await h().call('DELETE', '/api/customer/queue', bearer(t.anna!));
    expect([gone.status, gone.body.error]).toEqual([404, 'a queue you are waiting in not found']);
  });

  it.skipIf(skip)('agents see the customers of the queues they serve, in order; supervisors see every queue', async () => {
    await supportQueue(h(), []);
    const t = await customerTokens(h(), 'anna', 'boris');
    await h().call('POST', '/api/queues/support/join', { ...bearer(t.anna!), body: {} });
    await h().clock.advance(5_000);
    await h().call('POST', '/api/queues/support/join', { ...bearer(t.boris!), body: {} });
    const refused = await h().call('GET', '/api/queues/support/entries', { as: 'agent' });
    expect([refused.status, refused.body.error]).toEqual([403, 'you do not serve queue "support": start serving it first']);
    await h().call('PUT', '/api/agents/me/queues/support', { as: 'agent', body: { priority: 3 } });
    expect((await h().call('GET', '/api/agents/me/queues', { as: 'agent' })).body.queues).toEqual([
      { queueId: 'support', priority: 3, since: new Date(T0 + 5_000).toISOString() },
    ]);
    const entries = await h().call('GET', '/api/queues/support/entries', { as: 'agent' });
    expect(entries.body.entries.map((e: { customer: string; position: number; waitedSec: number }) => [e.customer, e.position, e.waitedSec])).toEqual([
      ['anna', 1, 5],
      ['boris', 2, 0],
    ]);
    expect((await h().call('GET', '/api/queues/support/entries', { as: 'supervisor' })).body).toEqual(entries.body);
    const badPriority = await h().call('PUT', '/api/agents/me/queues/support', { as: 'agent', body: { priority: 1.5 } });
    expect([badPriority.status, badPriority.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['priority']]);
    expect((await h().call('PUT', '/api/agents/me/queues/nope', { as: 'agent', body: {} })).status).toBe(404);
  });

  it.skipIf(skip)('an agent is offered the first customer, rejects with a reason, the next agent accepts; the log says why each got it', async () => {
    await supportQueue(h(), ['agent', 'agent2']);
    await h().call('PUT', '/api/agents/me/queues/support', { as: 'agent', body: { priority: 5 } });
    const t = await customerTokens(h(), 'anna');
    expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent' })).body).toEqual({ offer: null });
    const joined = await h().call('POST', '/api/queues/support/join', { ...bearer(t.anna!), body: {} });
    await h().runtime.tick();

    const offered = await h().call('GET', '/api/agents/me/offer', { as: 'agent' });
    expect(offered.body.offer).toMatchObject({
      state: 'pending',
      mode: 'auto',
      entry: { id: joined.body.entry.id, customer: 'anna', state: 'offered', position: 1 },
      expiresAt: new Date(T0 + 20_000).toISOString(),
    });
    expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent2' })).body.offer).toBeNull();
    const badReject = await h().call('POST', '/api/agents/me/offer/reject', { as: 'agent', body: { reason: 7 } });
    expect([badReject.status, badReject.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['reason']]);
    const rejected = await h().call('POST', '/api/agents/me/offer/reject', { as: 'agent', body: { reason: 'on a break' } });
    expect(rejected.body.offer).toMatchObject({ id: offered.body.offer.id, state: 'rejected', reason: 'on a break', entry: { state: 'waiting' } });
    const nothing = await h().call('POST', '/api/agents/me/offer/accept', { as: 'agent' });
    expect([nothing.status, nothing.body.error]).toEqual([409, 'you have no pending offer']);

    await h().runtime.tick();
    const second = await h().call('GET', '/api/agents/me/offer', { as: 'agent2' });
    expect(second.body.offer.entry.customer).toBe('anna');
    const accepted = await h().call('POST', '/api/agents/me/offer/accept', { as: 'agent2' });
    expect(accepted.body.offer).toMatchObject({
      id: second.body.offer.id,
      state: 'accepted',
      entry: { state: 'assigned', agentId: h().userIds.agent2, position: null },
    });
    expect((await h().call('GET', '/api/customer/queue', bearer(t.anna!))).body.entry).toMatchObject({ state: 'assigned', agentId: h().userIds.agent2 });

    const log = await h().call('GET', '/api/queues/support/events', { as: 'supervisor' });
    expect(log.body.events.map((e: { kind: string }) => e.kind)).toEqual([
      'accepted',
      'offered',
      'rejected',
      'offered',
      'joined',
      'startService',
      'startService',
      'startService',
    ]);
    const [, toAgent2, , toAgent] = log.body.events;
    expect(toAgent.agentId).toBe(h().userIds.agent);
    expect(toAgent.reason).toBe('next in order (priority 0); free agent with the highest priority in support (5)');
    expect(toAgent2.agentId).toBe(h().userIds.agent2);
    expect(log.body.events[2].reason).toBe('on a break');

    const page1 = await h().call('GET', '/api/queues/support/events?limit=3', { as: 'supervisor' });
    expect(page1.body.events).toEqual(log.body.events.slice(0, 3));
    const page2 = await h().call('GET', `/api/queues/support/events?limit=3&before=${page1.body.nextBefore}`, { as: 'supervisor' });
    expect(page2.body.events).toEqual(log.body.events.slice(3, 6));
    const anna = await h().call('GET', `/api/queues/support/events?entryId=${joined.body.entry.id}&kind=offered`, { as: 'supervisor' });
    expect(anna.body).toEqual({ events: [toAgent2, toAgent], nextBefore: null });
    const badQuery = await h().call('GET', '/api/queues/support/events?limit=0', { as: 'supervisor' });
    expect([badQuery.status, badQuery.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['limit']]);
  });

  it.skipIf(skip)('stopping service withdraws the pending offer: the customer keeps its place and goes to the next agent', async () => {
    await supportQueue(h(), ['agent']);
    const t = await customerTokens(h(), 'anna');
    await h().call('POST', '/api/queues/support/join', { ...bearer(t.anna!), body: {} });
    await h().runtime.tick();
    expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent' })).body.offer).not.toBeNull();
    expect((await h().call('DELETE', '/api/agents/me/queues/support', { as: 'agent' })).status).toBe(204);
    expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent' })).body.offer).toBeNull();
    expect((await h().call('GET', '/api/customer/queue', bearer(t.anna!))).body.entry).toMatchObject({ state: 'waiting', position: 1 });
    const again = await h().call('DELETE', '/api/agents/me/queues/support', { as: 'agent' });
    expect([again.status, again.body.error]).toEqual([404, 'your service of queue "support" not found']);

    // Going offline withdraws it too.
    await h().call('PUT', '/api/agents/me/queues/support', { as: 'agent2', body: {} });
    await h().call('PUT', '/api/agents/me/presence', { as: 'agent2', body: { state: 'available' } });
    await h().runtime.tick();
    expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent2' })).body.offer.entry.customer).toBe('anna');
    await h().call('PUT', '/api/agents/me/presence', { as: 'agent2', body: { state: 'offline' } });
    expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent2' })).body.offer).toBeNull();
    expect((await h().call('GET', '/api/customer/queue', bearer(t.anna!))).body.entry).toMatchObject({ state: 'waiting' });
  });

  it.skipIf(skip)('manual mode: an agent in DND asks for the next customer or a named one; nobody waiting is its own result', async () => {
    await supportQueue(h(), ['agent']);
    await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'dnd' } });
    const none = await h().call('POST', '/api/agents/me/next', { as: 'agent', body: {} });
    expect(none.body).toEqual({ result: 'nobodyWaiting' });
    const t = await customerTokens(h(), 'anna', 'boris');
    await h().call('POST', '/api/queues/support/join', { ...bearer(t.anna!), body: {} });
    await h().clock.advance(1_000);
    const boris = await h().call('POST', '/api/queues/support/join', { ...bearer(t.boris!), body: {} });
    await h().runtime.tick();
    // In DND: never offered anyone.
    expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent' })).body.offer).toBeNull();

    const bad = await h().call('POST', '/api/agents/me/next', { as: 'agent', body: { entryId: 'boris' } });
    expect([bad.status, bad.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['entryId']]);
    const named = await h().call('POST', '/api/agents/me/next', { as: 'agent', body: { entryId: boris.body.entry.id } });
    expect(named.body).toMatchObject({ result: 'assigned', offer: { mode: 'manual', state: 'accepted', entry: { customer: 'boris', state: 'assigned' } } });
    const busy = await h().call('POST', '/api/agents/me/next', { as: 'agent', body: {} });
    expect([busy.status, busy.body.error]).toEqual([409, 'you are busy: finish the call, the form or the offer you have first']);
    // anna moved up when boris was taken.
    expect((await h().call('GET', '/api/customer/queue', bearer(t.anna!))).body.entry).toMatchObject({ position: 1 });
  });

  it.skipIf(skip)('"call the customer" rings the agent, dials the customer\'s phone and bridges them; the customer is then served', async () => {
    const callback = JSON.parse(readFileSync(`${BUNDLED_FOLDER}/queue-callback.json`, 'utf8'));
    expect((await h().importScenario(callback)).status).toBe(201);
    await supportQueue(h(), ['agent']);
    const t = await customerTokens(h(), 'anna', 'boris');
    // A phone in the extra data (a callback number would be called back by the dispatcher itself on accept).
    const anna = await h().call('POST', '/api/queues/support/join', { ...bearer(t.anna!), body: { extra: { phone: '+79001112233' } } });
    const notMine = await h().call('POST', '/api/agents/me/call', { as: 'agent', body: { entryId: anna.body.entry.id } });
    expect([notMine.status, notMine.body.error]).toEqual([409, `customer entry ${anna.body.entry.id} is not a customer you accepted`]);
    const bad = await h().call('POST', '/api/agents/me/call', { as: 'agent', body: {} });
    expect([bad.status, bad.body.details.issues.map((i: { path: string }) => i.path)]).toEqual([400, ['entryId']]);

    await h().runtime.tick();
    await h().call('POST', '/api/agents/me/offer/accept', { as: 'agent' });
    const calling = await h().call('POST', '/api/agents/me/call', { as: 'agent', body: { entryId: anna.body.entry.id } });
    expect([calling.status, calling.body]).toEqual([202, { executionId: expect.any(String), number: '+79001112233' }]);
    const twice = await h().call('POST', '/api/agents/me/call', { as: 'agent', body: { entryId: anna.body.entry.id } });
    expect([twice.status, twice.body.error]).toEqual([409, `customer entry ${anna.body.entry.id} is already connected by its own call`]);

    await h().runtime.drain();
    const [ringing] = (await h().call('GET', '/api/calls', { as: 'agent' })).body.calls;
    expect(ringing).toMatchObject({ operator: '101', executionId: calling.body.executionId });
    await h().call('POST', `/api/calls/${ringing.callId}/answer`, { as: 'agent' });
    await h().advance(2_000);
    // Connected: the agent's "Queue call" form stays open for the conversation; submitting it ends the call.
    const [talk] = (await h().call('GET', '/api/forms', { as: 'agent' })).body.forms;
    expect(talk).toMatchObject({ executionId: calling.body.executionId, form: { title: 'Queue call' } });
    await h().call('POST', `/api/forms/${talk.executionId}/${talk.step}`, { as: 'agent', body: { values: { notes: 'done' } } });
    await h().advance(1_000);
    const x = await h().call('GET', `/api/executions/${calling.body.executionId}`, { as: 'admin' });
    expect([x.body.status, x.body.result]).toEqual(['completed', 'served']);
    const log = await h().call('GET', `/api/queues/support/events?entryId=${anna.body.entry.id}`, { as: 'supervisor' });
    expect(log.body.events[0]).toMatchObject({ kind: 'served', agentId: h().userIds.agent });
    expect((await h().call('GET', '/api/customer/queue', bearer(t.anna!))).body).toEqual({ entry: null });

    // A customer who left no number cannot be called.
    await h().call('POST', '/api/queues/support/join', { ...bearer(t.boris!), body: {} });
    await h().runtime.tick();
    const offer = await h().call('POST', '/api/agents/me/offer/accept', { as: 'agent' });
    const noNumber = await h().call('POST', '/api/agents/me/call', { as: 'agent', body: { entryId: offer.body.offer.entry.id } });
    expect([noNumber.status, noNumber.body.error]).toEqual([
      409,
      `customer entry ${offer.body.offer.entry.id} left no number to call (callbackNumber or extra.phone)`,
    ]);
  });

  it.skipIf(skip)('an agent says it is done with an API customer: served, wrap-up begins, and the agent is free after it', async () => {
    await supportQueue(h(), ['agent', 'agent2'], { wrapUpSec: 30 });
    const t = await customerTokens(h(), 'anna');
    const anna = await h().call('POST', '/api/queues/support/join', { ...bearer(t.anna!), body: {} });
    await h().runtime.tick();
    const offered = (await h().call('GET', '/api/agents/me/offer', { as: 'agent' })).body.offer ? 'agent' : 'agent2';
    const other = offered === 'agent' ? 'agent2' : 'agent';
    await h().call('POST', '/api/agents/me/offer/accept', { as: offered });
    const notMine = await h().call('POST', '/api/agents/me/served', { as: other, body: { entryId: anna.body.entry.id } });
    expect([notMine.status, notMine.body.error]).toEqual([409, `customer entry ${anna.body.entry.id} is not a customer you are serving`]);
    const done = await h().call('POST', '/api/agents/me/served', { as: offered, body: { entryId: anna.body.entry.id } });
    expect([done.status, done.body.entry.state]).toEqual([200, 'served']);
    expect((await h().call('GET', '/api/agents/me', { as: offered })).body.agent.state).toBe('wrapUp');
    expect((await h().call('POST', '/api/agents/me/served', { as: offered, body: { entryId: anna.body.entry.id } })).status).toBe(409);
    expect((await h().call('POST', '/api/agents/me/ready', { as: offered })).body.agent.state).toBe('available');
  });
});

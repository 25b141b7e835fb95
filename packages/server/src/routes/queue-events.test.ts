/**
 * The queues' live events on GET /api/events, on both databases: each goes to
 * the right viewers only (staff and the queue's agents, the agent an offer is
 * for, the customer whose entry it is), and a (re)connecting viewer first
 * gets its state (a pending offer, its position).
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import type { SseMessage } from '../events/sse.ts';
import type { EventStreamReader, ServerHarness } from '../test-support.ts';
import { doc, useServer } from '../test-support.ts';
import { customerTokens, supportQueue } from '../queue-test-support.ts';

const MARK = 'test.mark';
const queueEvents = (messages: SseMessage[]) =>
  messages.filter((m) => m.event?.startsWith('queue.') || m.event === 'agent.action').map((m) => ({ event: m.event, data: JSON.parse(m.data!) }));

/** Everything published so far is delivered: a marker to everyone arrives after it. */
async function delivered(h: ServerHarness, streams: EventStreamReader[], customers: string[]) {
  await h.runtime.queueLive.settled();
  const id = await h.runtime.events.publish(h.t.db, { type: MARK, audience: { roles: ['admin', 'supervisor', 'agent'], customers }, data: {} });
  for (const s of streams) await s.until((ms) => ms.some((m) => m.event === MARK && m.id === id));
}

/** caller → queue `support` (the node's params) → a 60 s talk once assigned; timeout and left end at once. */
const waiter = (params: Record<string, unknown> = {}) =>
  doc(
    'waiter',
    [
      { id: 'start', type: 'start', params: { inputs: [{ name: 'caller', type: 'string', required: true }] } },
      { id: 'q', type: 'queue', params: { queue: 'support', customer: { var: 'caller' }, into: 'queued', ...params } },
      { id: 'talk', type: 'wait', params: { seconds: 60 } },
      { id: 'served', type: 'end', params: { result: { var: 'queued' } } },
      { id: 'timedOut', type: 'end', params: { result: 'timeout' } },
      { id: 'left', type: 'end', params: { result: 'left' } },
    ],
    [
      ['start:next', 'q'],
      ['q:assigned', 'talk'],
      ['talk:next', 'served'],
      ['q:timeout', 'timedOut'],
      ['q:left', 'left'],
    ],
  );

describe.each(DATABASE_KINDS)('queue live events on %s', (kind) => {
  const { h, skip } = useServer(kind);

  /** What each stream received since the last `mark()`. */
  const watch = (streams: EventStreamReader[]) => {
    const seen = new Map(streams.map((s) => [s, s.messages().length]));
    return {
      fresh: (s: EventStreamReader) => queueEvents(s.messages().slice(seen.get(s))),
      mark: () => {
        for (const s of streams) seen.set(s, s.messages().length);
      },
    };
  };
  const positions = (events: ReturnType<typeof queueEvents>) =>
    events.filter((e) => e.event === 'queue.position').map((e) => [e.data.entry.customer, e.data.entry.position, e.data.entry.state]);
  const offers = (events: ReturnType<typeof queueEvents>) =>
    events
      .filter((e) => e.event === 'queue.offer')
      .map((e) => ({ offerId: e.data.offerId, state: e.data.state, reason: e.data.reason, customer: e.data.offer?.entry.customer ?? null }));
  const statuses = (events: ReturnType<typeof queueEvents>) => events.filter((e) => e.event === 'queue.status').map((e) => e.data.waiting);

  it.skipIf(skip)(
    'a caller a scenario queues is told to staff and to the customers it goes ahead of; its node’s timeout tells the agent its offer went',
    async () => {
      expect((await h().call('POST', '/api/queues', { as: 'admin', body: { id: 'support', name: 'Support', offerTimeoutSec: 120 } })).status).toBe(201);
      expect((await h().call('PUT', '/api/agents/me/queues/support', { as: 'agent', body: {} })).status).toBe(200);
      expect((await h().importScenario(waiter({ priority: 5, timeoutSec: 30 }))).status).toBe(201);
      const t = await customerTokens(h(), 'anna', 'boris');
      await h().call('POST', '/api/queues/support/join', { headers: { authorization: `Bearer ${t.anna}` }, body: {} });
      await h().runtime.queueLive.settled();
      const streams = {
        supervisor: await h().openEvents({ as: 'supervisor' }),
        agent: await h().openEvents({ as: 'agent' }),
        agent2: await h().openEvents({ as: 'agent2' }),
        anna: await h().openEvents({ headers: { authorization: `Bearer ${t.anna}` } }),
        boris: await h().openEvents({ headers: { authorization: `Bearer ${t.boris}` } }),
      };
      const all = Object.values(streams);
      const { fresh, mark } = watch(all);
      try {
        // The caller joins through the node, with a higher priority than anna's queue: she is second now.
        await h().runtime.start('waiter', { input: { caller: '+15550001' } });
        await h().runtime.drain();
        await h().runtime.tick();
        await delivered(h(), all, ['anna', 'boris']);
        expect(positions(fresh(streams.anna))).toEqual([['anna', 2, 'waiting']]);
        expect(statuses(fresh(streams.supervisor))).toEqual([2]);
        expect(statuses(fresh(streams.agent))).toEqual([2]);
        for (const s of [streams.agent2, streams.boris]) expect(fresh(s)).toEqual([]);

        // The agent becomes available and is offered the caller.
        await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'available' } });
        await h().runtime.tick();
        await delivered(h(), all, ['anna', 'boris']);
        const [made] = offers(fresh(streams.agent));
        expect(made).toMatchObject({ state: 'pending', customer: '+15550001' });
        mark();

        // The node gives up after 30 s: the agent is told its offer went (then is offered anna), anna is first again.
        await h().advance(30_000);
        await h().runtime.tick();
        await delivered(h(), all, ['anna', 'boris']);
        expect(offers(fresh(streams.agent))).toEqual([
          { offerId: made!.offerId, state: 'cancelled', reason: 'the customer stopped waiting', customer: null },
          { offerId: expect.any(Number), state: 'pending', reason: expect.any(String), customer: 'anna' },
        ]);
        expect(positions(fresh(streams.anna))).toEqual([['anna', 1, 'offered']]);
        expect(statuses(fresh(streams.supervisor))).toEqual([1]);
        for (const s of [streams.agent2, streams.boris]) expect(fresh(s)).toEqual([]);
        for (const s of [streams.supervisor, streams.anna, streams.boris, streams.agent2]) expect(offers(fresh(s))).toEqual([]);
      } finally {
        for (const s of all) await s.close();
      }
    },
  );

  it.skipIf(skip)('a caller hanging up while offered: the agent is told its offer went, and the customers behind move up', async () => {
    await supportQueue(h(), ['agent'], { offerTimeoutSec: 120 });
    expect((await h().importScenario(waiter())).status).toBe(201);
    const x = await h().runtime.start('waiter', { input: { caller: '+15550002' } });
    await h().runtime.drain();
    await h().runtime.tick();
    const t = await customerTokens(h(), 'anna');
    await h().call('POST', '/api/queues/support/join', { headers: { authorization: `Bearer ${t.anna}` }, body: {} });
    await h().runtime.queueLive.settled();
    const streams = {
      supervisor: await h().openEvents({ as: 'supervisor' }),
      agent: await h().openEvents({ as: 'agent' }),
      agent2: await h().openEvents({ as: 'agent2' }),
      anna: await h().openEvents({ headers: { authorization: `Bearer ${t.anna}` } }),
    };
    const all = Object.values(streams);
    const { fresh } = watch(all);
    try {
      // Snapshots: the agent holds the caller's offer, anna is second.
      const [held] = offers(queueEvents(streams.agent.messages()));
      expect(held).toMatchObject({ state: 'pending', customer: '+15550002' });
      expect(positions(queueEvents(streams.anna.messages()))).toEqual([['anna', 2, 'waiting']]);

      // The call ends: the execution is cancelled, and its entry ends with it (the database trigger).
      await h().runtime.cancel(x, 'the caller hung up');
      await h().runtime.drain();
      await h().runtime.tick();
      await delivered(h(), all, ['anna']);
      expect(offers(fresh(streams.agent))).toEqual([
        { offerId: held!.offerId, state: 'cancelled', reason: 'the customer left', customer: null },
        { offerId: expect.any(Number), state: 'pending', reason: expect.any(String), customer: 'anna' },
      ]);
      expect(positions(fresh(streams.anna))).toEqual([['anna', 1, 'offered']]);
      expect(statuses(fresh(streams.supervisor))).toEqual([1]);
      expect(fresh(streams.agent2)).toEqual([]);
      for (const s of [streams.supervisor, streams.anna, streams.agent2]) expect(offers(fresh(s))).toEqual([]);
    } finally {
      for (const s of all) await s.close();
    }
  });

  it.skipIf(skip)('a caller’s call ending once served frees its agent: staff and the queue’s agents are told', async () => {
    await supportQueue(h(), ['agent']);
    expect((await h().importScenario(waiter())).status).toBe(201);
    await h().runtime.start('waiter', { input: { caller: '+15550003' } });
    await h().runtime.drain();
    await h().runtime.tick();
    expect((await h().call('POST', '/api/agents/me/offer/accept', { as: 'agent' })).status).toBe(200);
    await h().runtime.drain();
    await h().runtime.queueLive.settled();
    const streams = { supervisor: await h().openEvents({ as: 'supervisor' }), agent: await h().openEvents({ as: 'agent' }) };
    const all = Object.values(streams);
    const { fresh } = watch(all);
    try {
      const figures = (events: ReturnType<typeof queueEvents>) =>
        events.filter((e) => e.event === 'queue.status').map((e) => [e.data.waiting, e.data.agentsFree, e.data.agentsBusy]);
      expect(figures(queueEvents(streams.supervisor.messages()))).toEqual([[0, 0, 1]]);
      // The 60 s talk ends, and the execution with it: the trigger serves the entry (no wrap-up: the agent is free).
      await h().advance(60_000);
      await h().runtime.tick();
      await delivered(h(), all, []);
      expect(figures(fresh(streams.supervisor))).toEqual([[0, 1, 0]]);
      expect(figures(fresh(streams.agent))).toEqual([[0, 1, 0]]);
    } finally {
      for (const s of all) await s.close();
    }
  });

  it.skipIf(skip)('status to staff and the queue’s agents, positions to each customer, offers and action results to the agent: nobody else', async () => {
    await supportQueue(h(), ['agent']);
    const t = await customerTokens(h(), 'anna', 'boris', 'carl');
    const streams = {
      supervisor: await h().openEvents({ as: 'supervisor' }),
      agent: await h().openEvents({ as: 'agent' }),
      agent2: await h().openEvents({ as: 'agent2' }),
      anna: await h().openEvents({ headers: { authorization: `Bearer ${t.anna}` } }),
      boris: await h().openEvents({ headers: { authorization: `Bearer ${t.boris}` } }),
      carl: await h().openEvents({ headers: { authorization: `Bearer ${t.carl}` } }),
    };
    const all = Object.values(streams);
    try {
      // Snapshots: queue figures for staff and serving agents, "waiting nowhere" for customers.
      const idle = { queueId: 'support', waiting: 0, longestWaitSec: null, agentsServing: 1, agentsFree: 1, agentsBusy: 0 };
      expect(queueEvents(streams.supervisor.messages())).toEqual([{ event: 'queue.status', data: idle }]);
      expect(queueEvents(streams.agent.messages())).toEqual([{ event: 'queue.status', data: idle }]);
      expect(queueEvents(streams.agent2.messages())).toEqual([]);
      expect(queueEvents(streams.anna.messages())).toEqual([{ event: 'queue.position', data: { entry: null } }]);
      const seen = new Map(all.map((s) => [s, s.messages().length]));
      const fresh = (s: EventStreamReader) => queueEvents(s.messages().slice(seen.get(s)));
      const mark = () => {
        for (const s of all) seen.set(s, s.messages().length);
      };

      await h().call('POST', '/api/queues/support/join', { headers: { authorization: `Bearer ${t.anna}` }, body: {} });
      // Each change is published after the request: anna's must not see boris's join yet.
      await h().runtime.queueLive.settled();
      await h().clock.advance(1000);
      await h().call('POST', '/api/queues/support/join', { headers: { authorization: `Bearer ${t.boris}` }, body: {} });
      await delivered(h(), all, ['anna', 'boris', 'carl']);
      const positions = (s: EventStreamReader) =>
        fresh(s)
          .filter((e) => e.event === 'queue.position')
          .map((e) => [e.data.entry.customer, e.data.entry.position, e.data.entry.state]);
      expect(positions(streams.anna)).toEqual([
        ['anna', 1, 'waiting'],
        ['anna', 1, 'waiting'],
      ]);
      expect(positions(streams.boris)).toEqual([['boris', 2, 'waiting']]);
      expect(fresh(streams.carl)).toEqual([]);
      expect(fresh(streams.agent2)).toEqual([]);
      expect(fresh(streams.supervisor).map((e) => [e.event, e.data.waiting])).toEqual([
        ['queue.status', 1],
        ['queue.status', 2],
      ]);
      expect(fresh(streams.agent)).toEqual(fresh(streams.supervisor));
      mark();

      // The dispatcher offers anna to the agent: only the agent hears of the offer.
      await h().runtime.tick();
      await delivered(h(), all, ['anna', 'boris', 'carl']);
      const offer = fresh(streams.agent).find((e) => e.event === 'queue.offer')!;
      expect(offer.data).toMatchObject({ state: 'pending', reason: expect.stringContaining('next in order'), offer: { entry: { customer: 'anna' } } });
      for (const s of [streams.supervisor, streams.agent2, streams.anna, streams.boris, streams.carl]) {
        expect(fresh(s).filter((e) => e.event === 'queue.offer' || e.event === 'agent.action')).toEqual([]);
      }
      mark();

      // A reconnecting agent gets the pending offer first; a reconnecting customer its position.
      const again = await h().openEvents({ as: 'agent' });
      expect(queueEvents(again.messages()).find((e) => e.event === 'queue.offer')?.data).toEqual(offer.data);
      await again.close();
      const borisAgain = await h().openEvents({ headers: { authorization: `Bearer ${t.boris}` } });
      expect(queueEvents(borisAgain.messages())).toEqual([
        { event: 'queue.position', data: { entry: expect.objectContaining({ customer: 'boris', position: 2 }) } },
      ]);
      await borisAgain.close();

      // The agent accepts: the result and the offer's end to the agent, anna assigned, boris moves up.
      await h().call('POST', '/api/agents/me/offer/accept', { as: 'agent' });
      await delivered(h(), all, ['anna', 'boris', 'carl']);
      expect(fresh(streams.agent).filter((e) => e.event !== 'queue.status')).toEqual([
        { event: 'queue.offer', data: { offerId: offer.data.offerId, state: 'accepted', reason: null, offer: null } },
        { event: 'agent.action', data: { action: 'accept', ok: true, error: null, queueId: 'support', offerId: offer.data.offerId } },
      ]);
      expect(positions(streams.anna)).toEqual([['anna', null, 'assigned']]);
      expect(positions(streams.boris)).toEqual([['boris', 1, 'waiting']]);
      expect(fresh(streams.supervisor).map((e) => [e.event, e.data.waiting, e.data.agentsBusy])).toEqual([['queue.status', 1, 1]]);
      expect(fresh(streams.agent2)).toEqual([]);
      mark();

      // A refused action is told too.
      await h().call('POST', '/api/agents/me/offer/reject', { as: 'agent', body: {} });
      await delivered(h(), all, ['anna', 'boris', 'carl']);
      expect(fresh(streams.agent)).toEqual([
        { event: 'agent.action', data: { action: 'reject', ok: false, error: 'you have no pending offer', queueId: null, offerId: null } },
      ]);
      expect(fresh(streams.agent2)).toEqual([]);
    } finally {
      for (const s of all) await s.close();
    }
  });

  it.skipIf(skip)('a customer leaving cancels the offer its agent holds, and the agent is told', async () => {
    await supportQueue(h(), ['agent']);
    const t = await customerTokens(h(), 'anna');
    await h().call('POST', '/api/queues/support/join', { headers: { authorization: `Bearer ${t.anna}` }, body: {} });
    await h().runtime.tick();
    await h().runtime.queueLive.settled();
    const agent = await h().openEvents({ as: 'agent' });
    try {
      const { offerId } = queueEvents(agent.messages()).find((e) => e.event === 'queue.offer')!.data;
      await h().call('DELETE', '/api/customer/queue', { headers: { authorization: `Bearer ${t.anna}` } });
      await delivered(h(), [agent], []);
      expect(queueEvents(agent.messages()).filter((e) => e.event === 'queue.offer')).toEqual([
        { event: 'queue.offer', data: expect.objectContaining({ offerId, state: 'pending' }) },
        { event: 'queue.offer', data: { offerId, state: 'cancelled', reason: 'the customer left', offer: null } },
      ]);
      expect((await h().call('GET', '/api/agents/me/offer', { as: 'agent' })).body.offer).toBeNull();
    } finally {
      await agent.close();
    }
  });

  it.skipIf(skip)('a customer stream ends when its token can no longer be used', async () => {
    const t = await customerTokens(h(), 'anna');
    const anna = await h().openEvents({ headers: { authorization: `Bearer ${t.anna}` } });
    const keys = await h().call('GET', '/api/api-keys', { as: 'admin' });
    await h().call('DELETE', `/api/api-keys/${keys.body.apiKeys[0].id}`, { as: 'admin' });
    await h().clock.advance(15_000);
    await anna.ended();
    expect(anna.text).toContain(': heartbeat');
  });
});

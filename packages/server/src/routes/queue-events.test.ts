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
import { useServer } from '../test-support.ts';
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

describe.each(DATABASE_KINDS)('queue live events on %s', (kind) => {
  const { h, skip } = useServer(kind);

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

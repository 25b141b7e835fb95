/**
 * The rules of seed 000, one test each, with named agents and customers and
 * an injected clock, on both databases; the racing ones also with two
 * dispatchers ("processes") on one database.
 */
import { createDatabase } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { availability, recordHold } from '../agents/availability.ts';
import { insertExecution } from '../sql/executions.ts';
import { doc, T0, useHarness } from '../test-support.ts';
import { Dispatcher } from './dispatcher.ts';
import { joinQueue, leaveQueue, waitingIn } from './entries.ts';

describe.each(DATABASE_KINDS)('queue rules on %s', (kind) => {
  const { h, skip } = useHarness(kind);
  const ids = new Map<string, string>();
  const names = new Map<string, string>();

  /** An agent (a user with one extension), present as said, since now. */
  const agent = async (name: string, presence: 'available' | 'dnd' | 'offline' = 'available', extension?: string) => {
    const { rows } = await h().t.db.query<{ id: string }>(`insert into users (username, password_hash, role) values ($1, 'x', 'agent') returning id`, [name]);
    const id = rows[0]!.id;
    ids.set(name, id);
    names.set(id, name);
    if (extension) await h().runtime.agents.setExtensions(id, [extension]);
    await h().runtime.agents.setPresence(id, presence);
    return id;
  };
  const queue = (id: string, o: Record<string, unknown> = {}) => h().runtime.queues.create({ id, reofferDelaySec: 30, ...o });
  const serve = (name: string, queueId: string, priority = 0) => h().runtime.queues.startService(ids.get(name)!, queueId, priority);
  const join = (customer: string, queueId: string) => joinQueue(h().t.db, { queueId, customer }, h().clock.now());
  const round = () => h().runtime.dispatcher.round();
  const later = (ms: number) => h().clock.set(h().clock.now() + ms);
  /** Pending offers as `agent → customer`. */
  const offers = async () => {
    const { rows } = await h().t.db.query<{ agent_id: string; customer: string }>(
      `select o.agent_id, e.customer from queue_offers o join queue_entries e on e.id = o.entry_id where o.state = 'pending' order by e.customer`,
    );
    return Object.fromEntries(rows.map((r) => [names.get(r.agent_id)!, r.customer]));
  };
  const order = async (queueId: string) => (await waitingIn(h().t.db, queueId, h().clock.now())).map((e) => `${e.customer}#${e.position}`);

  it.skipIf(skip)('a free agent gets the waiting customer of the highest-priority queue it serves', async () => {
    await queue('low', { priority: 0 });
    await queue('high', { priority: 10 });
    await agent('ann');
    await serve('ann', 'low');
    await serve('ann', 'high');
    await join('carl', 'low');
    later(5_000);
    await join('dora', 'high');
    await round();
    expect(await offers()).toEqual({ ann: 'dora' });
  });

  it.skipIf(skip)('among queues of equal priority, the customer who has waited longest goes first', async () => {
    await queue('q1');
    await queue('q2');
    await agent('ann');
    await serve('ann', 'q1');
    await serve('ann', 'q2');
    await join('carl', 'q2');
    later(1_000);
    await join('dora', 'q1');
    await round();
    expect(await offers()).toEqual({ ann: 'carl' });
  });

  it.skipIf(skip)('a new customer goes to the free agent with the highest agent priority in that queue; ties to the one idle longest', async () => {
    await queue('q');
    await agent('ann');
    later(10_000);
    await agent('bob'); // available since later than ann
    await agent('cid');
    await serve('ann', 'q', 1);
    await serve('bob', 'q', 1);
    await serve('cid', 'q', 0);
    await join('carl', 'q');
    await round();
    expect(await offers()).toEqual({ ann: 'carl' });
    await join('dora', 'q');
    await round();
    expect(await offers()).toEqual({ ann: 'carl', bob: 'dora' });
    // Why: the log says which rule chose the agent.
    const { rows } = await h().t.db.query<{ reason: string }>(`select reason from queue_events where kind = 'offered' order by id limit 1`);
    expect(rows[0]!.reason).toMatch(/highest priority in q \(1\), idle longest/);
  });

  it.skipIf(skip)('a customer waits in one queue at a time: a second join is a 409 naming the queue', async () => {
    await queue('q1');
    await queue('q2');
    await join('carl', 'q1');
    await expect(join('carl', 'q2')).rejects.toMatchObject({ status: 409, message: 'the customer is already in queue "q1" (waiting): leave it first' });
  });

  it.skipIf(skip)('a rejected customer keeps its place and goes to the next agent; the agent is not offered it again for the delay', async () => {
    await queue('q', { reofferDelaySec: 30, offerTimeoutSec: 60 });
    await agent('ann');
    await serve('ann', 'q', 5);
    await join('carl', 'q');
    later(1_000);
    await join('dora', 'q');
    await round();
    expect(await offers()).toEqual({ ann: 'carl' });
    await h().runtime.dispatcher.reject(ids.get('ann')!, 'on a break');
    expect(await order('q')).toEqual(['carl#1', 'dora#2']);
    await round();
    expect(await offers()).toEqual({ ann: 'dora' }); // carl waits for another agent or the delay
    await h().runtime.dispatcher.reject(ids.get('ann')!);
    await agent('bob');
    await serve('bob', 'q', 1);
    await round();
    expect(await offers()).toEqual({ bob: 'carl' });
    later(30_001);
    await round();
    expect(await offers()).toEqual({ ann: 'dora', bob: 'carl' });
    const { rows } = await h().t.db.query<{ reason: string | null }>(`select reason from queue_events where kind = 'rejected' order by id`);
    expect(rows.map((r) => r.reason)).toEqual(['on a break', null]);
  });

  it.skipIf(skip)('an unanswered offer times out to the next agent; N timeouts in a row put the agent in DND', async () => {
    await queue('q', { offerTimeoutSec: 10, reofferDelaySec: 0, consecutiveTimeoutsToDnd: 2 });
    await agent('ann');
    await serve('ann', 'q');
    await join('carl', 'q');
    await round();
    expect(await offers()).toEqual({ ann: 'carl' });
    later(10_000);
    expect(await round()).toMatchObject({ timedOut: 1, offered: 1 });
    expect(await offers()).toEqual({ ann: 'carl' });
    later(10_000);
    expect(await round()).toMatchObject({ timedOut: 1, offered: 0 });
    expect(await offers()).toEqual({});
    expect(await h().runtime.agents.get(ids.get('ann')!)).toMatchObject({ state: 'dnd', reason: '2 offers in a row were not answered' });
    expect(await order('q')).toEqual(['carl#1']);
  });

  it.skipIf(skip)('the offer is cancelled when the customer leaves, and the agent is free again', async () => {
    await queue('q');
    await agent('ann');
    await serve('ann', 'q');
    await join('carl', 'q');
    await round();
    const left = await leaveQueue(h().t.db, 'carl', h().clock.now());
    expect(left.cancelledOffer).toMatchObject({ agentId: ids.get('ann') });
    expect(await offers()).toEqual({});
    await join('dora', 'q');
    await round();
    expect(await offers()).toEqual({ ann: 'dora' });
  });

  it.skipIf(skip)(
    'manual mode: an agent in DND is never offered; it asks for the next customer in order, or a named one; nobody waiting is its own answer',
    async () => {
      await queue('low', { priority: 0 });
      await queue('high', { priority: 5 });
      await agent('ann', 'dnd');
      await serve('ann', 'low');
      await serve('ann', 'high');
      await join('carl', 'low');
      await join('dora', 'high');
      const eve = await join('eve', 'low');
      await round();
      expect(await offers()).toEqual({});
      const next = await h().runtime.dispatcher.request(ids.get('ann')!);
      expect(next).not.toBeNull();
      const { rows } = await h().t.db.query<{ customer: string; state: string }>(`select customer, state from queue_entries where agent_id = $1`, [
        ids.get('ann'),
      ]);
      expect(rows).toEqual([{ customer: 'dora', state: 'assigned' }]);
      // Busy with dora until served: asking again is refused.
      await expect(h().runtime.dispatcher.request(ids.get('ann')!)).rejects.toMatchObject({ status: 409 });
      await h().t.db.query(`update queue_entries set state = 'served' where customer = 'dora'`);
      expect(await h().runtime.dispatcher.request(ids.get('ann')!, { entryId: eve })).not.toBeNull(); // by name, ahead of carl
      await h().t.db.query(`update queue_entries set state = 'served' where customer = 'eve'`);
      await leaveQueue(h().t.db, 'carl', h().clock.now());
      expect(await h().runtime.dispatcher.request(ids.get('ann')!)).toBeNull();
    },
  );

  it.skipIf(skip)('stopping the last queue or going offline takes the pending offer back, and the customer keeps the place', async () => {
    await queue('q');
    await agent('ann');
    await agent('bob', 'dnd');
    await serve('ann', 'q');
    await serve('bob', 'q');
    await join('carl', 'q');
    later(1_000);
    await join('dora', 'q');
    await round();
    expect(await offers()).toEqual({ ann: 'carl' });
    await h().runtime.dispatcher.stopService(ids.get('ann')!, 'q');
    expect(await offers()).toEqual({});
    expect(await order('q')).toEqual(['carl#1', 'dora#2']);
    await h().runtime.agents.setPresence(ids.get('bob')!, 'available');
    await round();
    expect(await offers()).toEqual({ bob: 'carl' });
    await h().runtime.agents.setPresence(ids.get('bob')!, 'offline');
    expect(await offers()).toEqual({});
    expect(await order('q')).toEqual(['carl#1', 'dora#2']);
  });

  it.skipIf(skip)('after serving, the agent is in wrap-up for the queue wrap-up time, or until it says ready', async () => {
    await queue('q', { wrapUpSec: 60 });
    await agent('ann', 'available', '301');
    await serve('ann', 'q');
    await h().publish(
      doc(
        'wait-in-q',
        [
          { id: 'start', type: 'start' },
          { id: 'q', type: 'queue', params: { queue: 'q', customer: 'carl', into: 'got' } },
          { id: 'end', type: 'end', params: { result: { var: 'got.agent' } } },
        ],
        [
          ['start:next', 'q'],
          ['q:assigned', 'end'],
          ['q:timeout', 'end'],
          ['q:left', 'end'],
        ],
      ),
    );
    const x = await h().runtime.start('wait-in-q');
    await h().runtime.drain();
    await round();
    await h().runtime.dispatcher.accept(ids.get('ann')!);
    await h().runtime.drain();
    const done = await h().runtime.stores.executions.get(x);
    expect(done).toMatchObject({ status: 'completed', result: '301' });
    expect((await h().runtime.agents.get(ids.get('ann')!)).state).toBe('wrapUp');
    expect((await availability(h().t.db, ['301'], h().clock.now()))[0]!.state).toBe('wrapUp');
    await h().runtime.agents.ready(ids.get('ann')!);
    expect((await h().runtime.agents.get(ids.get('ann')!)).state).toBe('available');
  });

  it.skipIf(skip)('one agent, one thing: an agent on a call is not offered anyone; an agent holding an offer is busy to calls', async () => {
    await queue('q');
    await agent('ann', 'available', '301');
    await agent('bob', 'available', '302');
    await serve('ann', 'q');
    await serve('bob', 'q');
    const call = await insertExecution(h().t.db, { scenarioId: 'x', version: 1, input: {}, now: T0 });
    await recordHold(h().t.db, '301', call, T0);
    await join('carl', 'q');
    await round();
    expect(await offers()).toEqual({ bob: 'carl' });
    expect((await availability(h().t.db, ['302'], h().clock.now()))[0]!.state).toBe('busy');
  });

  it.skipIf(skip)("past the queue's max wait a customer overflows to the next queue, or its wait ends as timed out", async () => {
    await queue('spare');
    await queue('main', { maxWaitSec: 60, overflowQueueId: 'spare' });
    await queue('last', { maxWaitSec: 60 });
    await join('carl', 'main');
    await join('dora', 'last');
    later(59_000);
    expect(await round()).toMatchObject({ waitTimedOut: 0 });
    later(1_000);
    await round();
    expect(await order('spare')).toEqual(['carl#1']);
    const { rows } = await h().t.db.query<{ customer: string; state: string }>(`select customer, state from queue_entries order by customer`);
    expect(rows).toEqual([
      { customer: 'carl', state: 'waiting' },
      { customer: 'dora', state: 'timedOut' },
    ]);
    const events = await h().t.db.query<{ kind: string; queue_id: string }>(
      `select kind, queue_id from queue_events where kind in ('overflowed', 'waitTimedOut') order by id`,
    );
    expect(events.rows).toEqual([
      { kind: 'overflowed', queue_id: 'main' },
      { kind: 'waitTimedOut', queue_id: 'last' },
    ]);
  });

  it.skipIf(skip)('two dispatchers racing on one database never offer one customer twice or give one agent two offers', async () => {
    await queue('q');
    for (let i = 0; i < 12; i++) {
      await agent(`a${i}`);
      await serve(`a${i}`, 'q', i % 3);
    }
    for (let i = 0; i < 20; i++) await join(`c${String(i).padStart(2, '0')}`, 'q');
    const other = h().t.url ? await createDatabase({ url: h().t.url! }) : h().t.db;
    try {
      const second = new Dispatcher(other, h().clock);
      const results = await Promise.all([round(), second.round(), round(), second.round()]);
      expect(results.reduce((n, r) => n + r.offered, 0)).toBe(12);
      const { rows } = await h().t.db.query<{ agents: number; entries: number; n: number }>(
        `select count(distinct agent_id)::int as agents, count(distinct entry_id)::int as entries, count(*)::int as n from queue_offers where state = 'pending'`,
      );
      expect(rows[0]).toEqual({ agents: 12, entries: 12, n: 12 });
      // The twelve longest-waiting customers, by the rules.
      expect(Object.values(await offers()).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `c${String(i).padStart(2, '0')}`));
    } finally {
      if (other !== h().t.db) await other.close();
    }
  });
});

/**
 * Rounds after notifications that name the agents they freed look at those
 * agents only; anything else (and every 500 ms) is a full round. The offers
 * are the ones a full round would make; what nobody names waits at most for
 * the next full round. Both databases; the lost-lock case on PostgreSQL,
 * where another session can hold the dispatch lock.
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../test-support.ts';
import { agentFreedPayload, QUEUE_CHANNEL } from './dispatcher.ts';
import { joinQueue } from './entries.ts';

describe.each(DATABASE_KINDS)('targeted dispatch rounds on %s', (kind) => {
  const { h, skip } = useHarness(kind);
  const ids = new Map<string, string>();
  const names = new Map<string, string>();

  /** An available agent serving `queueId` (nothing notified: these tests say what the dispatcher hears). */
  const agent = async (name: string, queueId: string, priority = 0) => {
    const { rows } = await h().t.db.query<{ id: string }>(`insert into users (username, password_hash, role) values ($1, 'x', 'agent') returning id`, [name]);
    const id = rows[0]!.id;
    ids.set(name, id);
    names.set(id, name);
    await h().runtime.agents.setPresence(id, 'available');
    await h().runtime.queues.startService(id, queueId, priority);
    return id;
  };
  const join = (customer: string, queueId: string) => joinQueue(h().t.db, { queueId, customer }, h().clock.now());
  const dispatcher = () => h().runtime.dispatcher;
  const later = (ms: number) => h().clock.set(h().clock.now() + ms);
  const offers = async () => {
    const { rows } = await h().t.db.query<{ agent_id: string; customer: string }>(
      `select o.agent_id, e.customer from queue_offers o join queue_entries e on e.id = o.entry_id where o.state = 'pending' order by e.customer`,
    );
    return Object.fromEntries(rows.map((r) => [names.get(r.agent_id)!, r.customer]));
  };

  it.skipIf(skip)('a named agent is offered what a full round would give it: the first customer of its highest-priority queue', async () => {
    await h().runtime.queues.create({ id: 'low', priority: 0 });
    await h().runtime.queues.create({ id: 'high', priority: 5 });
    await agent('ann', 'low');
    await join('carl', 'low');
    await join('dora', 'high');
    later(1_000);
    await join('emil', 'high');
    await dispatcher().round(); // the first round is full: ann serves only "low"
    expect(await offers()).toEqual({ ann: 'carl' });

    const bob = await agent('bob', 'low');
    await h().runtime.queues.startService(bob, 'high', 0);
    dispatcher().noticed(agentFreedPayload(bob));
    expect((await dispatcher().round()).offered).toBe(1);
    expect(await offers()).toEqual({ ann: 'carl', bob: 'dora' });
  });

  it.skipIf(skip)('a free agent nobody named waits for the next full round, at most 500 ms later', async () => {
    await h().runtime.queues.create({ id: 'q' });
    await join('carl', 'q');
    await join('dora', 'q');
    await dispatcher().round();
    const ann = await agent('ann', 'q');
    await agent('bob', 'q'); // freed without a word to the dispatcher
    dispatcher().noticed(agentFreedPayload(ann));
    await dispatcher().round();
    expect(await offers()).toEqual({ ann: 'carl' });
    later(499);
    dispatcher().noticed(agentFreedPayload(ann));
    await dispatcher().round();
    expect(await offers()).toEqual({ ann: 'carl' });
    later(1);
    dispatcher().noticed(agentFreedPayload(ann));
    await dispatcher().round();
    expect(await offers()).toEqual({ ann: 'carl', bob: 'dora' });
  });

  it.skipIf(skip)('any other notification (a queue, a word) makes the next round full', async () => {
    await h().runtime.queues.create({ id: 'q' });
    await dispatcher().round();
    await agent('ann', 'q');
    await agent('bob', 'q');
    await join('carl', 'q');
    await join('dora', 'q');
    dispatcher().noticed(agentFreedPayload(ids.get('ann')!));
    dispatcher().noticed('q');
    expect((await dispatcher().round()).offered).toBe(2);
    expect(Object.keys(await offers()).sort()).toEqual(['ann', 'bob']);
  });

  it.skipIf(skip)('an offer that timed out makes the round full: its customer waits again for any free agent', async () => {
    await h().runtime.queues.create({ id: 'q', offerTimeoutSec: 10 });
    await agent('ann', 'q');
    await join('carl', 'q');
    await dispatcher().round();
    expect(await offers()).toEqual({ ann: 'carl' });
    await agent('bob', 'q'); // free, unnamed
    later(5_000);
    const cid = await agent('cid', 'q');
    later(4_999);
    await dispatcher().round(); // full, nothing to offer: the next one, 1 ms later, is not due to be full
    later(1);
    dispatcher().noticed(agentFreedPayload(cid));
    const r = await dispatcher().round();
    expect(r.timedOut).toBe(1);
    // Full: bob, idle longest (ann is cooling for carl), gets carl back; a round of cid alone would have given it to cid.
    expect((await offers()).bob).toBe('carl');
  });

  it.skipIf(skip)('a customer leaving names the agent its offer was made to: that agent gets the next customer in a targeted round', async () => {
    await h().runtime.queues.create({ id: 'q' });
    await dispatcher().round();
    const ann = await agent('ann', 'q');
    await join('carl', 'q');
    await join('dora', 'q');
    dispatcher().noticed(agentFreedPayload(ann));
    await dispatcher().round();
    expect(await offers()).toEqual({ ann: 'carl' });
    const heard: string[] = [];
    const stop = await h().t.db.listen(QUEUE_CHANNEL, (p) => heard.push(p));
    try {
      await dispatcher().leave('carl');
      await expect.poll(() => heard).toContain(agentFreedPayload(ann));
    } finally {
      await stop();
    }
    for (const p of heard) dispatcher().noticed(p);
    await dispatcher().round();
    expect(await offers()).toEqual({ ann: 'dora' });
  });

  it.skipIf(skip || kind === 'pglite')('a round that finds another process in a round keeps the names for its next one', async () => {
    await h().runtime.queues.create({ id: 'q' });
    await dispatcher().round();
    await join('carl', 'q');
    const ann = await agent('ann', 'q');
    dispatcher().noticed(agentFreedPayload(ann));
    // Another session holds the dispatch lock, as a round in another process does.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const taken = new Promise<void>((r) => (locked = r));
    const other = h().t.db.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('tellflow:dispatch'))`);
      locked();
      await held;
    });
    await taken;
    expect((await dispatcher().round()).offered).toBe(0);
    release();
    await other;
    expect((await dispatcher().round()).offered).toBe(1);
    expect(await offers()).toEqual({ ann: 'carl' });
  });
});

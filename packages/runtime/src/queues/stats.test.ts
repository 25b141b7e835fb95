/**
 * Handle time, estimated wait and queue statistics against one scripted
 * history, on both databases, with the injected clock: every figure is
 * worked out by hand in the comments and checked exactly.
 *
 * Queue `sales`: service level 20 s, short abandon 5 s, wrap-up 10 s,
 * offers time out after 20 s, a rejected customer is not re-offered to the
 * same agent for 30 s. Agents ann (priority 2) and bob (priority 1).
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../metrics.ts';
import { doc, T0, useHarness } from '../test-support.ts';
import { joinQueue, leaveQueue, waitingIn } from './entries.ts';
import { serveEntry } from './serve.ts';
import { queueStats } from './stats.ts';

const at = (sec: number) => new Date(T0 + sec * 1000);

describe.each(DATABASE_KINDS)('queue handle time, estimated wait and statistics on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  const db = () => h().t.db;
  const now = () => h().clock.now();
  /** Moves the clock to T0 + sec (letting the runtime do what became due). */
  const to = async (sec: number) => h().advance(T0 + sec * 1000 - now());
  const agent = async (username: string, priority: number) => {
    const { rows } = await db().query<{ id: string }>(`insert into users (username, password_hash, role) values ($1, 'x', 'agent') returning id`, [username]);
    const id = rows[0]!.id;
    await h().runtime.agents.setPresence(id, 'available');
    await h().runtime.queues.startService(id, 'sales', priority);
    return id;
  };
  const join = (customer: string) => joinQueue(db(), { queueId: 'sales', customer }, now());
  const aht = async () => (await db().query<{ aht_ms: number | null }>(`select aht_ms from queues where id = 'sales'`)).rows[0]!.aht_ms;
  const offerOf = async (entryId: number) =>
    (await db().query<{ agent_id: string }>(`select agent_id from queue_offers where entry_id = $1 and state = 'pending'`, [entryId])).rows[0]?.agent_id;

  it.skipIf(skip)('keeps the smoothed handle time on every serving path, and counts every figure of a scripted history', async () => {
    await h().runtime.queues.create({
      id: 'sales',
      serviceLevelSec: 20,
      shortAbandonSec: 5,
      wrapUpSec: 10,
      offerTimeoutSec: 20,
      reofferDelaySec: 30,
      consecutiveTimeoutsToDnd: 0,
    });
    await h().publish(
      doc(
        'queued',
        [
          { id: 'start', type: 'start' },
          { id: 'q', type: 'queue', params: { queue: 'sales' } },
          { id: 'talk', type: 'wait', params: { seconds: 45 } },
          { id: 'end', type: 'end' },
        ],
        [
          ['start:next', 'q'],
          ['q:assigned', 'talk'],
          ['talk:next', 'end'],
        ],
      ),
    );
    const ann = await agent('ann', 2);
    const bob = await agent('bob', 1);
    const d = h().runtime.dispatcher;
    expect(await aht()).toBeNull();

    await to(10);
    const c1 = await join('c1');
    await to(12);
    const c2 = await join('c2');
    await to(15);
    expect((await d.round()).offered).toBe(2); // c1 → ann, c2 → bob (agent priority)
    expect([await offerOf(c1), await offerOf(c2)]).toEqual([ann, bob]);
    await to(18);
    await d.accept(ann); // c1 answered after 8 s: within the service level
    await to(20);
    await d.reject(bob, 'on a break'); // c2 keeps its place; bob is not offered it again until 50
    await to(25);
    await join('c3');
    await to(27);
    await leaveQueue(db(), 'c3', now()); // 2 s: a short abandon
    await to(30);
    const c4 = await join('c4');

    // The API path: c1 served at 78 after 60 s with ann, plus 10 s wrap-up = 70 s, the first sample as it is.
    await to(78);
    expect(await serveEntry(db(), c1, now())).toEqual({ queueId: 'sales', agentId: ann, handleMs: 70_000 });
    expect(await aht()).toBe(70_000);
    const wrap = await db().query<{ wrap_until: Date }>('select wrap_until from agent_presence where user_id = $1', [ann]);
    expect(wrap.rows[0]!.wrap_until).toEqual(at(88));
    await expect(serveEntry(db(), c1, now())).rejects.toMatchObject({ status: 409, message: `queue entry ${c1} is served, not being served by an agent` });
    await expect(serveEntry(db(), c2, now())).rejects.toMatchObject({ status: 409 });
    await expect(serveEntry(db(), 999_999, now())).rejects.toMatchObject({ status: 404 });
    expect(await aht()).toBe(70_000);

    await to(90);
    expect((await d.round()).offered).toBe(2); // c2 → ann (wrap-up over), c4 → bob
    expect([await offerOf(c2), await offerOf(c4)]).toEqual([ann, bob]);
    await to(95);
    await d.accept(ann); // c2 answered after 83 s: outside the service level
    await to(110);
    expect(await d.round()).toEqual({ offered: 0, timedOut: 1, waitTimedOut: 0 }); // bob let c4 time out
    await to(120);
    await leaveQueue(db(), 'c4', now()); // 90 s: abandoned
    await to(125);
    // c2: 30 s + 10 s = 40 s → (3 × 70 + 40) / 4 = 62.5 s.
    expect((await serveEntry(db(), c2, now())).handleMs).toBe(40_000);
    expect(await aht()).toBe(62_500);

    // The trigger path: a scenario's caller, served when its execution ends.
    await to(130);
    const x = await h().runtime.start('queued');
    await h().runtime.drain();
    await to(131);
    expect((await d.round()).offered).toBe(1); // c5 → bob (ann in wrap-up until 135)
    await to(133);
    await d.accept(bob); // c5 answered after 3 s
    await h().runtime.drain();
    await to(140);
    const c6 = await join('c6');
    await to(141);
    expect((await d.round()).offered).toBe(1);
    expect(await offerOf(c6)).toBe(ann);
    await to(143);
    await leaveQueue(db(), 'c6', now()); // 3 s: a short abandon; ann's offer is cancelled
    await to(178); // the execution's 45 s wait ends: c5 served, 45 s + 10 s = 55 s → (3 × 62.5 + 55) / 4 = 60.625 s
    expect((await h().runtime.execution(x)).status).toBe('completed');
    expect(await aht()).toBe(60_625);
    const served = await db().query<{ data: unknown; reason: string }>(`select data, reason from queue_events where kind = 'served' order by id`);
    expect(served.rows).toEqual([
      { data: { servedMs: 60_000, wrapUpMs: 10_000, handleMs: 70_000 }, reason: 'the agent finished' },
      { data: { servedMs: 30_000, wrapUpMs: 10_000, handleMs: 40_000 }, reason: 'the agent finished' },
      { data: { servedMs: 45_000, wrapUpMs: 10_000, handleMs: 55_000 }, reason: 'the execution ended' },
    ]);

    await to(179);
    for (const c of ['c7', 'c8', 'c9']) await join(c);
    await to(180);

    // Estimated wait: 60.625 s × position ÷ 2 signed-in agents (ann free, bob in wrap-up), rounded.
    expect((await waitingIn(db(), 'sales', now())).map((e) => [e.customer, e.position, e.estimatedWaitSec])).toEqual([
      ['c7', 1, 30],
      ['c8', 2, 61],
      ['c9', 3, 91],
    ]);

    const stats = await queueStats(db(), 'sales', now(), 900);
    expect(stats).toEqual({
      queueId: 'sales',
      at: at(180),
      serviceLevelSec: 20,
      shortAbandonSec: 5,
      now: {
        queueId: 'sales',
        waiting: 3,
        longestWaitSec: 1,
        agentsServing: 2,
        agentsFree: 1,
        agentsBusy: 1,
        offersPending: 0,
        beingServed: 0,
        averageHandleTimeSec: 60.625,
        estimatedWaitSec: 121, // a fourth customer: 60.625 × 4 ÷ 2
      },
      window: {
        from: at(-720),
        to: at(180),
        seconds: 900,
        offers: { offered: 6, accepted: 3, rejected: 1, timedOut: 1, cancelled: 1 },
        joined: 9, // c1 … c9
        answered: 3,
        answeredWithinServiceLevel: 2, // c1 (8 s), c5 (3 s); not c2 (83 s)
        abandoned: 1, // c4
        shortAbandoned: 2, // c3, c6
        waitTimedOut: 0,
        overflowed: 0,
        served: 3,
        averageSpeedOfAnswerSec: 31.333, // (8 + 83 + 3) ÷ 3
        averageHandleTimeSec: 55, // (70 + 40 + 55) ÷ 3
        serviceLevel: 0.5, // 2 ÷ (3 answered + 1 abandoned)
      },
    });

    // The last minute, (120, 180]: c4's abandon at exactly 120 is out.
    expect((await queueStats(db(), 'sales', now(), 60)).window).toEqual({
      from: at(120),
      to: at(180),
      seconds: 60,
      offers: { offered: 2, accepted: 1, rejected: 0, timedOut: 0, cancelled: 1 },
      joined: 5, // c5 … c9
      answered: 1,
      answeredWithinServiceLevel: 1,
      abandoned: 0,
      shortAbandoned: 1,
      waitTimedOut: 0,
      overflowed: 0,
      served: 2,
      averageSpeedOfAnswerSec: 3,
      averageHandleTimeSec: 47.5,
      serviceLevel: 1,
    });

    // Nothing happened in the last second, (179, 180]: no averages, no service level.
    expect((await queueStats(db(), 'sales', now(), 1)).window).toMatchObject({
      offers: { offered: 0, accepted: 0, rejected: 0, timedOut: 0, cancelled: 0 },
      joined: 0,
      answered: 0,
      averageSpeedOfAnswerSec: null,
      averageHandleTimeSec: null,
      serviceLevel: null,
    });

    const metrics = renderPrometheus(await h().runtime.metrics());
    expect(metrics).toContain('tellflow_queue_waiting{queue="sales"} 3\n');
    expect(metrics).toContain('tellflow_queue_longest_wait_seconds{queue="sales"} 1\n');
    expect(metrics).toContain('tellflow_queue_agents{queue="sales",state="free"} 1\n');
    expect(metrics).toContain('tellflow_queue_agents{queue="sales",state="busy"} 1\n');
    expect(metrics).toContain('tellflow_queue_offers_pending{queue="sales"} 0\n');

    // bob signs out: one agent left, the waits double.
    await h().runtime.agents.setPresence(bob, 'offline');
    expect((await waitingIn(db(), 'sales', now())).map((e) => e.estimatedWaitSec)).toEqual([61, 121, 182]);
    // ann is offered c7: pending, and the queue's figures say so.
    expect((await d.round()).offered).toBe(1);
    expect((await queueStats(db(), 'sales', now(), 900)).now).toMatchObject({
      waiting: 3,
      offersPending: 1,
      agentsFree: 0,
      agentsBusy: 1,
      estimatedWaitSec: 243,
    });
    expect(renderPrometheus(await h().runtime.metrics())).toContain('tellflow_queue_offers_pending{queue="sales"} 1\n');
    // Nobody signed in: no estimate.
    await h().runtime.agents.setPresence(ann, 'offline');
    expect((await queueStats(db(), 'sales', now(), 900)).now.estimatedWaitSec).toBeNull();
    await expect(queueStats(db(), 'nope', now(), 900)).rejects.toMatchObject({ status: 404 });
  });

  it.skipIf(skip)('counts a caller hanging up while offered (its offer cancelled), overflows and wait timeouts, each in its own queue', async () => {
    await h().runtime.queues.create({ id: 'back', maxWaitSec: 30 });
    await h().runtime.queues.create({ id: 'sales', maxWaitSec: 60, overflowQueueId: 'back' });
    await h().publish(
      doc(
        'queued',
        [
          { id: 'start', type: 'start' },
          { id: 'q', type: 'queue', params: { queue: 'sales' } },
          { id: 'end', type: 'end' },
        ],
        [['start:next', 'q']],
      ),
    );
    const ann = await agent('ann', 0);
    const d = h().runtime.dispatcher;
    const x = await h().runtime.start('queued');
    await h().runtime.drain();
    await to(1);
    expect((await d.round()).offered).toBe(1);
    await to(3);
    await h().runtime.cancel(x); // the caller hangs up after 3 s: a short abandon, ann's offer cancelled
    await h().runtime.drain();
    const events = await db().query<{ kind: string; at: Date; agent_id: string | null }>(
      `select kind, at, agent_id from queue_events where kind in ('cancelled', 'abandoned') order by id`,
    );
    expect(events.rows).toEqual([
      { kind: 'cancelled', at: at(3), agent_id: ann },
      { kind: 'abandoned', at: at(3), agent_id: null },
    ]);

    await h().runtime.agents.setPresence(ann, 'dnd');
    await to(10);
    await join('d');
    await to(70);
    expect((await d.round()).waitTimedOut).toBe(0); // d overflows to back, waiting there from 70
    await to(100);
    await d.round(); // and waits too long there
    const sales = (await queueStats(db(), 'sales', now(), 900)).window;
    expect(sales).toMatchObject({
      offers: { offered: 1, accepted: 0, rejected: 0, timedOut: 0, cancelled: 1 },
      joined: 2,
      answered: 0,
      abandoned: 0,
      shortAbandoned: 1,
      overflowed: 1,
      waitTimedOut: 0,
      serviceLevel: null,
    });
    expect((await queueStats(db(), 'back', now(), 900)).window).toMatchObject({ joined: 0, overflowed: 0, waitTimedOut: 1, abandoned: 0 });
  });
});

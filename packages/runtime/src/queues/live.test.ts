/**
 * The queues' live events under load: changes are published as state, so
 * changes that come while a publication is pending fold into it (one status
 * per queue, one position per waiting customer), instead of each publishing
 * everything again and the events (offers among them) falling behind.
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../test-support.ts';
import { joinQueue } from './entries.ts';

describe.each(DATABASE_KINDS)('queue live events on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  it.skipIf(skip)('a burst of changes to a queue is published once: its status, and each waiting customer its latest position', async () => {
    const { runtime, t, clock } = h();
    const db = t.db;
    await runtime.queues.create({ id: 'support' });
    await runtime.queues.create({ id: 'sales' });
    for (const c of ['web:1', 'web:2', 'web:3']) await joinQueue(db, { queueId: 'support', customer: c }, clock.now());
    // web:1 has left: what goes out is the state now, its final one included.
    await db.query(`update queue_entries set state = 'left', ended_at = $1 where customer = 'web:1'`, [new Date(clock.now())]);
    const live = runtime.queueLive;
    for (let i = 0; i < 50; i++) live.queuesChanged(['support']);
    live.queuesChanged(['sales']);
    await live.settled();

    const { rows } = await db.query<{ type: string; data: { queueId?: string; waiting?: number; entry?: { customer: string; position: number | null } } }>(
      `select type, data from live_events where type in ('queue.status', 'queue.position') order by id`,
    );
    expect(rows.filter((r) => r.type === 'queue.status').map((r) => [r.data.queueId, r.data.waiting])).toEqual([
      ['support', 2],
      ['sales', 0],
    ]);
    expect(rows.filter((r) => r.type === 'queue.position').map((r) => [r.data.entry!.customer, r.data.entry!.position])).toEqual([
      ['web:2', 1],
      ['web:3', 2],
      ['web:1', null],
    ]);

    // A change after that pass is a pass of its own.
    live.queuesChanged(['support']);
    await live.settled();
    const { rows: after } = await db.query<{ n: number }>(`select count(*)::int as n from live_events where type = 'queue.status'`);
    expect(after[0]!.n).toBe(3);
  });

  it.skipIf(skip)('an offer goes out ahead of the figures of the round that made it: the agent is not kept waiting behind every position', async () => {
    const { runtime, t, clock } = h();
    const db = t.db;
    await runtime.queues.create({ id: 'support' });
    const { rows } = await db.query<{ id: string }>(`insert into users (username, password_hash, role) values ('ann', 'x', 'agent') returning id`);
    const ann = rows[0]!.id;
    await runtime.agents.setPresence(ann, 'available');
    await runtime.queues.startService(ann, 'support');
    await runtime.queueLive.settled();
    const before = await db.query<{ id: string }>('select coalesce(max(id), 0)::text as id from live_events');
    for (let i = 1; i <= 100; i++) await joinQueue(db, { queueId: 'support', customer: `web:${i}` }, clock.now());

    // The round tells of the queue's change first, then of the offer: the offer is published first all the same.
    expect(await runtime.dispatcher.round()).toMatchObject({ offered: 1 });
    await runtime.queueLive.settled();
    const { rows: published } = await db.query<{ type: string; audience: { users?: string[]; customers?: string[] }; data: { state?: string } }>(
      'select type, audience, data from live_events where id > $1 order by id',
      [before.rows[0]!.id],
    );
    expect(published.map((e) => e.type)).toEqual(['queue.offer', 'queue.status', ...Array(100).fill('queue.position')]);
    expect(published[0]).toMatchObject({ audience: { users: [ann] }, data: { state: 'pending' } });
  });
});

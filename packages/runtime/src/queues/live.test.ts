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
});

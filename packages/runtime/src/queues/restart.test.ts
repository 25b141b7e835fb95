/**
 * Waiting customers survive a restart of every process, with the same
 * positions (beyond FreeSWITCH and Asterisk, which lose them): the queue is
 * rows, not memory. Every runtime is dropped as a kill would drop it (no
 * close, nothing handed over) and new ones start on the same database (on
 * PostgreSQL through a new connection pool, as a new process would).
 */
import { createDatabase, type Database } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { doc, harness, useHarness, type Harness } from '../test-support.ts';
import { joinQueue, waitingIn } from './entries.ts';

describe.each(DATABASE_KINDS)('queues across a restart on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  it.skipIf(skip)('every process killed and started again: the same customers in the same positions, the pending offer expires and is made again', async () => {
    const before = h();
    const db = before.t.db;
    await before.runtime.queues.create({ id: 'support', offerTimeoutSec: 20, reofferDelaySec: 0 });
    const { rows } = await db.query<{ id: string }>(`insert into users (username, password_hash, role) values ('ann', 'x', 'agent') returning id`);
    const ann = rows[0]!.id;
    await before.runtime.agents.setExtensions(ann, ['101']);
    await before.runtime.agents.setPresence(ann, 'available');
    await before.runtime.queues.startService(ann, 'support');
    await before.publish(
      doc(
        'waiter',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'caller', type: 'string', required: true }] } },
          { id: 'q', type: 'queue', params: { queue: 'support', customer: { var: 'caller' }, into: 'queued' } },
          { id: 'served', type: 'end', params: { result: { var: 'queued' } } },
          { id: 'other', type: 'end', params: { result: 'not served' } },
        ],
        [
          ['start:next', 'q'],
          ['q:assigned', 'served'],
          ['q:timeout', 'other'],
          ['q:left', 'other'],
        ],
      ),
    );
    // Callers through the node and customers through the API, interleaved, one with a priority of its own.
    const first = await before.runtime.start('waiter', { input: { caller: '+15550001' } });
    await before.runtime.drain();
    await before.advance(1_000);
    await joinQueue(db, { queueId: 'support', customer: 'web:1', callbackNumber: '+15550900' }, before.clock.now());
    await before.advance(1_000);
    await before.runtime.start('waiter', { input: { caller: '+15550002' } });
    await before.runtime.drain();
    await before.advance(1_000);
    await joinQueue(db, { queueId: 'support', customer: 'web:2', priority: 9 }, before.clock.now());
    expect(await before.runtime.dispatcher.round()).toMatchObject({ offered: 1 });
    const positions = await waitingIn(db, 'support', before.clock.now());
    expect(positions.map((e) => [e.customer, e.position, e.state])).toEqual([
      ['web:2', 1, 'offered'],
      ['+15550001', 2, 'waiting'],
      ['web:1', 3, 'waiting'],
      ['+15550002', 4, 'waiting'],
    ]);

    // Killed: nothing closed, nothing handed over; the old clock and simulator go with it.
    before.sim.dispose();
    let second: Database | undefined;
    let after: Harness | undefined;
    try {
      second = before.t.url ? await createDatabase({ url: before.t.url, max: 3 }) : db;
      after = harness({ ...before.t, db: second });
      await after.clock.advance(before.clock.now() - after.clock.now());
      expect(await waitingIn(second, 'support', after.clock.now())).toEqual(positions);

      // The offer made before the kill runs out on the new processes' clock, and is made again (the entry kept its place).
      expect(await after.runtime.dispatcher.round()).toEqual({ offered: 0, timedOut: 0, waitTimedOut: 0 });
      await after.advance(20_000);
      expect(await after.runtime.dispatcher.round()).toEqual({ offered: 1, timedOut: 1, waitTimedOut: 0 });
      const again = await waitingIn(second, 'support', after.clock.now());
      expect(again.map((e) => [e.id, e.position, e.state])).toEqual(positions.map((e) => [e.id, e.position, e.state]));

      // Served on in order: the API customer, then the first caller, whose execution goes on in the new process.
      await after.runtime.dispatcher.accept(ann);
      // An API customer's service ends through the API (another branch); here, as that route would record it.
      await second.query(`update queue_entries set state = 'served', ended_at = $1 where customer = 'web:2'`, [new Date(after.clock.now())]);
      await after.runtime.dispatcher.round();
      await after.runtime.dispatcher.accept(ann);
      await after.runtime.drain();
      expect(await after.runtime.execution(first)).toMatchObject({ status: 'completed', result: { outcome: 'assigned', agent: '101' } });
      expect((await waitingIn(second, 'support', after.clock.now())).map((e) => [e.customer, e.position])).toEqual([
        ['web:1', 1],
        ['+15550002', 2],
      ]);
      const { rows: all } = await second.query<{ n: number }>('select count(*)::int as n from queue_entries');
      expect(all[0]!.n).toBe(4);
    } finally {
      await after?.close();
      if (second && second !== db) await second.close();
    }
  });
});

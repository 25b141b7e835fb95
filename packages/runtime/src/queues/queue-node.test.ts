/**
 * The `queue` node end to end, on both databases: a scenario's caller waits,
 * the dispatcher offers it to a free agent serving the queue, and the node
 * goes on with `assigned` (the agent's extension in its variable), `left`,
 * or `timeout` (the queue's max wait, or the node's own timeoutSec); an
 * execution ending takes its entry with it (served, with wrap-up, or left).
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import type { Json } from '@tellflow/engine';
import { describe, expect, it } from 'vitest';
import { completeEffect } from '../sql/effects.ts';
import { doc, T0, useHarness } from '../test-support.ts';
import { leaveQueue, waitingIn } from './entries.ts';

describe.each(DATABASE_KINDS)('the queue node on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  const agent = async (username: string, extension: string) => {
    const { rows } = await h().t.db.query<{ id: string }>(`insert into users (username, password_hash, role) values ($1, 'x', 'agent') returning id`, [
      username,
    ]);
    const id = rows[0]!.id;
    await h().runtime.agents.setExtensions(id, [extension]);
    await h().runtime.agents.setPresence(id, 'available');
    await h().runtime.queues.startService(id, 'support');
    return id;
  };

  /** caller → queue (support) → assigned: a 60 s talk, then the end with the queue's variable; timeout and left end at once. */
  const publishWaiter = (params: Record<string, Json> = {}) =>
    h().publish(
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
      ),
    );

  const entry = async (customer: string) =>
    (
      await h().t.db.query<{ id: number; state: string; agent_id: string | null; reason: string | null }>(
        'select id, state, agent_id, reason from queue_entries where customer = $1 order by id desc limit 1',
        [customer],
      )
    ).rows[0]!;
  const offers = async () =>
    (await h().t.db.query<{ agent_id: string; state: string }>('select agent_id, state from queue_offers order by id')).rows.map((o) => o.state);
  const events = async () => (await h().t.db.query<{ kind: string }>('select kind from queue_events order by id')).rows.map((e) => e.kind);
  const execution = (id: string) => h().runtime.execution(id);

  it.skipIf(skip)('waits; is offered to a free agent; on accept goes on `assigned` with the agent; its end serves the entry and starts wrap-up', async () => {
    await h().runtime.queues.create({ id: 'support', wrapUpSec: 30 });
    const ann = await agent('ann', '101');
    await publishWaiter();
    const x = await h().runtime.start('waiter', { input: { caller: '+15550001' } });
    await h().runtime.drain();
    expect((await execution(x)).status).toBe('waiting');
    expect(await waitingIn(h().t.db, 'support', h().clock.now())).toMatchObject([{ customer: '+15550001', position: 1, state: 'waiting' }]);

    await h().advance(5_000);
    expect(await h().runtime.dispatcher.round()).toMatchObject({ offered: 1 });
    expect((await entry('+15550001')).state).toBe('offered');
    expect((await h().runtime.agents.get(ann)).state).toBe('busy');

    await h().runtime.dispatcher.accept(ann);
    await h().runtime.drain();
    expect((await entry('+15550001')).state).toBe('assigned');
    expect((await execution(x)).status).toBe('waiting'); // talking (the wait node)

    await h().advance(60_000);
    expect((await execution(x)).result).toEqual({ outcome: 'assigned', agent: '101', waitedMs: 5_000 });
    expect(await entry('+15550001')).toMatchObject({ state: 'served', agent_id: ann });
    const a = await h().runtime.agents.get(ann);
    expect(a.state).toBe('wrapUp');
    expect(a.wrapUntil?.getTime()).toBe(T0 + 65_000 + 30_000);
    expect(await events()).toEqual(['startService', 'joined', 'offered', 'accepted', 'served']);
  });

  it.skipIf(skip)('goes on `left` when the customer leaves; a pending offer is cancelled', async () => {
    await h().runtime.queues.create({ id: 'support' });
    const ann = await agent('ann', '101');
    await publishWaiter();
    const x = await h().runtime.start('waiter', { input: { caller: '+15550002' } });
    await h().runtime.drain();
    await h().runtime.dispatcher.round();
    const left = await leaveQueue(h().t.db, '+15550002', h().clock.now(), 'the caller hung up');
    expect(left.cancelledOffer?.agentId).toBe(ann);
    await h().runtime.drain();
    expect((await execution(x)).result).toBe('left');
    expect(await entry('+15550002')).toMatchObject({ state: 'left', reason: 'the caller hung up' });
    expect(await offers()).toEqual(['cancelled']);
    expect((await h().runtime.agents.get(ann)).state).toBe('available');
  });

  it.skipIf(skip)("goes on `timeout` after the queue's max wait", async () => {
    await h().runtime.queues.create({ id: 'support', maxWaitSec: 60 });
    await publishWaiter();
    const x = await h().runtime.start('waiter', { input: { caller: '+15550003' } });
    await h().runtime.drain();
    await h().advance(59_000);
    expect(await h().runtime.dispatcher.round()).toMatchObject({ waitTimedOut: 0 });
    await h().advance(1_000);
    expect(await h().runtime.dispatcher.round()).toMatchObject({ waitTimedOut: 1 });
    await h().runtime.drain();
    expect((await execution(x)).result).toBe('timeout');
    expect((await entry('+15550003')).state).toBe('timedOut');
  });

  it.skipIf(skip)("goes on `timeout` after the node's own timeoutSec: the entry ends timed out, a pending offer is cancelled", async () => {
    await h().runtime.queues.create({ id: 'support', offerTimeoutSec: 120 });
    const ann = await agent('ann', '101');
    await publishWaiter({ timeoutSec: 30 });
    const x = await h().runtime.start('waiter', { input: { caller: '+15550004' } });
    await h().runtime.drain();
    await h().runtime.dispatcher.round();
    expect(await offers()).toEqual(['pending']);

    await h().advance(30_000);
    expect((await execution(x)).result).toBe('timeout');
    expect(await entry('+15550004')).toMatchObject({ state: 'timedOut', reason: "the queue node's timeout passed" });
    expect(await offers()).toEqual(['cancelled']);
    expect((await h().runtime.agents.get(ann)).state).toBe('available');
    await expect(h().runtime.dispatcher.accept(ann)).rejects.toMatchObject({ status: 409 });
    expect(await events()).toEqual(['startService', 'joined', 'offered', 'cancelled', 'waitTimedOut']);
  });

  it.skipIf(skip)('an accept that comes after the node stopped waiting is refused and changes nothing', async () => {
    await h().runtime.queues.create({ id: 'support' });
    const ann = await agent('ann', '101');
    await publishWaiter({ timeoutSec: 30 });
    const x = await h().runtime.start('waiter', { input: { caller: '+15550005' } });
    await h().runtime.drain();
    await h().runtime.dispatcher.round();
    // The runner took the node's timeout (its first statement) and has not yet ended the entry (its second).
    const { rows } = await h().t.db.query<{ step: number }>(`select step from effects where execution_id = $1 and kind = 'enqueue'`, [x]);
    expect(await completeEffect(h().t.db, x, rows[0]!.step, { outcome: 'timeout' }, h().clock.now())).toBe(true);
    await expect(h().runtime.dispatcher.accept(ann)).rejects.toMatchObject({ status: 409, message: expect.stringContaining('no longer waits') });
    expect((await entry('+15550005')).state).toBe('offered');
    expect(await offers()).toEqual(['pending']);
    await h().runtime.drain();
    expect((await execution(x)).result).toBe('timeout');
    // The execution's end takes the entry and the offer with it.
    expect((await entry('+15550005')).state).toBe('left');
    expect(await offers()).toEqual(['cancelled']);
  });

  it.skipIf(skip)('cancelling the execution while it waits: the entry ends `left` and a pending offer is cancelled', async () => {
    await h().runtime.queues.create({ id: 'support' });
    const ann = await agent('ann', '101');
    await publishWaiter();
    const x = await h().runtime.start('waiter', { input: { caller: '+15550006' } });
    await h().runtime.drain();
    await h().runtime.dispatcher.round();
    await h().runtime.cancel(x, 'the caller hung up');
    await h().runtime.drain();
    expect((await execution(x)).status).toBe('cancelled');
    expect(await entry('+15550006')).toMatchObject({ state: 'left', reason: `execution ${x} cancelled` });
    expect(await offers()).toEqual(['cancelled']);
    expect((await h().runtime.agents.get(ann)).state).toBe('available');
  });

  it.skipIf(skip)('a queue that does not exist, or a customer already waiting, fails the execution with why (no endless retry)', async () => {
    await publishWaiter();
    const x = await h().runtime.start('waiter', { input: { caller: '+15550007' } });
    await h().runtime.drain();
    expect(await execution(x)).toMatchObject({ status: 'failed', error: 'queue "support": queue "support" not found' });

    await h().runtime.queues.create({ id: 'support' });
    const first = await h().runtime.start('waiter', { input: { caller: '+15550008' } });
    const second = await h().runtime.start('waiter', { input: { caller: '+15550008' } });
    await h().runtime.drain();
    // The two start at once (in parallel on PostgreSQL): whichever joins first waits, the other fails with why.
    const both = [await execution(first), await execution(second)].sort((a, b) => a.status.localeCompare(b.status));
    expect(both.map((x) => x.status)).toEqual(['failed', 'waiting']);
    expect(both[0]).toMatchObject({ error: expect.stringContaining('already in queue "support"') });
  });
});

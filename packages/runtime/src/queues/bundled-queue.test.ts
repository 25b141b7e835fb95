/**
 * The bundled queue scenarios on both databases, against the telephony
 * simulator: `inbound-queue` (a caller waits, the agent who accepts is rung
 * and bridged to the caller) and callback in queue (`queue-callback`: a
 * customer who left a number keeps its place; the agent who accepts is rung
 * and the customer dialled back, bridged).
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { installBundled } from '../bundled.ts';
import { useHarness } from '../test-support.ts';
import { joinQueue, leaveQueue, waitingIn } from './entries.ts';

const RING_MS = 2_000; // the simulator's default delay from dial to outcome

describe.each(DATABASE_KINDS)('the bundled queue scenarios on %s', (kind) => {
  const { h, skip } = useHarness(kind, { rules: [], default: 'answered' }, { rules: [], default: 'answered' });

  const setUp = async (queue: Record<string, unknown> = {}) => {
    await installBundled(h().runtime);
    await h().runtime.queues.create({ id: 'support', wrapUpSec: 20, ...queue });
    const { rows } = await h().t.db.query<{ id: string }>(`insert into users (username, password_hash, role) values ('ann', 'x', 'agent') returning id`);
    const ann = rows[0]!.id;
    await h().runtime.agents.setExtensions(ann, ['101']);
    await h().runtime.agents.setPresence(ann, 'available');
    await h().runtime.queues.startService(ann, 'support');
    return ann;
  };
  const entry = async (customer: string) =>
    (
      await h().t.db.query<{ state: string; execution_id: string | null }>(
        'select state, execution_id from queue_entries where customer = $1 order by id desc limit 1',
        [customer],
      )
    ).rows[0]!;
  /** The calls an execution placed, as the simulator sees them, in the order placed. */
  const calls = async (executionId: string) => {
    const x = await h().runtime.execution(executionId);
    return x.effects
      .filter((e) => e.kind === 'call' || e.kind === 'dial')
      .sort((a, b) => a.step - b.step)
      .map((e) => h().sim.get(e.externalId!)!);
  };
  /** The agent ends the conversation: submits the Queue call form. */
  const hangUpWithNotes = async (executionId: string) => {
    const [form] = await h().runtime.pendingForms(['101']);
    expect(form).toMatchObject({ executionId, assignee: '101', form: { title: 'Queue call' } });
    await h().runtime.submitForm(executionId, form!.step, { notes: 'sorted' });
    await h().runtime.drain();
  };

  it.skipIf(skip)('inbound-queue: the caller waits; the agent who accepts is called and bridged to the caller; the end serves the entry', async () => {
    const ann = await setUp();
    const x = await h().runtime.start('inbound-queue', { input: { caller: '+15550100' } });
    await h().runtime.drain();
    expect(await waitingIn(h().t.db, 'support', h().clock.now())).toMatchObject([{ customer: '+15550100', position: 1 }]);

    await h().runtime.dispatcher.round();
    await h().runtime.dispatcher.accept(ann);
    await h().advance(RING_MS); // the agent answers
    await h().advance(RING_MS); // the caller's leg answers
    const [agentCall, callerCall] = await calls(x);
    expect(agentCall).toMatchObject({ kind: 'operator', to: '101', state: 'answered', bridgedWith: callerCall!.callId });
    expect(callerCall).toMatchObject({ kind: 'customer', to: '+15550100', state: 'answered', bridgedWith: agentCall!.callId });
    expect(await entry('+15550100')).toMatchObject({ state: 'assigned', execution_id: x });

    await hangUpWithNotes(x);
    expect(await h().runtime.execution(x)).toMatchObject({ status: 'completed', result: 'served' });
    expect((await entry('+15550100')).state).toBe('served');
    expect((await h().runtime.agents.get(ann)).state).toBe('wrapUp');
    expect(h().sim.get(agentCall!.callId)?.state).toBe('ended');
  });

  it.skipIf(skip)("inbound-queue: priority overrides the queue's; the max wait and leaving end cleanly", async () => {
    await setUp({ maxWaitSec: 600 });
    await h().runtime.queues.create({ id: 'sales' });
    const plain = await h().runtime.start('inbound-queue', { input: { caller: '+15550101' } });
    const vip = await h().runtime.start('inbound-queue', { input: { caller: '+15550102', priority: 5 } });
    const gone = await h().runtime.start('inbound-queue', { input: { caller: '+15550103', queue: 'sales' } });
    await h().runtime.drain();
    expect((await waitingIn(h().t.db, 'support', h().clock.now())).map((e) => e.customer)).toEqual(['+15550102', '+15550101']);

    await leaveQueue(h().t.db, '+15550103', h().clock.now(), 'the caller hung up');
    await h().runtime.drain();
    expect(await h().runtime.execution(gone)).toMatchObject({ status: 'completed', result: 'left' });

    await h().advance(600_000);
    await h().runtime.dispatcher.round(); // nobody serves: both wait until the max wait
    await h().runtime.drain();
    for (const x of [plain, vip]) expect(await h().runtime.execution(x)).toMatchObject({ status: 'completed', result: 'timeout' });
    expect((await entry('+15550101')).state).toBe('timedOut');
  });

  it.skipIf(skip)(
    'callback in queue: a customer who left a number keeps its place; on accept the agent is called and the customer dialled back, bridged',
    async () => {
      const ann = await setUp();
      const id = await joinQueue(h().t.db, { queueId: 'support', customer: 'web:42', callbackNumber: '+15550200' }, h().clock.now());
      expect(await waitingIn(h().t.db, 'support', h().clock.now())).toMatchObject([{ customer: 'web:42', position: 1, callbackNumber: '+15550200' }]);

      await h().runtime.dispatcher.round();
      await h().runtime.dispatcher.accept(ann);
      // Started in the accept's transaction, and the entry is tied to it.
      const x = (await entry('web:42')).execution_id!;
      expect(await h().runtime.execution(x)).toMatchObject({ scenarioId: 'queue-callback', input: { agent: '101', number: '+15550200', entryId: Number(id) } });

      await h().advance(RING_MS);
      await h().advance(RING_MS);
      const [agentCall, customerCall] = await calls(x);
      expect(agentCall).toMatchObject({ kind: 'operator', to: '101', state: 'answered' });
      expect(customerCall).toMatchObject({ kind: 'customer', to: '+15550200', state: 'answered', bridgedWith: agentCall!.callId });
      expect(agentCall!.startedAt).toBeLessThan(customerCall!.startedAt);
      expect((await entry('web:42')).state).toBe('assigned');

      await hangUpWithNotes(x);
      expect(await h().runtime.execution(x)).toMatchObject({ status: 'completed', result: 'served' });
      expect((await entry('web:42')).state).toBe('served');
      expect((await h().runtime.agents.get(ann)).state).toBe('wrapUp');
    },
  );

  it.skipIf(skip)('callback in queue: without a published queue-callback the accept is refused and the offer stays', async () => {
    const ann = await setUp();
    await h().t.db.query(`update scenarios set published_version = null where id = 'queue-callback'`);
    await joinQueue(h().t.db, { queueId: 'support', customer: 'web:43', callbackNumber: '+15550201' }, h().clock.now());
    await h().runtime.dispatcher.round();
    await expect(h().runtime.dispatcher.accept(ann)).rejects.toMatchObject({
      status: 409,
      message: 'cannot call the customer back: scenario "queue-callback" has no published version',
    });
    expect(await entry('web:43')).toEqual({ state: 'offered', execution_id: null });
  });
});

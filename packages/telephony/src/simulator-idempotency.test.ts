import { ManualClock } from '@tellflow/clock';
import { describe, expect, it } from 'vitest';
import { InMemoryCallLogStore } from './call-log.ts';
import { TelephonySimulator } from './simulator.ts';
import { setup, T0 } from './test-helpers.ts';

describe('TelephonySimulator idempotency and call log', () => {
  it('a repeated key returns the existing call, places nothing new and is counted', async () => {
    const { clock, sim, events } = setup({ rules: [{ match: '*', outcome: 'busy', afterMs: 100 }] });
    const first = await sim.dial({ key: 'exec-1:dial', number: '+1', callerId: '+900' });
    const again = await sim.dial({ key: 'exec-1:dial', number: '+1', callerId: '+900' });
    expect(again).toEqual(first);
    await clock.advance(100);
    const late = await sim.dial({ key: 'exec-1:dial', number: '+1' });
    expect(late).toMatchObject({ callId: first.callId, state: 'ended', outcome: 'busy' });
    expect(events).toHaveLength(1);
    expect(clock.pending()).toBe(0);
    expect(await sim.callLog()).toEqual([
      {
        key: 'exec-1:dial',
        callId: first.callId,
        kind: 'customer',
        to: '+1',
        callerId: '+900',
        attempt: 1,
        outcome: 'busy',
        startedAt: T0,
        endedAt: T0 + 100,
        duplicateRequests: 2,
      },
    ]);
  });

  it('concurrent requests with one key become one call', async () => {
    const { sim } = setup();
    const calls = await Promise.all([1, 2, 3].map(() => sim.callOperator({ key: 'same', operator: 'op-1' })));
    expect(new Set(calls.map((c) => c.callId)).size).toBe(1);
    const log = await sim.callLog();
    expect(log).toHaveLength(1);
    expect(log[0]?.duplicateRequests).toBe(2);
  });

  it('duplicates do not advance a sequence', async () => {
    const { clock, sim } = setup({ rules: [{ match: '*', sequence: ['busy', 'answered'], afterMs: 0 }] });
    await sim.dial({ key: 'a', number: '+1' });
    await sim.dial({ key: 'a', number: '+1' });
    const second = await sim.dial({ key: 'b', number: '+1' });
    await clock.advance(0);
    expect(sim.get(second.callId)?.outcome).toBe('answered');
  });

  it('refuses a key reused for a different call', async () => {
    const { sim } = setup();
    await sim.dial({ key: 'k', number: '+1' });
    await expect(sim.dial({ key: 'k', number: '+2' })).rejects.toMatchObject({ code: 'keyConflict' });
    await expect(sim.callOperator({ key: 'k', operator: '+1' })).rejects.toThrow(/already used for a customer call to "\+1"/);
  });

  it('records every attempt with kind, outcome and times', async () => {
    const { clock, sim } = setup({ rules: [{ match: '+1', outcome: 'answered', afterMs: 10, talkMs: 20 }] });
    await sim.dial({ key: 'a', number: '+1' });
    await sim.callOperator({ key: 'b', operator: 'op' });
    await sim.dial({ key: 'c', number: '+1' });
    await clock.advance(1000);
    await sim.answer('call-2'); // operator calls are manual; still ringing within the 60s default
    const log = await sim.callLog();
    expect(log.map((e) => [e.key, e.kind, e.to, e.attempt, e.outcome, e.answeredAt, e.endedAt])).toEqual([
      ['a', 'customer', '+1', 1, 'answered', T0 + 10, T0 + 30],
      ['b', 'operator', 'op', 1, 'answered', T0 + 1000, undefined],
      ['c', 'customer', '+1', 2, 'answered', T0 + 10, T0 + 30],
    ]);
  });

  it('asks the store before placing: a key logged before a restart is never placed again', async () => {
    const store = new InMemoryCallLogStore();
    const clock = new ManualClock(T0);
    const before = new TelephonySimulator({ clock, rules: {}, log: store, newCallId: () => 'old-call' });
    await before.dial({ key: 'exec:3', number: '+1' });
    before.dispose(); // "kill -9": the ringing call never reports

    clock.set(T0 + 5000);
    const after = new TelephonySimulator({ clock, rules: {}, log: store, newCallId: () => 'new-call' });
    const events: unknown[] = [];
    after.onEvent((e) => events.push(e));
    const call = await after.dial({ key: 'exec:3', number: '+1' });
    expect(call).toMatchObject({
      callId: 'old-call',
      state: 'ended',
      outcome: 'failed',
      reason: 'call lost: placed before the simulator restarted',
      endedAt: T0 + 5000,
    });
    await clock.advance(60_000);
    expect(events).toEqual([]);
    const log = await after.callLog();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ callId: 'old-call', outcome: 'failed', duplicateRequests: 1 });
  });
});

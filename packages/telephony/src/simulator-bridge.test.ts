import { describe, expect, it } from 'vitest';
import { setup, T0 } from './test-helpers.ts';

async function twoAnsweredCalls(rules = {}) {
  const ctx = setup({ rules: [{ match: '*', outcome: 'answered', afterMs: 100 }], ...rules });
  const customer = await ctx.sim.dial({ key: 'e:1', number: '+1' });
  const operator = await ctx.sim.callOperator({ key: 'e:2', operator: 'op-1' });
  await ctx.sim.answer(operator.callId);
  await ctx.clock.advance(100);
  return { ...ctx, customer, operator };
}

describe('TelephonySimulator bridge and hangup', () => {
  it('bridges two answered calls; hanging up one hangs up both', async () => {
    const { sim, clock, customer, operator, timeline } = await twoAnsweredCalls();
    await sim.bridge(customer.callId, operator.callId);
    expect(sim.get(customer.callId)?.bridgedWith).toBe(operator.callId);
    expect(sim.get(operator.callId)?.bridgedWith).toBe(customer.callId);
    await sim.bridge(customer.callId, operator.callId); // a retry is a no-op

    await clock.advance(900);
    await sim.hangup(operator.callId);
    expect(timeline()).toEqual(['answered call-2 @0', 'answered call-1 @100', 'hungUp call-2 @1000', 'hungUp call-1 @1000']);
    expect(sim.get(customer.callId)).toMatchObject({ state: 'ended', endedAt: T0 + 1000 });
    await sim.hangup(customer.callId); // already ended: no-op, no new events
    expect(timeline()).toHaveLength(4);
  });

  it('a bridged call hanging up by itself (talkMs) takes its partner down', async () => {
    const { sim, clock, events } = setup({ rules: [{ match: '*', outcome: 'answered', afterMs: 0, talkMs: 500 }] });
    const a = await sim.dial({ key: 'a', number: '+1' });
    const b = await sim.callOperator({ key: 'b', operator: 'op' });
    await sim.answer(b.callId);
    await clock.advance(0);
    await sim.bridge(a.callId, b.callId);
    await clock.advance(500);
    expect(events.filter((e) => e.type === 'hungUp').map((e) => [e.callId, e.reason])).toEqual([
      [a.callId, 'remote party hung up'],
      [b.callId, `bridged call ${a.callId} hung up`],
    ]);
  });

  it('refuses to bridge calls that are not both answered', async () => {
    const { sim, clock } = setup({ rules: [{ match: '+2', outcome: 'busy', afterMs: 0 }] });
    const ringing = await sim.callOperator({ key: 'op', operator: 'op-1' });
    const answered = await sim.dial({ key: 'a', number: '+1', timeoutSec: 300 });
    const busy = await sim.dial({ key: 'b', number: '+2' });
    await clock.advance(2000);
    await expect(sim.bridge(answered.callId, ringing.callId)).rejects.toThrow(`cannot bridge call "${ringing.callId}": it is ringing, not answered`);
    await expect(sim.bridge(busy.callId, answered.callId)).rejects.toThrow(/it is ended, not answered/);
    await expect(sim.bridge(answered.callId, answered.callId)).rejects.toThrow(/with itself/);
    await expect(sim.bridge(answered.callId, 'ghost')).rejects.toThrow('unknown callId "ghost"');
  });

  it('refuses to bridge a call that is already bridged elsewhere', async () => {
    const { sim, customer, operator } = await twoAnsweredCalls();
    const third = await sim.callOperator({ key: 'e:3', operator: 'op-2' });
    await sim.answer(third.callId);
    await sim.bridge(customer.callId, operator.callId);
    await expect(sim.bridge(third.callId, customer.callId)).rejects.toThrow(`call "${customer.callId}" is already bridged with "${operator.callId}"`);
  });
});

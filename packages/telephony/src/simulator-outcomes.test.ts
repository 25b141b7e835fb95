import { describe, expect, it } from 'vitest';
import { setup, T0 } from './test-helpers.ts';
import { TelephonySimulator } from './simulator.ts';
import { ManualClock } from '@tellflow/clock';
import { SimRulesError } from './rules.ts';
import { TelephonyError } from './errors.ts';

describe('TelephonySimulator outcomes', () => {
  it.each(['answered', 'busy', 'noAnswer', 'failed'] as const)('reports %s as the rule says', async (outcome) => {
    const { clock, sim, timeline } = setup({ rules: [{ match: '+100', outcome, afterMs: 500 }] });
    const call = await sim.dial({ key: 'e1:1', number: '+100' });
    expect(call).toMatchObject({ callId: 'call-1', key: 'e1:1', kind: 'customer', to: '+100', state: 'ringing', startedAt: T0 });
    await clock.advance(500);
    expect(timeline()).toEqual([`${outcome} call-1 @500`]);
    expect(sim.get('call-1')).toMatchObject({
      outcome,
      state: outcome === 'answered' ? 'answered' : 'ended',
      ...(outcome === 'answered' ? { answeredAt: T0 + 500 } : { endedAt: T0 + 500 }),
    });
  });

  it('fires nothing before afterMs and the event exactly at it', async () => {
    const { clock, sim, events } = setup({ rules: [{ match: '+100', outcome: 'busy', afterMs: 3000 }] });
    await sim.dial({ key: 'k', number: '+100' });
    await clock.advance(2999);
    expect(events).toEqual([]);
    expect(sim.getByKey('k')?.state).toBe('ringing');
    await clock.advance(1);
    expect(events).toEqual([{ type: 'busy', callId: 'call-1', key: 'k', at: T0 + 3000 }]);
  });

  it('uses the default afterMs of 2000', async () => {
    const { clock, sim, timeline } = setup({});
    await sim.dial({ key: 'k', number: '+100' });
    await clock.advance(1999);
    expect(timeline()).toEqual([]);
    await clock.advance(1);
    expect(timeline()).toEqual(['answered call-1 @2000']);
  });

  it('applies the first matching rule (exact, regex, glob in list order), then the default', async () => {
    const { clock, sim } = setup({
      default: 'failed',
      rules: [
        { match: '+7999000', outcome: 'busy' },
        { match: '/^\\+7999[0-4]/', outcome: 'noAnswer' },
        { match: '+7999*', outcome: 'answered' },
        { match: '+7999555', outcome: 'busy' }, // shadowed by the glob above
      ],
    });
    const numbers = ['+7999000', '+7999100', '+7999555', '+44'];
    const calls = await Promise.all(numbers.map((number, i) => sim.dial({ key: `k${i}`, number })));
    await clock.advance(2000);
    expect(calls.map((c) => sim.get(c.callId)?.outcome)).toEqual(['busy', 'noAnswer', 'answered', 'failed']);
  });

  it('progresses a sequence across attempts to the same number, repeating the last', async () => {
    const { clock, sim } = setup({ rules: [{ match: '+1*', sequence: ['busy', 'noAnswer', 'answered'], afterMs: 10 }] });
    const outcomes: Record<string, string[]> = { '+1555': [], '+1666': [] };
    for (let attempt = 1; attempt <= 4; attempt++) {
      for (const number of ['+1555', '+1666'] as const) {
        const call = await sim.dial({ key: `${number}:${attempt}`, number });
        await clock.advance(10);
        outcomes[number]?.push(sim.get(call.callId)?.outcome ?? '?');
      }
    }
    const expected = ['busy', 'noAnswer', 'answered', 'answered'];
    expect(outcomes).toEqual({ '+1555': expected, '+1666': expected });
  });

  it('hangs an answered call up by itself after talkMs', async () => {
    const { clock, sim, timeline } = setup({ rules: [{ match: '*', outcome: 'answered', afterMs: 100, talkMs: 5000 }] });
    await sim.dial({ key: 'k', number: '+100' });
    await clock.advance(5099);
    expect(timeline()).toEqual(['answered call-1 @100']);
    await clock.advance(1);
    expect(timeline()).toEqual(['answered call-1 @100', 'hungUp call-1 @5100']);
    expect(sim.get('call-1')).toMatchObject({ state: 'ended', outcome: 'answered', endedAt: T0 + 5100 });
  });

  it('turns an outcome later than the ring timeout into noAnswer at the timeout', async () => {
    const { clock, sim, events } = setup({ rules: [{ match: '*', outcome: 'answered', afterMs: 40_000 }] });
    await sim.dial({ key: 'k', number: '+100', timeoutSec: 30 });
    await clock.advance(60_000);
    expect(events).toEqual([{ type: 'noAnswer', callId: 'call-1', key: 'k', at: T0 + 30_000, reason: 'no answer within 30s' }]);
  });

  it('hanging up a ringing call ends it as failed (cancelled)', async () => {
    const { clock, sim, timeline } = setup({});
    await sim.dial({ key: 'k', number: '+100' });
    await clock.advance(500);
    await sim.hangup('call-1');
    await clock.advance(10_000);
    expect(timeline()).toEqual(['failed call-1 @500']);
    expect(sim.get('call-1')).toMatchObject({ state: 'ended', reason: 'cancelled by hangup' });
    expect(clock.pending()).toBe(0);
  });
});

describe('TelephonySimulator input validation', () => {
  it('rejects invalid rules at construction with the path', () => {
    const clock = new ManualClock();
    expect(() => new TelephonySimulator({ clock, rules: { rules: [{ match: '+1', outcome: 'maybe' as never }] } })).toThrow(SimRulesError);
    expect(() => new TelephonySimulator({ clock, rules: {}, operatorRules: { default: 'x' as never } })).toThrow(
      /invalid simulator operator rules:\n {2}- default:/,
    );
  });

  it('rejects invalid requests naming the field', async () => {
    const { sim } = setup();
    await expect(sim.dial({ key: '', number: '+1' })).rejects.toThrow(/dial: invalid request — key: idempotency key must not be empty/);
    await expect(sim.dial({ key: 'k', number: '+1', timeoutSec: -5 })).rejects.toThrow(/timeoutSec/);
    await expect(sim.callOperator({ key: 'k', operator: ' ' })).rejects.toMatchObject({ code: 'invalidRequest' });
  });

  it('names an unknown callId', async () => {
    const { sim } = setup();
    await expect(sim.hangup('nope')).rejects.toThrow('unknown callId "nope"');
    await expect(sim.answer('nope')).rejects.toMatchObject({ code: 'unknownCall', callId: 'nope' });
    await expect(sim.bridge('nope', 'nada')).rejects.toThrow(TelephonyError);
    expect(sim.get('nope')).toBeUndefined();
  });

  it('keeps working when a listener throws', async () => {
    const errors: unknown[] = [];
    const { clock, sim, events } = setup({}, { onError: (e) => errors.push(e) });
    sim.onEvent(() => {
      throw new Error('listener bug');
    });
    await sim.dial({ key: 'k', number: '+1' });
    await clock.advance(2000);
    expect(events).toHaveLength(1);
    expect(errors).toEqual([new Error('listener bug')]);
  });
});

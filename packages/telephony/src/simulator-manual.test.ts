import { describe, expect, it } from 'vitest';
import { setup, T0 } from './test-helpers.ts';

describe('TelephonySimulator manual calls', () => {
  it('operator calls are manual by default and ring until answered', async () => {
    const { clock, sim, timeline } = setup();
    const call = await sim.callOperator({ key: 'k', operator: 'op-7', timeoutSec: 120 });
    expect(call).toMatchObject({ kind: 'operator', to: 'op-7', state: 'ringing' });
    await clock.advance(90_000);
    expect(timeline()).toEqual([]);
    const answered = await sim.answer(call.callId);
    expect(answered).toMatchObject({ state: 'answered', outcome: 'answered', answeredAt: T0 + 90_000 });
    await clock.advance(60_000);
    expect(timeline()).toEqual(['answered call-1 @90000']);
  });

  it('reject ends a ringing call as busy or failed', async () => {
    const { sim, events } = setup({ default: 'manual' });
    await sim.dial({ key: 'a', number: '+1' });
    await sim.dial({ key: 'b', number: '+2' });
    await sim.reject('call-1');
    await sim.reject('call-2', 'failed', 'agent declined');
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['busy', 'rejected'],
      ['failed', 'agent declined'],
    ]);
    await expect(sim.reject('call-1')).rejects.toThrow('cannot reject call "call-1": it is ended, not ringing');
    await expect(sim.reject('call-2', 'noAnswer' as never)).rejects.toMatchObject({ code: 'invalidRequest' });
  });

  it('times out to noAnswer at timeoutSec (or the default ring timeout)', async () => {
    const { clock, sim, timeline } = setup({}, { operatorRules: { default: 'manual' }, defaultTimeoutSec: 45 });
    await sim.callOperator({ key: 'a', operator: 'op-1', timeoutSec: 20 });
    await sim.callOperator({ key: 'b', operator: 'op-2' });
    await clock.advance(19_999);
    expect(timeline()).toEqual([]);
    await clock.advance(25_001);
    expect(timeline()).toEqual(['noAnswer call-1 @20000', 'noAnswer call-2 @45000']);
    await expect(sim.answer('call-1')).rejects.toThrow(/it is ended/);
  });

  it('operator rules match the operator id', async () => {
    const { clock, sim } = setup({}, { operatorRules: { default: 'manual', rules: [{ match: 'bot-*', outcome: 'answered', afterMs: 0, talkMs: 1000 }] } });
    await sim.callOperator({ key: 'a', operator: 'bot-1' });
    await sim.callOperator({ key: 'b', operator: 'human-1' });
    await clock.advance(0);
    expect(sim.get('call-1')?.state).toBe('answered');
    expect(sim.get('call-2')?.state).toBe('ringing');
  });

  it('a manually answered call still honours its rule talkMs', async () => {
    const { clock, sim, timeline } = setup({ rules: [{ match: '*', outcome: 'manual', talkMs: 3000 }] });
    await sim.dial({ key: 'k', number: '+1' });
    await clock.advance(100);
    await sim.answer('call-1');
    await clock.advance(3000);
    expect(timeline()).toEqual(['answered call-1 @100', 'hungUp call-1 @3100']);
  });
});

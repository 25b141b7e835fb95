import { describe, expect, it } from 'vitest';
import { setup } from './test-helpers.ts';
import { waitForOutcome } from './wait-for-outcome.ts';

describe('waitForOutcome', () => {
  it('resolves on the first outcome, by callId or key', async () => {
    const { clock, sim } = setup({ rules: [{ match: '*', outcome: 'answered', afterMs: 100, talkMs: 50 }] });
    const call = await sim.dial({ key: 'k', number: '+1' });
    const byId = waitForOutcome(sim, call.callId);
    const byKey = waitForOutcome(sim, 'k');
    await clock.advance(1000);
    const result = await byId;
    expect(result.outcome).toBe('answered');
    expect(result.call).toMatchObject({ callId: call.callId, state: 'answered' });
    expect((await byKey).call.callId).toBe(call.callId);
  });

  it('resolves at once when the outcome is already known', async () => {
    const { clock, sim } = setup({ default: 'busy' });
    const call = await sim.dial({ key: 'k', number: '+1' });
    await clock.advance(2000);
    await expect(waitForOutcome(sim, call.callId)).resolves.toMatchObject({ outcome: 'busy', call: { state: 'ended' } });
  });

  it('can wait on a key before the call is placed', async () => {
    const { clock, sim } = setup({ default: 'noAnswer' });
    const waiting = waitForOutcome(sim, 'future');
    await sim.dial({ key: 'future', number: '+1' });
    await clock.advance(2000);
    await expect(waiting).resolves.toMatchObject({ outcome: 'noAnswer' });
  });

  it('stops waiting when aborted', async () => {
    const { sim } = setup({ default: 'manual' });
    await sim.dial({ key: 'k', number: '+1' });
    const controller = new AbortController();
    const waiting = waitForOutcome(sim, 'k', { signal: controller.signal });
    controller.abort(new Error('step cancelled'));
    await expect(waiting).rejects.toThrow('step cancelled');
  });
});

import { ManualClock } from '@tellflow/clock';
import { describe, expect, it } from 'vitest';
import { InMemoryCallLogStore, type CallLogPatch, type CallLogUpdate } from './call-log.ts';
import type { CallEvent } from './port.ts';
import { LOST_WITH_PROCESS, TelephonySimulator, type TelephonySimulatorOptions } from './simulator.ts';
import { T0 } from './test-helpers.ts';

/** The in-memory log, counting the writes that reach it; `failNext` makes the next write fail (a lost connection). */
class CountingStore extends InMemoryCallLogStore {
  writes = 0;
  patches = 0;
  failNext = 0;
  closed = false;
  /** When set, writes wait for it (a slow database). */
  gate: Promise<void> | undefined;

  #check(): void {
    if (this.closed) throw new Error('write CONNECTION_ENDED');
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('write CONNECTION_CLOSED');
    }
  }

  override async update(key: string, patch: CallLogPatch): Promise<void> {
    await this.gate;
    this.writes++;
    this.patches++;
    this.#check();
    return super.update(key, patch);
  }

  override async updateMany(owner: string, updates: readonly CallLogUpdate[]): Promise<void> {
    await this.gate;
    this.writes++;
    this.patches += updates.length;
    this.#check();
    return super.updateMany(owner, updates);
  }
}

function simulator(store: CountingStore, clock: ManualClock, extra: Partial<TelephonySimulatorOptions> = {}) {
  const errors: unknown[] = [];
  const events: CallEvent[] = [];
  let n = 0;
  const sim = new TelephonySimulator({
    clock,
    rules: { rules: [{ match: '*', outcome: 'answered', afterMs: 100, talkMs: 1_000 }] },
    log: store,
    newCallId: () => `${extra.instanceId ?? 'sim'}-call-${++n}`,
    onError: (e) => errors.push(e),
    ...extra,
  });
  sim.onEvent((e) => events.push(e));
  return { sim, errors, events };
}

describe('the simulator call log', () => {
  it('writes what many calls do at once in a few batched writes, not one write per change', async () => {
    const clock = new ManualClock(T0);
    const store = new CountingStore();
    const { sim } = simulator(store, clock);
    for (let i = 0; i < 50; i++) await sim.dial({ key: `e${i}:1`, number: `+1${i}` });
    /** Lets `ms` pass while the database answers slowly (a write takes longer than the simulator's changes). */
    const slowly = async (ms: number) => {
      let open!: () => void;
      store.gate = new Promise((resolve) => (open = resolve));
      await clock.advance(ms);
      open();
      store.gate = undefined;
      await sim.settled();
    };
    await slowly(100); // all 50 answered in the same millisecond
    await slowly(1_000); // and all hang up
    const log = await sim.callLog();
    expect(log.filter((e) => e.outcome === 'answered' && e.endedAt === T0 + 1_100)).toHaveLength(50);
    // 150 changes (answered, ended, closed, for each call) in a handful of statements.
    expect(store.patches).toBeGreaterThanOrEqual(100);
    expect(store.writes).toBeLessThanOrEqual(6);
  });

  it('loses no update when a write fails: it is written again, after the newer ones it was merged with', async () => {
    const clock = new ManualClock(T0);
    const store = new CountingStore();
    const { sim, errors } = simulator(store, clock);
    await sim.dial({ key: 'a:1', number: '+1' });
    await sim.dial({ key: 'b:1', number: '+2' });
    store.failNext = 1;
    await clock.advance(100); // answered: this write fails
    await clock.advance(1_000); // ended, queued behind it (the retry comes after its back-off)
    await sim.settled();
    expect(errors.map(String)).toEqual(['Error: write CONNECTION_CLOSED']);
    const log = await sim.callLog();
    expect(log.map((e) => [e.key, e.outcome, e.answeredAt, e.endedAt, e.owner])).toEqual([
      ['a:1', 'answered', T0 + 100, T0 + 1_100, undefined],
      ['b:1', 'answered', T0 + 100, T0 + 1_100, undefined],
    ]);
  });

  it('close() writes everything out before it resolves, and nothing after', async () => {
    const clock = new ManualClock(T0);
    const store = new CountingStore();
    const { sim, errors } = simulator(store, clock);
    for (let i = 0; i < 20; i++) await sim.dial({ key: `e${i}:1`, number: `+1${i}` });
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve)); // the database is slow
    await clock.advance(100);
    const closing = sim.close();
    open();
    await closing;
    store.closed = true; // the server closes the database now
    await clock.advance(60_000); // nothing of the simulator runs any more
    expect(errors).toEqual([]);
    const log = await store.list();
    expect(log.filter((e) => e.outcome === 'answered')).toHaveLength(20);
    // The calls were still talking: open in the log, for the next instance to take over.
    expect(log.every((e) => e.owner === sim.instanceId)).toBe(true);
  });

  it('lets finished calls leave memory once they ended and were delivered (after keepEndedMs)', async () => {
    const clock = new ManualClock(T0);
    const store = new CountingStore();
    const { sim, events } = simulator(store, clock, { keepEndedMs: 5_000 });
    const calls = [];
    for (let i = 0; i < 300; i++) calls.push(await sim.dial({ key: `e${i}:1`, number: `+1${i}` }));
    expect(sim.footprint()).toMatchObject({ calls: 300, keys: 300 });
    await clock.advance(1_100);
    await sim.settled();
    expect(events).toHaveLength(600);
    // Just ended: still there for the agent page and a late duplicate request.
    expect(sim.get(calls[0]!.callId)).toMatchObject({ state: 'ended' });
    await clock.advance(5_000);
    await sim.sweep();
    expect(sim.footprint()).toEqual({ calls: 0, keys: 0, placing: 0, undelivered: 0, finished: 0 });
    expect(sim.get(calls[0]!.callId)).toBeUndefined();
    // A late request with a finished call's key gets that call from the log, never a new one.
    expect(await sim.dial({ key: 'e0:1', number: '+10' })).toMatchObject({ callId: calls[0]!.callId, state: 'ended', outcome: 'answered' });
    expect((await store.list()).every((e) => e.owner === undefined)).toBe(true);
  });

  it('keeps a call whose event a listener failed on, and offers the event again on the next sweep', async () => {
    const clock = new ManualClock(T0);
    const store = new CountingStore();
    const { sim, events, errors } = simulator(store, clock, { keepEndedMs: 0 });
    let failures = 1;
    sim.onEvent(async () => {
      if (failures-- > 0) throw new Error('database down');
    });
    await sim.dial({ key: 'a:1', number: '+1' });
    await clock.advance(1_100);
    await sim.settled();
    expect(errors.map(String)).toEqual(['Error: database down']);
    expect(sim.footprint()).toMatchObject({ calls: 1, undelivered: 1 });
    expect((await store.get('a:1'))?.owner).toBe(sim.instanceId);
    await sim.sweep();
    await sim.settled();
    expect(events.map((e) => e.type)).toEqual(['answered', 'hungUp', 'answered', 'hungUp']);
    expect(sim.footprint()).toEqual({ calls: 0, keys: 0, placing: 0, undelivered: 0, finished: 0 });
    expect((await store.get('a:1'))?.owner).toBeUndefined();
  });
});

describe('calls of a simulator instance that stopped', () => {
  /** Two instances on one log: `a` places the calls, then dies (kill -9: its timers stop, nothing more is written). */
  async function aDies(rules: TelephonySimulatorOptions['rules'], extraA: Partial<TelephonySimulatorOptions> = {}) {
    const clock = new ManualClock(T0);
    const store = new CountingStore();
    const opts = { heartbeatMs: 1_000, ownerTimeoutMs: 5_000, rules };
    const a = simulator(store, clock, { instanceId: 'a', ...opts, ...extraA });
    const b = simulator(store, clock, { instanceId: 'b', ...opts });
    return { clock, store, a, b };
  }

  it('ends a call ringing when its instance died as lost, once the instance stopped beating, and not before', async () => {
    const { clock, store, a, b } = await aDies({ rules: [{ match: '*', outcome: 'manual' }] });
    await clock.advance(0); // both beat
    const call = await a.sim.dial({ key: 'x:1', number: '+1' });
    await clock.advance(3_000);
    expect(b.events).toEqual([]); // a beats: its call is its own
    a.sim.dispose();
    await clock.advance(5_000); // 5 s without a beat: not yet
    expect(b.events).toEqual([]);
    await clock.advance(1_000);
    await b.sim.settled();
    const at = T0 + 9_000;
    expect(b.events).toEqual([{ type: 'failed', callId: call.callId, key: 'x:1', at, reason: LOST_WITH_PROCESS, lost: true }]);
    expect(await store.get('x:1')).toMatchObject({ outcome: 'failed', reason: LOST_WITH_PROCESS, lost: true, endedAt: at });
    expect((await store.get('x:1'))?.owner).toBeUndefined();
    b.sim.dispose();
  });

  it('hands on the outcome the log holds for a call whose instance died before delivering it', async () => {
    const { clock, store, a, b } = await aDies({ rules: [{ match: '*', outcome: 'answered', afterMs: 100 }] });
    let killed = false;
    // a learns the outcome and writes it, but dies before its listeners took it.
    a.sim.onEvent(() => {
      if (!killed) throw new Error('killed');
    });
    const call = await a.sim.dial({ key: 'x:1', number: '+1' });
    await clock.advance(100);
    await a.sim.settled();
    killed = true;
    a.sim.dispose();
    expect(await store.get('x:1')).toMatchObject({ outcome: 'answered', owner: 'a' });
    await clock.advance(6_000);
    await b.sim.settled();
    expect(b.events.map((e) => [e.type, e.at - T0, e.lost ?? false])).toEqual([
      ['answered', 100, false],
      ['hungUp', 6_000, true], // its leg went with the process; b notes when it found out
    ]);
    expect(await store.get('x:1')).toMatchObject({ callId: call.callId, outcome: 'answered', answeredAt: T0 + 100, endedAt: T0 + 6_000, lost: true });
    b.sim.dispose();
  });

  it('takes over at once the calls of an instance that closed', async () => {
    const { clock, store, a, b } = await aDies({ rules: [{ match: '*', outcome: 'manual' }] });
    await clock.advance(0);
    await a.sim.dial({ key: 'x:1', number: '+1' });
    await a.sim.close();
    await clock.advance(1_000); // b's next sweep
    await b.sim.settled();
    expect(b.events.map((e) => [e.type, e.reason])).toEqual([['failed', LOST_WITH_PROCESS]]);
    expect((await store.get('x:1'))?.owner).toBeUndefined();
    b.sim.dispose();
  });
});

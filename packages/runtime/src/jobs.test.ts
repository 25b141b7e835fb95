import { ManualClock } from '@tellflow/clock';
import { describe, expect, it } from 'vitest';
import { JobLoop, type Job } from './jobs.ts';

/** Lets promise chains started by fired timers run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the job loop', () => {
  it('runs each job on its own period, logs a failing tick and keeps ticking', async () => {
    const clock = new ManualClock(0);
    const ticks: string[] = [];
    const logged: unknown[] = [];
    const job = (name: string, every: number, fail = false): Job => ({
      name,
      every,
      async tick(now) {
        ticks.push(`${name}@${now}`);
        if (fail) throw new Error(`${name} broke`);
        return {};
      },
    });
    const loop = new JobLoop([job('fast', 100), job('slow', 250, true)], clock, (message, fields) => logged.push({ message, ...fields }));
    loop.start();
    await settle();
    for (let i = 0; i < 5; i++) {
      await clock.advance(100);
      await settle();
    }
    await loop.close();
    expect(ticks.filter((t) => t.startsWith('fast'))).toEqual(['fast@0', 'fast@100', 'fast@200', 'fast@300', 'fast@400', 'fast@500']);
    expect(ticks.filter((t) => t.startsWith('slow'))).toEqual(['slow@0', 'slow@250', 'slow@500']);
    expect(logged).toEqual(Array(3).fill({ message: 'background job failed', job: 'slow', error: 'Error: slow broke' }));
    // Closed: no timer left, nothing ticks any more.
    expect(clock.pending()).toBe(0);
  });

  it('close() waits for a tick in flight; tickAll() runs every job once and adds up their counts', async () => {
    const clock = new ManualClock(0);
    let release: () => void = () => {};
    let finished = false;
    const slow: Job = {
      name: 'slow',
      every: 1_000,
      tick: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
        return { started: 1 };
      },
    };
    const quick: Job = { name: 'quick', every: 1_000, tick: async () => ({ started: 2, dialed: 3 }) };
    const loop = new JobLoop([slow, quick], clock, () => {});
    loop.start();
    await settle();
    let closed = false;
    const closing = loop.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished).toBe(true);
    expect(clock.pending()).toBe(0);

    const counting = loop.tickAll();
    await settle();
    release();
    expect(await counting).toEqual({ started: 3, dialed: 3 });
  });
});

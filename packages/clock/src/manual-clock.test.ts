import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.ts';
import { systemClock } from './clock.ts';

describe('ManualClock', () => {
  it('starts at the given time (number or Date)', () => {
    expect(new ManualClock(1000).now()).toBe(1000);
    expect(new ManualClock(new Date('2024-01-01T00:00:00Z')).now()).toBe(Date.UTC(2024, 0, 1));
    expect(() => new ManualClock(Number.NaN)).toThrow(/invalid start time/);
  });

  it('fires timers in due order, ties in registration order, with now() at each due time', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const mark = (name: string) => () => seen.push(`${name}@${clock.now()}`);
    clock.setTimeout(mark('c'), 300);
    clock.setTimeout(mark('a1'), 100);
    clock.setTimeout(mark('b'), 200);
    clock.setTimeout(mark('a2'), 100);
    expect(await clock.advance(250)).toBe(3);
    expect(seen).toEqual(['a1@100', 'a2@100', 'b@200']);
    expect(clock.now()).toBe(250);
    expect(clock.pending()).toBe(1);
  });

  it('fires nothing before the due time and fires exactly at it', async () => {
    const clock = new ManualClock(0);
    let fired = false;
    clock.setTimeout(() => (fired = true), 1000);
    await clock.advance(999);
    expect(fired).toBe(false);
    await clock.advance(1);
    expect(fired).toBe(true);
  });

  it('fires timers scheduled by timers (also after awaits) within the same window', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      void (async () => {
        await Promise.resolve();
        await new Promise((r) => setImmediate(r));
        clock.setTimeout(() => seen.push(clock.now()), 50);
      })();
    }, 100);
    clock.setTimeout(() => seen.push(clock.now()), 120);
    await clock.advance(200);
    expect(seen).toEqual([100, 120, 150]);
    expect(clock.pending()).toBe(0);
  });

  it('leaves timers scheduled beyond the window for later', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => seen.push(clock.now()), 500), 100);
    await clock.advance(200);
    expect(seen).toEqual([]);
    expect(clock.pending()).toBe(1);
    await clock.advance(400);
    expect(seen).toEqual([600]);
  });

  it('clearTimeout cancels a timer, also from inside another timer', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const b = clock.setTimeout(() => seen.push('b'), 200);
    clock.setTimeout(() => {
      seen.push('a');
      clock.clearTimeout(b);
    }, 100);
    const c = clock.setTimeout(() => seen.push('c'), 300);
    clock.clearTimeout(c);
    expect(clock.pending()).toBe(2);
    await clock.advance(1000);
    expect(seen).toEqual(['a']);
    expect(clock.pending()).toBe(0);
  });

  it('treats zero, negative and NaN delays as due now', async () => {
    const clock = new ManualClock(10);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(1), 0);
    clock.setTimeout(() => seen.push(2), -5);
    clock.setTimeout(() => seen.push(3), Number.NaN);
    await clock.advance(0);
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(10);
  });

  it('runAll drains timers up to the limit and stops at the last due time', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 5_000);
    }, 1_000);
    expect(await clock.runAll()).toBe(2);
    expect(seen).toEqual([1_000, 6_000]);
    expect(clock.now()).toBe(6_000);

    const tick = (): void => {
      clock.setTimeout(tick, 1_000);
    };
    tick();
    expect(await clock.runAll(10_000)).toBe(10);
    expect(clock.now()).toBe(16_000);
    expect(clock.pending()).toBe(1);
  });

  it('set() moves time without firing; due timers fire on the next advance', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 100);
    clock.set(new Date(5_000));
    expect(seen).toEqual([]);
    await clock.advance(0);
    expect(seen).toEqual([5_000]);
  });

  it('rejects a negative advance', async () => {
    await expect(new ManualClock().advance(-1)).rejects.toThrow(/ms must be >= 0/);
  });
});

describe('systemClock', () => {
  it('uses real time and real timers', async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
    let fired = false;
    const handle = systemClock.setTimeout(() => (fired = true), 1);
    systemClock.clearTimeout(handle);
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(false);
  });
});

import type { Clock, TimerHandle } from './clock.ts';

interface VirtualTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

export interface ManualClockOptions {
  /**
   * Event-loop turns to yield before each timer and after the last one, so
   * async work started by a timer (awaits on stores, promise chains) can
   * schedule follow-up timers that still fire within the same advance().
   */
  settleTurns?: number;
}

/** Guards runAll() against timers that keep rescheduling themselves at 0 ms. */
const MAX_TIMERS_PER_RUN = 100_000;
const DEFAULT_RUN_ALL_LIMIT_MS = 24 * 60 * 60 * 1000;

const toMs = (time: number | Date): number => (time instanceof Date ? time.getTime() : time);
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock that only moves when a test says so. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, VirtualTimer>();
  readonly #settleTurns: number;

  constructor(start: number | Date = 0, options: ManualClockOptions = {}) {
    this.#now = toMs(start);
    if (!Number.isFinite(this.#now)) throw new RangeError(`ManualClock: invalid start time ${String(start)}`);
    this.#settleTurns = options.settleTurns ?? 3;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Like Node: negative or NaN delays mean "as soon as possible".
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const id = ++this.#seq;
    this.#timers.set(id, { id, due: this.#now + delay, fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as number);
  }

  /** Number of timers not yet fired or cleared. */
  pending(): number {
    return this.#timers.size;
  }

  /**
   * Jumps to `time` without firing anything; timers already due fire on the
   * next advance()/runAll(). Lets a test model "the process was down".
   */
  set(time: number | Date): void {
    const ms = toMs(time);
    if (!Number.isFinite(ms)) throw new RangeError(`ManualClock.set: invalid time ${String(time)}`);
    this.#now = ms;
  }

  /**
   * Moves time forward by `ms`, firing due timers in due-time order (ties in
   * registration order). now() equals each timer's due time while it runs,
   * and the target time afterwards. Resolves to the number of timers fired.
   */
  async advance(ms: number): Promise<number> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    const target = this.#now + ms;
    const fired = await this.#runUntil(target);
    this.#now = Math.max(this.#now, target);
    return fired;
  }

  /**
   * Fires timers until none are left, but none due later than now + limitMs
   * (so a self-rescheduling timer cannot loop forever). now() stays at the
   * last fired timer's due time. Resolves to the number of timers fired.
   */
  async runAll(limitMs = DEFAULT_RUN_ALL_LIMIT_MS): Promise<number> {
    return this.#runUntil(this.#now + limitMs);
  }

  async #runUntil(target: number): Promise<number> {
    let fired = 0;
    for (;;) {
      await this.#settle();
      const next = this.#nextDue(target);
      if (!next) return fired;
      if (++fired > MAX_TIMERS_PER_RUN) {
        throw new Error(`ManualClock: more than ${MAX_TIMERS_PER_RUN} timers in one run — a timer keeps rescheduling itself?`);
      }
      this.#timers.delete(next.id);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
  }

  #nextDue(target: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.due > target) continue;
      // Map iteration is insertion order = registration order, so strict "<"
      // keeps the earliest-registered timer among equal due times.
      if (!best || timer.due < best.due) best = timer;
    }
    return best;
  }

  async #settle(): Promise<void> {
    for (let i = 0; i < this.#settleTurns; i++) await nextTurn();
  }
}

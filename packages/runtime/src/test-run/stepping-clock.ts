import { ManualClock, type TimerHandle } from '@tellflow/clock';

/**
 * A ManualClock that also tells when its next timer is due, so a simulated
 * run can jump straight to the next thing that happens (a ring outcome, a
 * hang-up) instead of stepping through time.
 */
export class SteppingClock extends ManualClock {
  readonly #due = new Map<TimerHandle, number>();

  override setTimeout(fn: () => void, ms: number): TimerHandle {
    const due = this.now() + (Number.isFinite(ms) && ms > 0 ? ms : 0);
    const handle = super.setTimeout(() => {
      this.#due.delete(handle);
      fn();
    }, ms);
    this.#due.set(handle, due);
    return handle;
  }

  override clearTimeout(handle: TimerHandle): void {
    this.#due.delete(handle);
    super.clearTimeout(handle);
  }

  /** When the earliest pending timer is due (epoch ms), or null when none is pending. */
  nextDue(): number | null {
    let next: number | null = null;
    for (const due of this.#due.values()) if (next === null || due < next) next = due;
    return next;
  }
}

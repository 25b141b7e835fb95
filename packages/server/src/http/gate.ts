/**
 * Bounds how many of one kind of costly task run at once in this process:
 * `concurrency` run, up to `maxQueued` wait their turn, and beyond that the
 * request is answered 503 at once with `busyMessage`.
 */
import { ApiError } from '../errors.ts';

export class ConcurrencyGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  /** The most tasks that ran at once (for tests and metrics). */
  peak = 0;

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
    private readonly busyMessage: string,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a whole number of 1 or more, not ${concurrency}`);
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new Error(`queue bound must be a whole number of 0 or more, not ${maxQueued}`);
  }

  get running(): number {
    return this.#running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.concurrency) this.#running++;
    else {
      if (this.#waiting.length >= this.maxQueued) {
        throw new ApiError(503, this.busyMessage, { retryAfterSeconds: 1 }, { 'Retry-After': '1' });
      }
      // The slot is handed over by the finishing task, so `#running` is not decremented in between.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.peak = Math.max(this.peak, this.#running);
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

/**
 * Bounds how many password hashes (scrypt: ~0.1 s of CPU and 32 MiB each)
 * run at once in this process, so a storm of sign-ins cannot take the CPU:
 * `concurrency` run, up to `maxQueued` wait their turn, and beyond that the
 * request is answered 503 at once.
 */
import { availableParallelism } from 'node:os';
import { ApiError } from '../errors.ts';

export class HashGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  /** The most hashes that ran at once (for tests and metrics). */
  peak = 0;

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`hash concurrency must be a whole number of 1 or more, not ${concurrency}`);
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new Error(`hash queue bound must be a whole number of 0 or more, not ${maxQueued}`);
  }

  get running(): number {
    return this.#running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.concurrency) this.#running++;
    else {
      if (this.#waiting.length >= this.maxQueued) {
        throw new ApiError(503, 'the server is busy checking passwords; try again in a moment', { retryAfterSeconds: 1 }, { 'Retry-After': '1' });
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

/** One per process: half the cores hash at most (at least one), so a storm of sign-ins leaves the rest to everything else. */
export const DEFAULT_HASH_GATE = new HashGate(Math.max(1, Math.floor(availableParallelism() / 2)), 32);

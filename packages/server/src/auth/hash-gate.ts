/**
 * Bounds how many password hashes (scrypt: ~0.1 s of CPU and 32 MiB each)
 * run at once in this process, so a storm of sign-ins cannot take the CPU:
 * `concurrency` run, up to `maxQueued` wait their turn, and beyond that the
 * request is answered 503 at once.
 */
import { availableParallelism } from 'node:os';
import { ConcurrencyGate } from '../http/gate.ts';

export class HashGate extends ConcurrencyGate {
  constructor(concurrency: number, maxQueued: number) {
    super(concurrency, maxQueued, 'the server is busy checking passwords; try again in a moment');
  }
}

/** One per process: half the cores hash at most (at least one), so a storm of sign-ins leaves the rest to everything else. */
export const DEFAULT_HASH_GATE = new HashGate(Math.max(1, Math.floor(availableParallelism() / 2)), 32);

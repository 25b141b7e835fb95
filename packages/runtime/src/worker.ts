/**
 * The worker: keeps up to `capacity` executions advancing through the
 * runner, claiming more when woken (NOTIFY on the wake channel), when one of
 * them ends while due work may remain, and at least every `pollMs` (timers
 * that came due). `drain()` does the same until nothing is due, for tests,
 * benchmarks and `tellflow run`.
 */
import type { Clock, TimerHandle } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import type { RunHere } from './commands.ts';
import type { ClaimedExecution } from './sql/claim.ts';
import { WAKE_CHANNEL, type Runner } from './runner.ts';

export interface WorkerOptions {
  db: Database;
  clock: Clock;
  runner: Runner;
  /** The runner's lease: owner (this process) and length, for executions inserted leased to it. */
  owner: string;
  leaseMs: number;
  /** Executions advanced at once (and claimed at most per claim). */
  capacity: number;
  /** Longest sleep between polls when no wake-up arrives. */
  pollMs: number;
  /** Resolves when nothing this process does outside the runner (call events being recorded) can still make work due. */
  quiet?: () => Promise<void>;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

interface Loop {
  stop: boolean;
  timer?: TimerHandle;
  unlisten?: () => Promise<void>;
  kick?: () => void;
  /** Adopts an execution inserted leased to this worker. */
  adopt?: (c: ClaimedExecution) => void;
  done?: Promise<void>;
}

export class Worker {
  private loop: Loop | undefined;

  constructor(private readonly o: WorkerOptions) {}

  /** Lets commands in this process hand new executions to the running loop (see RunHere). */
  readonly here: RunHere = {
    slot: (now) => {
      const adopt = this.loop?.stop === false ? this.loop.adopt : undefined;
      if (!adopt || this.o.runner.activeCount >= this.o.capacity) return undefined;
      return { lease: { owner: this.o.owner, until: now + this.o.leaseMs }, adopt };
    },
  };

  /**
   * Works until nothing is due: claims as slots free up, as the background
   * loop does, and returns when a claim finds nothing and nothing is being
   * advanced. Returns executions claimed.
   */
  async drain(maxClaims = 100_000, stop?: () => Promise<boolean>): Promise<number> {
    const { runner, capacity } = this.o;
    let total = 0;
    let settled: () => void = () => {};
    const onSettled = () => settled();
    for (let i = 0; i < maxClaims; i++) {
      await this.o.quiet?.();
      if (stop && (await stop())) break;
      const free = capacity - runner.activeCount;
      const n = free > 0 ? await runner.claim(free, onSettled) : 0;
      total += n;
      if (n === 0 && runner.activeCount === 0) return total;
      // Claim again once half the slots are free (or all have ended): fewer, fuller claims and commit batches.
      do await new Promise<void>((resolve) => (settled = resolve));
      while (runner.activeCount > 0 && capacity - runner.activeCount < capacity / 2);
    }
    await runner.settled();
    return total;
  }

  /** Keeps working in the background until close(): on every wake-up, and at least every pollMs. */
  async run(): Promise<void> {
    if (this.loop) return;
    const loop: Loop = { stop: false };
    this.loop = loop;
    loop.unlisten = await this.o.db.listen(WAKE_CHANNEL, () => loop.kick?.());
    loop.done = this.work(loop);
  }

  private async work(loop: Loop): Promise<void> {
    const { runner, capacity, clock } = this.o;
    let wanted = true;
    let lastClaimed = 0;
    let nextPoll = 0;
    let wake = () => {};
    loop.kick = () => {
      wanted = true;
      wake();
    };
    const onSettled = () => {
      if (lastClaimed > 0) wanted = true;
      wake();
    };
    loop.adopt = (c) => runner.adopt(c, onSettled);
    while (!loop.stop) {
      const free = capacity - runner.activeCount;
      if ((wanted || clock.now() >= nextPoll) && free > 0) {
        wanted = false;
        nextPoll = clock.now() + this.o.pollMs;
        try {
          lastClaimed = await runner.claim(free, onSettled);
        } catch (e) {
          lastClaimed = 0;
          this.o.log('runner claim failed', { error: String(e) });
        }
        // Let timers and requests in between claims: PGlite runs in this thread.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        loop.timer = clock.setTimeout(resolve, Math.max(0, nextPoll - clock.now()));
      });
      wake = () => {};
      if (loop.timer) clock.clearTimeout(loop.timer);
    }
    await runner.settled();
  }

  /** Stops the loop after the executions it is advancing have been committed. */
  async close(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    if (!loop) return;
    loop.stop = true;
    loop.kick?.();
    await loop.done;
    await loop.unlisten?.();
  }
}

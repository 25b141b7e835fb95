import type { Queryable } from '@tellflow/db';
import { commitSteps, endsExecution, type CommitOutcome, type StepCommit } from './sql/commit-step.ts';

export interface CommitQueueOptions {
  /** Commit statements on the wire at once (each holds a pooled connection while it runs). */
  maxInFlight: number;
  /** Most commits in one statement. */
  maxBatch: number;
}

interface Pending {
  commit: StepCommit;
  resolve: (o: CommitOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit in the application: the steps that executions make while a
 * commit statement is on the wire wait, and go together in the next one.
 * At low load a step goes out at once (after the current turn of the event
 * loop, which gathers the steps made in it); under load each statement carries
 * many steps, so a step costs a fraction of a round trip and of the
 * statement's fixed work. Each caller still learns its own outcome.
 *
 * A step that ends its execution goes alone: it writes other executions'
 * rows (its parent, its children), which a step in the same statement might
 * write too, and one statement must not change a row twice.
 */
export class CommitQueue {
  private waiting: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly db: Queryable,
    private readonly o: CommitQueueOptions,
  ) {}

  commit(commit: StepCommit): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ commit, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.inFlight < this.o.maxInFlight && this.waiting.length) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private take(): Pending[] {
    if (endsExecution(this.waiting[0]!.commit)) return this.waiting.splice(0, 1);
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.waiting) (batch.length < this.o.maxBatch && !endsExecution(p.commit) ? batch : rest).push(p);
    this.waiting = rest;
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await commitSteps(
        this.db,
        batch.map((p) => p.commit),
      );
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!);
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      // One commit that cannot be written must not hold back the others: each goes alone.
      await Promise.all(batch.map((p) => commitSteps(this.db, [p.commit]).then(([o]) => p.resolve(o!), p.reject)));
    }
  }
}

import type { Queryable } from '@tellflow/db';
import { Batcher, type BatcherOptions, type Pending } from './batcher.ts';
import { commitSteps, endsExecution, type CommitOutcome, type StepCommit } from './sql/commit-step.ts';

export type CommitQueueOptions = BatcherOptions;

/**
 * Group commit in the application (see batcher.ts): the steps that
 * executions make while a commit statement is on the wire go together in the
 * next one. Each caller still learns its own outcome.
 *
 * A step that ends its execution goes alone: it writes other executions'
 * rows (its parent, its children), which a step in the same statement might
 * write too, and one statement must not change a row twice.
 */
export class CommitQueue {
  private readonly batcher: Batcher<StepCommit, CommitOutcome>;

  constructor(
    private readonly db: Queryable,
    o: CommitQueueOptions,
  ) {
    this.batcher = new Batcher(o, (batch) => this.send(batch), endsExecution);
  }

  commit(commit: StepCommit): Promise<CommitOutcome> {
    return this.batcher.add(commit);
  }

  private async send(batch: Pending<StepCommit, CommitOutcome>[]): Promise<void> {
    try {
      const outcomes = await commitSteps(
        this.db,
        batch.map((p) => p.item),
      );
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!);
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      // One commit that cannot be written must not hold back the others: each goes alone.
      await Promise.all(batch.map((p) => commitSteps(this.db, [p.item]).then(([o]) => p.resolve(o!), p.reject)));
    }
  }
}

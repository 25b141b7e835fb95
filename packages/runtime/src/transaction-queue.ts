/**
 * Effects performed inside the transaction that commits the step consuming
 * their result (sql, setStatus, startChild without waiting), grouped: the
 * steps that executions make while a transaction is on the wire go together
 * in the next one (see batcher.ts). One transaction:
 *
 *   BEGIN
 *   lock the executions' rows whose lease this worker still holds, set the
 *     statement timeout and switch to the scenarios' restricted role (one
 *     statement); an execution whose lease was lost runs nothing
 *   per step: its effect (a savepoint around each statement of the
 *     scenario's, so a failing one is that step's `error` outcome and undoes
 *     nothing else, followed by the sandbox's check; the timeout set again
 *     only when a step's differs), then the engine's step on its result
 *   the steps' commits: the ones that do not end their execution in one
 *     statement, each ending one alone (it writes other executions' rows),
 *     sent together, after the timeout is lifted and the server's role is back
 *   COMMIT
 *
 * A crash before COMMIT undoes everything: the next worker performs those
 * effects again. When the transaction fails before COMMIT (a statement the
 * database refuses, a deadlock), each of its steps is tried again in a
 * transaction of its own, so only the one at fault fails. When COMMIT itself
 * fails, its outcome is unknown: every step fails and is picked up again
 * after its lease expires, from what was committed.
 */
import { SCENARIO_ROLE, type Database, type Transaction } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import { Batcher, type BatcherOptions, type Pending } from './batcher.ts';
import type { Sandbox } from './effects/statement.ts';
import { leaveSandbox, lockLeased, setStatementTimeout } from './sql/claim.ts';
import { commitSteps, endsExecution, type CommitOutcome, type StepCommit } from './sql/commit-step.ts';

export interface InTransactionStep {
  executionId: string;
  /** The statement timeout for `perform` (ms, 0 = none). */
  timeoutMs: number;
  /** Performs the effect in the shared transaction, in the sandbox (see EffectHandler.inTransaction). */
  perform(tx: Transaction, sandbox: Sandbox): Promise<Json>;
  /** The step that consumes the result: what to commit. A throw undoes the transaction (see above). */
  next(result: Json): StepCommit;
}

/** The step's commit; null when the lease was lost (nothing was performed or written). */
export type InTransactionOutcome = CommitOutcome | null;

export class TransactionQueue {
  private readonly batcher: Batcher<InTransactionStep, InTransactionOutcome>;

  constructor(
    private readonly db: Database,
    private readonly owner: string,
    o: BatcherOptions,
  ) {
    this.batcher = new Batcher(o, (batch) => this.send(batch));
  }

  /** Performs the step's effect and commits the step that consumes it, in a transaction shared with others. */
  run(step: InTransactionStep): Promise<InTransactionOutcome> {
    return this.batcher.add(step);
  }

  private async send(batch: Pending<InTransactionStep, InTransactionOutcome>[]): Promise<void> {
    let beforeCommit = false;
    try {
      const outcomes = await this.db.transaction(async (tx) => {
        try {
          return await this.inTransaction(
            tx,
            batch.map((p) => p.item),
          );
        } catch (e) {
          beforeCommit = true;
          throw e;
        }
      });
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]!);
    } catch (e) {
      if (batch.length === 1 || !beforeCommit) {
        for (const p of batch) p.reject(e);
        return;
      }
      // Nothing of it was committed: each step again alone, one after the other, so only the step at fault fails.
      for (const p of batch) await this.send([p]);
    }
  }

  private async inTransaction(tx: Transaction, steps: InTransactionStep[]): Promise<InTransactionOutcome[]> {
    let timeout = steps[0]!.timeoutMs;
    const { held, sandbox } = await lockLeased(
      tx,
      steps.map((s) => s.executionId),
      this.owner,
      timeout,
      SCENARIO_ROLE,
    );
    const commits: (StepCommit | null)[] = [];
    for (const s of steps) {
      if (!held.has(s.executionId)) {
        commits.push(null);
        continue;
      }
      if (s.timeoutMs !== timeout) sandbox!.statementTimeout = await setStatementTimeout(tx, (timeout = s.timeoutMs));
      commits.push(s.next(await s.perform(tx, sandbox!)));
    }
    const live = commits.filter((c) => c !== null);
    if (!live.length) return commits.map(() => null);
    const going = live.filter((c) => !endsExecution(c));
    const ending = live.filter(endsExecution);
    // Sent together (pipelined on PostgreSQL). The commits run as the server, without the scenarios' timeout, as every other step's commit does.
    const [, ...written] = await Promise.all([leaveSandbox(tx), going.length ? commitSteps(tx, going) : [], ...ending.map((c) => commitSteps(tx, [c]))]);
    const byId = new Map<string, CommitOutcome>();
    for (const [i, c] of [...going, ...ending].entries()) {
      const o = i < going.length ? written[0]![i]! : written[1 + i - going.length]![0]!;
      // The row is locked with this worker's lease: not committing now would leave the effect performed without its step.
      if (!o.committed) throw new Error(`the step of execution ${c.id} was not written although its lease was held`);
      byId.set(c.id, o);
    }
    return commits.map((c) => (c ? byId.get(c.id)! : null));
  }
}

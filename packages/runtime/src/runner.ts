/**
 * The durable runner. It claims due executions (leases in rows), and for
 * each one feeds the engine the next event, commits what the step did in
 * one statement, and performs the effect it asked for:
 *
 *   sql, setStatus  performed in the transaction that commits the next step (exactly once);
 *                   so is a startChild that does not wait for its children
 *   timer           a wake time in the row; the execution is due again then
 *   call, dial      started through the telephony port with key (execution, step); the
 *                   outcome arrives as an event that records the result and wakes the execution
 *   form            waits for an operator's submission (or its timeout)
 *   startChild      (waiting for the child) the child row is inserted in the transaction that
 *                   marks the effect started; the child's end completes it
 *
 * A worker that dies leaves its lease to expire; the next worker picks the
 * execution up where the last commit left it, and an external effect that was
 * not marked started is started again under the same key, which the
 * telephony layer does not place twice.
 */
import type { Clock } from '@tellflow/clock';
import type { Database, Queryable, Transaction } from '@tellflow/db';
import { checkInputs, step, type Effect, type ExecutionEvent, type ExecutionState, type Json, type Scenario, type StepResult } from '@tellflow/engine';
import type { TelephonyPort } from '@tellflow/telephony';
import { effectKey } from './effect-keys.ts';
import { performSetStatus, performSql } from './perform-sql.ts';
import type { ScenarioStore, ScenarioVersion } from './scenarios.ts';
import { claimDue, type ClaimedExecution } from './sql/claim.ts';
import { CommitQueue } from './commit-queue.ts';
import { newCounters } from './metrics.ts';
import { commitSteps, release, type CommitOutcome, type StepCommit } from './sql/commit-step.ts';
import { completeEffect, currentOperatorCall, loadEffect, markStarted, type EffectRow } from './sql/effects.ts';
import { recordAttempt, recordOutcome } from './sql/call-history.ts';
import { attachmentFrom, insertExecution, insertExecutions } from './sql/executions.ts';

export const WAKE_CHANNEL = 'tellflow_wake';

export interface RunnerOptions {
  db: Database;
  clock: Clock;
  telephony: TelephonyPort;
  scenarios: ScenarioStore;
  owner: string;
  leaseMs: number;
  /** A call without an outcome this long after its ring timeout is recorded as failed. */
  callGraceMs: number;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** Steps one execution may take per claim before giving others a turn. */
const MAX_STEPS_PER_CLAIM = 200;
const DEFAULT_RING_SEC = 60;

class Fault extends Error {}

export class Runner {
  private readonly versions = new Map<string, Promise<Scenario>>();
  private readonly commits: CommitQueue;
  /** Steps and ends committed by this runner, for the metrics. */
  readonly counters = newCounters();

  constructor(private readonly o: RunnerOptions) {
    // Two statements on the wire: one fills while the other commits (more measured no faster here).
    this.commits = new CommitQueue(o.db, { maxInFlight: 2, maxBatch: 64 });
  }

  /** Executions this runner is advancing now. */
  private readonly active = new Set<Promise<void>>();

  get activeCount(): number {
    return this.active.size;
  }

  /**
   * Claims up to `limit` due executions and starts advancing them without
   * waiting for them: the caller claims more as slots free up (`onSettled`),
   * so new work does not wait for a whole pass to end. Returns how many were claimed.
   */
  async claim(limit: number, onSettled: () => void): Promise<number> {
    const claimed = await claimDue(this.o.db, this.o.clock.now(), limit, this.o.owner, this.o.leaseMs);
    for (const c of claimed) this.adopt(c, onSettled);
    return claimed.length;
  }

  /** Starts advancing an execution this runner holds the lease of (claimed, or inserted leased to it). */
  adopt(c: ClaimedExecution, onSettled: () => void): void {
    const p: Promise<void> = this.advanceSafely(c).finally(() => {
      this.active.delete(p);
      onSettled();
    });
    this.active.add(p);
  }

  /** Resolves when every execution claimed by `claim` has been advanced. */
  async settled(): Promise<void> {
    while (this.active.size) await Promise.all(this.active);
  }

  private async advanceSafely(c: ClaimedExecution): Promise<void> {
    try {
      await this.advance(c);
    } catch (e) {
      if (e instanceof Fault) return this.failHard(c, e.message);
      // The database refused what the step writes (not a lost connection): trying again would fail the same way, for ever.
      if (refusedForGood(e)) return this.failHard(c, `the database refused the step: ${(e as Error).message}`);
      // Database or telephony trouble: leave the lease to expire and try again later.
      this.o.log('execution step failed; will retry after the lease expires', { execution: c.id, error: String(e) });
    }
  }

  private async advance(c: ClaimedExecution): Promise<void> {
    const scenario = await this.scenario(c.scenarioId, c.version);
    let state = c.state;
    /** The effect the last commit here wrote, when it need not be read back (see freshEffect). */
    let fresh: EffectRow | undefined;
    for (let i = 0; i < MAX_STEPS_PER_CLAIM; i++) {
      const now = this.o.clock.now();
      if (state && state.status !== 'waiting') return release(this.o.db, c.id, this.o.owner, c.wakeups, null, now);

      let event: ExecutionEvent;
      let consumed: StepCommit['consumed'];
      if (!state) event = { type: 'start', at: now, input: c.input, ...(c.retryFrom ? { from: c.retryFrom } : {}) };
      else if (c.cancelRequested) event = { type: 'cancel', at: now, reason: c.cancelRequested };
      else {
        const waiting = state.waiting!;
        const effect = fresh?.step === waiting.step ? fresh : await loadEffect(this.o.db, c.id, waiting.step);
        fresh = undefined;
        if (!effect) throw new Fault(`the record of step ${waiting.step}'s effect is missing`);
        if (effect.status === 'done') {
          event = { type: 'result', at: now, step: waiting.step, result: effect.result };
          consumed = { step: waiting.step, result: effect.result };
        } else if (isDatabaseEffect(effect.request)) {
          const done = await this.performDatabaseEffect(c, scenario, state, effect);
          if (done === null || parks(done.r, done.now)) return; // lease lost, or released by that commit
          state = c.state = done.r.state; // what is stored now, should the execution have to be failed
          fresh = freshEffect(c.id, done.r, done.now);
          continue;
        } else if (effect.kind === 'timer') {
          const wakeAt = effect.wakeAt!.getTime();
          if (wakeAt > now) return release(this.o.db, c.id, this.o.owner, c.wakeups, wakeAt, now);
          event = { type: 'result', at: now, step: waiting.step, result: {} };
          consumed = { step: waiting.step, result: {} };
        } else if (!effect.startedAt) {
          await this.startExternal(c, effect, now);
          continue;
        } else if (effect.deadline && effect.deadline.getTime() <= now) {
          const lost = lostResult(effect);
          if (await completeEffect(this.o.db, c.id, effect.step, lost, now)) {
            if (effect.kind === 'call' || effect.kind === 'dial') await recordOutcome(this.o.db, c.id, effect.step, 'failed', now);
          }
          continue;
        } else {
          return release(this.o.db, c.id, this.o.owner, c.wakeups, effect.deadline?.getTime() ?? null, now);
        }
      }

      const result = step(scenario, state ?? undefined, event);
      if (result.ignored) throw new Fault(`the engine ignored ${event.type}: ${result.ignored}`);
      const { committed } = await this.commit(c, result, now, consumed);
      if (!committed || parks(result, now)) return; // lease lost, or released by that commit
      state = c.state = result.state;
      fresh = freshEffect(c.id, result, now);
    }
    // Long run of steps: let other executions have a turn; this one is due again at once.
    const now = this.o.clock.now();
    return release(this.o.db, c.id, this.o.owner, c.wakeups, now, now);
  }

  /**
   * Commits a step; releases the lease in the same statement when nothing
   * more can happen now. Outside a transaction the step joins the commit
   * queue; inside one (a sql effect's) it is written there, and `after` is left
   * to the caller once the transaction has committed.
   */
  private async commit(c: ClaimedExecution, r: StepResult, now: number, consumed: StepCommit['consumed'], tx?: Queryable): Promise<CommitOutcome> {
    const effect = r.effects[0]?.effect;
    const finished = r.state.status !== 'waiting';
    const commit: StepCommit = { id: c.id, owner: this.o.owner, state: r.state, now, trace: r.trace, effects: r.effects, ...(consumed ? { consumed } : {}) };
    if (parks(r, now)) commit.release = { seenWakeups: c.wakeups, runAt: finished ? null : (effect as { wakeAt: number }).wakeAt };
    if (finished && c.parentId !== null && c.parentStep !== null) {
      const result: Json =
        r.state.status === 'completed'
          ? { outcome: 'done', executionId: c.id, result: r.state.result ?? null }
          : { outcome: 'failed', executionId: c.id, error: r.state.error?.message ?? r.state.status };
      commit.parent = { id: c.parentId, step: c.parentStep, result };
    }
    if (tx) return (await commitSteps(tx, [commit]))[0]!; // counted once its transaction commits
    const outcome = await this.commits.commit(commit);
    if (outcome.committed) this.count(r);
    await this.after(outcome);
    return outcome;
  }

  private count(r: StepResult): void {
    this.counters.stepsCommitted++;
    const status = r.state.status;
    if (status !== 'waiting') this.counters.executionsFinished[status]++;
  }

  /** After a committed end: hang up the calls the execution placed, and tell other processes about executions it woke. */
  private async after(outcome: CommitOutcome): Promise<void> {
    for (const id of outcome.hangups) void this.o.telephony.hangup(id).catch(() => {});
    if (outcome.woke) await this.o.db.notify(WAKE_CHANNEL, '');
  }

  private async performDatabaseEffect(
    c: ClaimedExecution,
    scenario: Scenario,
    state: ExecutionState,
    effect: EffectRow,
  ): Promise<{ r: StepResult; now: number } | null> {
    let started = 0;
    const done = await this.o.db
      .transaction(async (tx) => {
        const request = effect.request;
        let result: Json;
        if (request.kind === 'sql') result = await performSql(tx, request);
        else if (request.kind === 'setStatus') result = await performSetStatus(tx, request);
        else if (request.kind === 'startChild') ({ result, started } = await this.startChildren(tx, c, request, null, this.o.clock.now()));
        else throw new Fault(`a ${request.kind} effect is not performed in the database`);
        const now = this.o.clock.now();
        const r = step(scenario, state, { type: 'result', at: now, step: effect.step, result });
        if (r.ignored) throw new Fault(`the engine ignored a ${effect.kind} result: ${r.ignored}`);
        const outcome = await this.commit(c, r, now, { step: effect.step, result }, tx);
        if (!outcome.committed) throw new LeaseLost();
        return { r, now, outcome };
      })
      .catch((e: unknown) => {
        if (e instanceof LeaseLost) return null;
        throw e;
      });
    if (done) {
      this.count(done.r);
      await this.after(done.outcome);
    }
    if (done && started) await this.o.db.notify(WAKE_CHANNEL, '');
    return done;
  }

  private async startExternal(c: ClaimedExecution, effect: EffectRow, now: number): Promise<void> {
    const request = effect.request;
    const key = effectKey(c.id, effect.step);
    switch (request.kind) {
      case 'call':
      case 'dial': {
        const call =
          request.kind === 'call'
            ? await this.o.telephony.callOperator({ key, operator: request.operator, ...(request.timeoutSec ? { timeoutSec: request.timeoutSec } : {}) })
            : await this.o.telephony.dial({
                key,
                number: request.number,
                ...(request.callerId ? { callerId: request.callerId } : {}),
                ...(request.timeoutSec ? { timeoutSec: request.timeoutSec } : {}),
              });
        const deadline = now + (request.timeoutSec ?? DEFAULT_RING_SEC) * 1000 + this.o.callGraceMs;
        await markStarted(this.o.db, c.id, effect.step, now, { externalId: call.callId, deadline });
        await recordAttempt(this.o.db, {
          executionId: c.id,
          step: effect.step,
          kind: request.kind === 'call' ? 'operator' : 'customer',
          number: request.kind === 'call' ? request.operator : request.number,
          callId: call.callId,
          taskId: c.taskId,
          subscriberId: c.subscriberId,
          operator: request.kind === 'call' ? request.operator : c.operator,
          at: now,
        });
        // The outcome may already be known (e.g. a call found in the log after a restart).
        if (call.outcome) {
          await recordOutcome(this.o.db, c.id, effect.step, call.outcome, now);
          await completeEffect(
            this.o.db,
            c.id,
            effect.step,
            { outcome: call.outcome, callId: call.callId, ...(call.reason ? { reason: call.reason } : {}) },
            now,
          );
        }
        return;
      }
      case 'form': {
        const operator = request.operator ?? (await currentOperatorCall(this.o.db, c.id))?.operator ?? null;
        const deadline = request.timeoutSec ? now + request.timeoutSec * 1000 : null;
        await markStarted(this.o.db, c.id, effect.step, now, { deadline, assignee: operator });
        await this.o.db.notify(WAKE_CHANNEL, `form:${c.id}`);
        return;
      }
      case 'startChild': {
        // Only a child the step waits for gets here (the others are database effects): its end completes the effect.
        const started = await this.o.db.transaction(async (tx) => {
          const { result, childId } = await this.startChildren(tx, c, request, effect.step, now);
          await markStarted(tx, c.id, effect.step, now, { externalId: childId ?? null });
          if (!childId) await completeEffect(tx, c.id, effect.step, result, now);
          return childId !== undefined;
        });
        if (started) await this.o.db.notify(WAKE_CHANNEL, '');
        return;
      }
      case 'enqueue':
        throw new Fault('the queue dispatcher is not available yet: this scenario cannot run its queue node');
      default:
        throw new Fault(`cannot perform a ${request.kind} effect here`);
    }
  }

  /**
   * Inserts the children a startChild effect asks for, in `tx`: one, every
   * item of `each`, or one per row of `eachRow`'s query (run here, undone with
   * the children if any cannot start). `waitStep` makes the one child report
   * its end to that step. Returns the effect's result ({ outcome: 'failed' }
   * when nothing started) and how many children started.
   */
  private async startChildren(
    tx: Transaction,
    c: ClaimedExecution,
    request: Extract<Effect, { kind: 'startChild' }>,
    waitStep: number | null,
    now: number,
  ): Promise<{ result: Json; started: number; childId?: string }> {
    const failed = (error: string) => ({ result: { outcome: 'failed', error }, started: 0 });
    let version: ScenarioVersion;
    try {
      version = await this.o.scenarios.published(request.scenario, tx);
    } catch (e) {
      return failed((e as Error).message);
    }
    const insertMany = (q: Queryable, inputs: Record<string, Json>[]) =>
      insertExecutions(q, {
        scenarioId: request.scenario,
        version: version.version,
        now,
        children: inputs.map((input) => ({ input, attachment: attachmentFrom(input, c) })),
      });
    if (request.eachRow) {
      const eachRow = request.eachRow;
      const count = await tx
        .savepoint(async (sp) => {
          const r = await performSql(sp, { kind: 'sql', query: eachRow.query, params: eachRow.params, result: 'rows' });
          if (!r.ok) throw new NotStarted(`the query failed: ${r.error}`);
          const inputs = r.rows.map((row): Record<string, Json> => ({ ...row, ...request.inputs }));
          const problem = firstInputProblem(version.document, inputs);
          if (problem) throw new NotStarted(problem);
          return insertMany(sp, inputs);
        })
        .catch((e: unknown) => {
          if (e instanceof NotStarted) return e;
          throw e;
        });
      if (count instanceof NotStarted) return failed(count.message);
      return { result: { outcome: 'done', count }, started: count };
    }
    if (request.each) {
      const problem = firstInputProblem(version.document, request.each);
      if (problem) return failed(problem);
      const count = await insertMany(tx, request.each);
      return { result: { outcome: 'done', count }, started: count };
    }
    const problems = checkInputs(version.document, request.inputs);
    if (problems.length) return failed(`input "${problems[0]!.input}" ${problems[0]!.message}`);
    const childId = await insertExecution(tx, {
      scenarioId: request.scenario,
      version: version.version,
      input: request.inputs,
      now,
      parentId: waitStep !== null ? c.id : null,
      parentStep: waitStep,
      attachment: attachmentFrom(request.inputs, c),
    });
    return { result: { outcome: 'done', executionId: childId }, started: 1, childId };
  }

  /** Ends an execution the engine cannot advance (e.g. a missing version), so it never hangs. */
  private async failHard(c: ClaimedExecution, message: string): Promise<void> {
    const now = this.o.clock.now();
    const base: ExecutionState = c.state ?? { status: 'waiting', vars: {}, steps: 0, startedAt: now };
    const { waiting: _w, ...rest } = base;
    const state: ExecutionState = { ...rest, status: 'failed', endedAt: now, error: { ...(base.waiting ? { nodeId: base.waiting.nodeId } : {}), message } };
    this.o.log('execution failed', { execution: c.id, error: message });
    await this.commit(c, { state, effects: [], trace: [] }, now, undefined);
  }

  private scenario(id: string, version: number): Promise<Scenario> {
    const key = `${id}@${version}`;
    let hit = this.versions.get(key);
    if (!hit) {
      hit = this.o.scenarios.version(id, version).then(
        (v) => v.document,
        (e: unknown) => {
          this.versions.delete(key);
          throw new Fault(`cannot load version ${version} of scenario "${id}": ${(e as Error).message}`);
        },
      );
      this.versions.set(key, hit);
    }
    return hit;
  }
}

class LeaseLost extends Error {}
/** Children that cannot be started: the effect fails with this message. */
class NotStarted extends Error {}

/** The first child whose inputs the scenario does not accept, as "item N: input …", or null. */
function firstInputProblem(scenario: Scenario, inputs: Record<string, Json>[]): string | null {
  for (const [i, input] of inputs.entries()) {
    const problems = checkInputs(scenario, input);
    if (problems.length) return `item ${i}: input "${problems[0]!.input}" ${problems[0]!.message}`;
  }
  return null;
}

/**
 * PostgreSQL refused the data the step writes (SQLSTATE class 22, data
 * exception, e.g. text it cannot store; 54, a limit exceeded, e.g. a value too
 * large): the same data fails the same way every time. Connection loss,
 * shutdown, deadlocks, lack of resources and schema errors (a rolling
 * upgrade) pass: those are tried again.
 */
function refusedForGood(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}

/** Effects performed in the transaction that commits the next step: they touch nothing but the database. */
function isDatabaseEffect(r: Effect): boolean {
  return r.kind === 'sql' || r.kind === 'setStatus' || (r.kind === 'startChild' && !r.wait);
}

/** Whether committing step `r` at `now` also releases the lease: the execution ended, or waits for a later time. */
function parks(r: StepResult, now: number): boolean {
  const effect = r.effects[0]?.effect;
  return r.state.status !== 'waiting' || (effect?.kind === 'timer' && effect.wakeAt > now);
}

/**
 * The effect row a step just committed here wrote, as loadEffect would read
 * it back: saves that read when the runner goes straight on to perform it.
 * Only for effects nothing outside the runner touches (timers and database
 * effects); calls, forms and children waited for are read back as before.
 */
function freshEffect(executionId: string, r: StepResult, now: number): EffectRow | undefined {
  const e = r.effects[0];
  if (!e || (e.effect.kind !== 'timer' && !isDatabaseEffect(e.effect))) return undefined;
  return {
    executionId,
    step: e.step,
    nodeId: e.nodeId,
    kind: e.effect.kind,
    request: e.effect,
    status: 'pending',
    startedAt: null,
    externalId: null,
    wakeAt: e.effect.kind === 'timer' ? new Date(e.effect.wakeAt) : null,
    deadline: null,
    assignee: null,
    result: null,
    createdAt: new Date(now),
  };
}

/** What an external effect's result is taken to be when it never came. */
function lostResult(effect: EffectRow): Json {
  switch (effect.kind) {
    case 'form':
      return { timeout: true };
    case 'call':
    case 'dial':
      return { outcome: 'failed', ...(effect.externalId ? { callId: effect.externalId } : {}), reason: 'no call outcome arrived before the deadline' };
    default:
      return { outcome: 'failed', error: 'no result arrived before the deadline' };
  }
}

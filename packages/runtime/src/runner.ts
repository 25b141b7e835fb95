/**
 * The durable runner. It claims due executions (leases in rows), and for
 * each one feeds the engine the next event and commits what the step did in
 * one statement. The effect a step asks for is performed by its kind's
 * handler (effects/): inside the transaction that commits the next step
 * (grouped with other executions' steps: transaction-queue.ts), at a wake
 * time, or started outside under the key (execution, step) with a deadline,
 * its result coming back as an event that wakes the execution.
 *
 * A worker that dies leaves its lease to expire; the next worker picks the
 * execution up where the last commit left it, and an external effect that was
 * not marked started is started again under the same key, which the world
 * (e.g. the telephony layer) does not act on twice.
 */
import type { Clock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import { step, type ExecutionEvent, type ExecutionState, type Json, type Scenario, type StepResult } from '@tellflow/engine';
import type { TelephonyPort } from '@tellflow/telephony';
import { CommitQueue } from './commit-queue.ts';
import { cancellableKinds, EffectRefused, effectHandler, howPerformed, noHandlerMessage, type EffectHandler, type EffectServices } from './effects/index.ts';
import { newCounters } from './metrics.ts';
import type { ExecutionAttachment } from './attachment.ts';
import type { ScenarioStore } from './scenarios.ts';
import { claimDue, type ClaimedExecution } from './sql/claim.ts';
import { release, type CommitOutcome, type StepCommit } from './sql/commit-step.ts';
import { completeEffect, loadEffect, type EffectRow } from './sql/effects.ts';
import { TransactionQueue } from './transaction-queue.ts';

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
  attachment: ExecutionAttachment;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** Steps one execution may take per claim before giving others a turn. */
const MAX_STEPS_PER_CLAIM = 200;

class Fault extends Error {}

export class Runner {
  private readonly versions = new Map<string, Promise<Scenario>>();
  private readonly commits: CommitQueue;
  private readonly transactions: TransactionQueue;
  private readonly services: EffectServices;
  /** Steps and ends committed by this runner, for the metrics. */
  readonly counters = newCounters();

  constructor(private readonly o: RunnerOptions) {
    // Two statements (transactions) on the wire: one fills while the other commits (more measured no faster here).
    this.commits = new CommitQueue(o.db, { maxInFlight: 2, maxBatch: 64 });
    this.transactions = new TransactionQueue(o.db, o.owner, { maxInFlight: 2, maxBatch: 64 });
    this.services = {
      db: o.db,
      clock: o.clock,
      telephony: o.telephony,
      scenarios: o.scenarios,
      callGraceMs: o.callGraceMs,
      attachment: o.attachment,
      log: o.log,
      notify: (payload = '') => o.db.notify(WAKE_CHANNEL, payload),
    };
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
      if (e instanceof Fault || e instanceof EffectRefused) return this.failHard(c, e.message);
      // The database refused what the step writes (not a lost connection): trying again would fail the same way, for ever.
      if (refusedForGood(e)) return this.failHard(c, `the database refused the step: ${(e as Error).message}`);
      // Database or world trouble: leave the lease to expire and try again later.
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
        } else {
          const handler = effectHandler(effect.request.kind);
          if (!handler) throw new Fault(noHandlerMessage(effect.request.kind, `node "${effect.nodeId}"`));
          const performed = howPerformed(handler, effect.request);
          if (performed === 'inTransaction') {
            const done = await this.performInTransaction(c, scenario, state, effect, handler);
            if (done === null || this.parks(done.r, done.now)) return; // lease lost, or released by that commit
            state = c.state = done.r.state; // what is stored now, should the execution have to be failed
            fresh = this.freshEffect(c.id, done.r, done.now);
            continue;
          }
          if (performed === 'atTime') {
            const wakeAt = effect.wakeAt?.getTime() ?? handler.atTime!.wakeAt(effect.request);
            if (wakeAt > now) return release(this.o.db, c.id, this.o.owner, c.wakeups, wakeAt, now);
            event = { type: 'result', at: now, step: waiting.step, result: {} };
            consumed = { step: waiting.step, result: {} };
          } else {
            const outside = handler.outside!;
            const ctx = { services: this.services, execution: c, step: effect.step, now };
            if (!effect.startedAt) {
              await outside.start(ctx, effect, effect.request);
              continue;
            }
            if (!effect.deadline || effect.deadline.getTime() > now) {
              return release(this.o.db, c.id, this.o.owner, c.wakeups, effect.deadline?.getTime() ?? null, now);
            }
            if (await completeEffect(this.o.db, c.id, effect.step, outside.lostResult(effect), now)) await outside.afterLost?.(ctx, effect);
            continue;
          }
        }
      }

      const result = step(scenario, state ?? undefined, event);
      if (result.ignored) throw new Fault(`the engine ignored ${event.type}: ${result.ignored}`);
      const outcome = await this.commits.commit(this.stepCommit(c, result, now, consumed));
      if (outcome.committed) this.count(result);
      await this.after(outcome);
      if (!outcome.committed || this.parks(result, now)) return; // lease lost, or released by that commit
      state = c.state = result.state;
      fresh = this.freshEffect(c.id, result, now);
    }
    // Long run of steps: let other executions have a turn; this one is due again at once.
    const now = this.o.clock.now();
    return release(this.o.db, c.id, this.o.owner, c.wakeups, now, now);
  }

  /**
   * What committing step `r` writes; it releases the lease in the same
   * statement when nothing more can happen now (see parks).
   */
  private stepCommit(c: ClaimedExecution, r: StepResult, now: number, consumed: StepCommit['consumed']): StepCommit {
    const finished = r.state.status !== 'waiting';
    const wakeAt = this.wakeAt(r);
    const commit: StepCommit = {
      id: c.id,
      owner: this.o.owner,
      state: r.state,
      now,
      trace: r.trace,
      effects: r.effects,
      wakeAt,
      ...(consumed ? { consumed } : {}),
    };
    if (this.parks(r, now)) commit.release = { seenWakeups: c.wakeups, runAt: finished ? null : wakeAt };
    if (finished) {
      commit.cancel = cancellableKinds();
      if (c.parentId !== null && c.parentStep !== null) {
        const result: Json =
          r.state.status === 'completed'
            ? { outcome: 'done', executionId: c.id, result: r.state.result ?? null }
            : { outcome: 'failed', executionId: c.id, error: r.state.error?.message ?? r.state.status };
        commit.parent = { id: c.parentId, step: c.parentStep, result };
      }
    }
    return commit;
  }

  private count(r: StepResult): void {
    this.counters.stepsCommitted++;
    const status = r.state.status;
    if (status !== 'waiting') this.counters.executionsFinished[status]++;
  }

  /** After a committed end: its handlers cancel the effects the execution started; other processes hear of executions it woke. */
  private async after(outcome: CommitOutcome): Promise<void> {
    for (const { kind, externalId } of outcome.cancels) {
      void effectHandler(kind)
        ?.outside?.cancel?.(this.services, externalId)
        .catch((e: unknown) => this.o.log('could not cancel an effect of an ended execution', { kind, externalId, error: String(e) }));
    }
    if (outcome.woke) await this.services.notify();
  }

  /** Performs an effect in the transaction that commits the step consuming its result (shared with other executions' steps). */
  private async performInTransaction(
    c: ClaimedExecution,
    scenario: Scenario,
    state: ExecutionState,
    effect: EffectRow,
    handler: EffectHandler,
  ): Promise<{ r: StepResult; now: number } | null> {
    const part = handler.inTransaction!;
    let r: StepResult | undefined;
    let at = 0;
    let wakesOthers = false;
    const outcome = await this.transactions.run({
      executionId: c.id,
      timeoutMs: part.statementTimeoutMs(effect.request),
      perform: (tx, sandbox) => {
        wakesOthers = false; // performed again when its first transaction was undone
        const now = this.o.clock.now();
        return part.perform(tx, effect.request, {
          services: this.services,
          execution: c,
          step: effect.step,
          now,
          sandbox,
          wakesOthers: () => (wakesOthers = true),
        });
      },
      next: (result) => {
        at = this.o.clock.now();
        r = step(scenario, state, { type: 'result', at, step: effect.step, result });
        if (r.ignored) throw new Fault(`the engine ignored a ${effect.kind} result: ${r.ignored}`);
        return this.stepCommit(c, r, at, { step: effect.step, result });
      },
    });
    if (!outcome) return null;
    this.count(r!);
    await this.after(outcome);
    if (wakesOthers && !outcome.woke) await this.services.notify();
    return { r: r!, now: at };
  }

  /** Ends an execution the engine cannot advance (e.g. a missing version), so it never hangs. */
  private async failHard(c: ClaimedExecution, message: string): Promise<void> {
    const now = this.o.clock.now();
    const base: ExecutionState = c.state ?? { status: 'waiting', vars: {}, steps: 0, startedAt: now };
    const { waiting: _w, ...rest } = base;
    const state: ExecutionState = { ...rest, status: 'failed', endedAt: now, error: { ...(base.waiting ? { nodeId: base.waiting.nodeId } : {}), message } };
    this.o.log('execution failed', { execution: c.id, error: message });
    const outcome = await this.commits.commit(this.stepCommit(c, { state, effects: [], trace: [] }, now, undefined));
    if (outcome.committed) this.count({ state, effects: [], trace: [] });
    await this.after(outcome);
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

  /** When the effect step `r` asks for is due by itself (a timer's wake time), or null. */
  private wakeAt(r: StepResult): number | null {
    const e = r.effects[0]?.effect;
    if (!e) return null;
    const handler = effectHandler(e.kind);
    return handler?.atTime && handler.performed(e) === 'atTime' ? handler.atTime.wakeAt(e) : null;
  }

  /** Whether committing step `r` at `now` also releases the lease: the execution ended, or waits for a later time. */
  private parks(r: StepResult, now: number): boolean {
    return r.state.status !== 'waiting' || (this.wakeAt(r) ?? now) > now;
  }

  /**
   * The effect row a step just committed here wrote, as loadEffect would read
   * it back: saves that read when the runner goes straight on to perform it.
   * Only for effects nothing outside the runner touches (not those started
   * outside: calls, forms and children waited for are read back).
   */
  private freshEffect(executionId: string, r: StepResult, now: number): EffectRow | undefined {
    const e = r.effects[0];
    const handler = e && effectHandler(e.effect.kind);
    if (!e || !handler || handler.performed(e.effect) === 'outside') return undefined;
    const wakeAt = this.wakeAt(r);
    return {
      executionId,
      step: e.step,
      nodeId: e.nodeId,
      kind: e.effect.kind,
      request: e.effect,
      status: 'pending',
      startedAt: null,
      externalId: null,
      wakeAt: wakeAt !== null ? new Date(wakeAt) : null,
      deadline: null,
      assignee: null,
      result: null,
      createdAt: new Date(now),
    };
  }
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

/**
 * The runtime as the server and the CLI see it: start and cancel executions,
 * answer forms, read executions back, and keep the runner going — by polling
 * and by LISTEN/NOTIFY wake-ups, so several processes share the work.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import { checkFormValues, checkInputs, initialVariables, variablesBefore, type Json } from '@tellflow/engine';
import { isCallOutcome, type CallEvent, type TelephonyPort } from '@tellflow/telephony';
import { parseEffectKey } from './effect-keys.ts';
import { conflict, notFound, RuntimeError } from './errors.ts';
import { Runner, WAKE_CHANNEL } from './runner.ts';
import { ScenarioStore } from './scenarios.ts';
import { Dialer } from './outbound/dialer.ts';
import { OutboundTaskStore } from './outbound/store.ts';
import { Scheduler } from './service-tasks/scheduler.ts';
import { ServiceTaskStore } from './service-tasks/store.ts';
import { nextWakeAt, type ClaimedExecution } from './sql/claim.ts';
import { recordHangup, recordOutcome, subscriberHistory } from './sql/call-history.ts';
import { completeEffect, currentOperatorCall, loadEffect } from './sql/effects.ts';
import { attachmentFrom, insertExecution, retryBasis, requestCancel, type NewExecution } from './sql/executions.ts';
import { pruneFinished } from './sql/prune.ts';
import { gatherMetrics, type Metric } from './metrics.ts';
import { getExecution, listExecutions, listPendingForms, type ExecutionFilter, type RetryFrom } from './sql/read-executions.ts';

/** Executions one process advances at once (their steps share commit statements). */
const DEFAULT_BATCH = 64;

export interface RuntimeOptions {
  db: Database;
  telephony: TelephonyPort;
  clock?: Clock;
  /** This process's name in leases. */
  owner?: string;
  leaseMs?: number;
  /** Executions advanced at once (and claimed at most per claim). */
  batch?: number;
  /** Longest sleep between polls when no wake-up arrives. */
  pollMs?: number;
  /** How often service task schedules are checked. */
  scheduleMs?: number;
  callGraceMs?: number;
  /**
   * How long finished executions (with their trace and effects) and
   * service-task runs are kept; null keeps them forever. Default 30 days:
   * the callback monitor alone finishes 17,280 executions a day.
   */
  keepFinishedMs?: number | null;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const DAY_MS = 86_400_000;
/** How often a process prunes (each prune deletes what has aged since the last). */
const PRUNE_EVERY_MS = 3_600_000;

export interface FormSubmitter {
  /** Operator numbers / ids this user answers for; undefined = may answer any form (admin). */
  operators?: string[];
}

export class Runtime {
  readonly scenarios: ScenarioStore;
  readonly serviceTasks: ServiceTaskStore;
  readonly outboundTasks: OutboundTaskStore;
  readonly clock: Clock;
  readonly db: Database;
  private readonly runner: Runner;
  private readonly scheduler: Scheduler;
  private readonly dialer: Dialer;
  private readonly log: NonNullable<RuntimeOptions['log']>;
  private readonly pollMs: number;
  private readonly unsubscribeTelephony: () => void;
  /** Call events being recorded (drain() waits for them so nothing due is missed) and a prune in progress. */
  private readonly inflight = new Set<Promise<void>>();
  private loop:
    | {
        stop: boolean;
        timer?: TimerHandle;
        scheduleTimer?: TimerHandle;
        unlisten?: () => Promise<void>;
        kick?: () => void;
        /** Runs an execution inserted leased to this process at once, when the loop has room for it. */
        runHere?: { room: () => boolean; adopt: (c: ClaimedExecution) => void };
        done?: Promise<void>;
      }
    | undefined;
  private readonly owner: string;
  private readonly leaseMs: number;
  /** Executions advanced at once. */
  private readonly capacity: number;
  private readonly keepFinishedMs: number | null;
  /** When this process prunes next (the first tick prunes). */
  private nextPruneAt = 0;

  constructor(private readonly o: RuntimeOptions) {
    this.db = o.db;
    this.clock = o.clock ?? systemClock;
    this.scenarios = new ScenarioStore(o.db);
    this.log = o.log ?? (() => {});
    this.pollMs = o.pollMs ?? 1000;
    this.owner = o.owner ?? `runtime-${randomUUID()}`;
    this.leaseMs = o.leaseMs ?? 30_000;
    this.capacity = o.batch ?? DEFAULT_BATCH;
    this.keepFinishedMs = o.keepFinishedMs === undefined ? 30 * DAY_MS : o.keepFinishedMs;
    this.runner = new Runner({
      db: o.db,
      clock: this.clock,
      telephony: o.telephony,
      scenarios: this.scenarios,
      owner: this.owner,
      leaseMs: this.leaseMs,
      callGraceMs: o.callGraceMs ?? 30_000,
      log: this.log,
    });
    this.serviceTasks = new ServiceTaskStore(o.db, () => this.clock.now());
    this.scheduler = new Scheduler({ db: o.db, scenarios: this.scenarios, log: this.log });
    this.outboundTasks = new OutboundTaskStore(o.db);
    this.dialer = new Dialer(o.db, this.scenarios, this.log);
    this.unsubscribeTelephony = o.telephony.onEvent((e) => {
      const p = this.onCallEvent(e).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    });
  }

  /** Starts the published version of a scenario (or a given version). Returns the execution id. */
  async start(scenarioId: string, options: { input?: Record<string, Json>; version?: number; startedBy?: string | null } = {}): Promise<string> {
    const version = options.version === undefined ? await this.scenarios.published(scenarioId) : await this.scenarios.version(scenarioId, options.version);
    const input = options.input ?? {};
    const problems = checkInputs(version.document, input);
    const missing = problems.filter((p) => p.message === 'is required').map((p) => `"${p.input}"`);
    const wrong = problems.filter((p) => p.message !== 'is required').map((p) => `"${p.input}" ${p.message}`);
    if (problems.length) {
      const message = [missing.length ? `missing required input ${missing.join(', ')}` : '', wrong.length ? `invalid input ${wrong.join('; ')}` : '']
        .filter(Boolean)
        .join('; ');
      throw new RuntimeError(400, message, { problems });
    }
    return this.launch({ scenarioId, version: version.version, input, startedBy: options.startedBy ?? null, attachment: attachmentFrom(input) });
  }

  /**
   * Runs a finished execution again from one of its steps (default: the node
   * it failed or was cancelled at), on the same scenario version, with the
   * same input and attachment, and the variables it had when that step began.
   * Effects from that step on happen again (a new execution, new effect
   * keys). Returns the new execution's id.
   */
  async retry(id: string, options: { fromStep?: number; startedBy?: string | null } = {}): Promise<string> {
    const x = await this.execution(id);
    if (x.status === 'running' || x.status === 'waiting') throw conflict(`execution "${id}" is still ${x.status}: cancel it before retrying it`);
    const version = await this.scenarios.version(x.scenarioId, x.version);
    const basis = await retryBasis(this.db, id);
    let from: RetryFrom;
    if (options.fromStep === undefined) {
      const nodeId = x.state?.error?.nodeId;
      const node = version.document.nodes.find((n) => n.id === nodeId);
      if (x.status === 'completed' || !nodeId || !x.state || node?.type === 'end') {
        const why = x.status === 'completed' ? 'completed' : node?.type === 'end' ? `ended at its end node "${nodeId}"` : 'has no node it stopped at';
        throw conflict(`execution "${id}" ${why}: give the step to retry from`);
      }
      from = { step: x.state.steps, nodeId, vars: x.state.vars };
    } else {
      const visit = x.trace.find((t) => t.step === options.fromStep);
      if (!visit)
        throw new RuntimeError(400, `execution "${id}" has no step ${options.fromStep}: its steps are ${x.trace.map((t) => t.step).join(', ') || 'none'}`);
      const initial = basis.startVars ?? initialVariables(version.document, x.input).vars;
      from = { step: visit.step, nodeId: visit.nodeId, vars: variablesBefore(initial, x.trace, visit.step) };
    }
    return this.launch({
      scenarioId: x.scenarioId,
      version: x.version,
      input: x.input,
      startedBy: options.startedBy ?? null,
      attachment: basis.attachment,
      retry: { of: id, from },
    });
  }

  /**
   * Inserts a new execution. When this process's loop has room it is inserted
   * leased to it and runs at once (no NOTIFY and claim in between); otherwise
   * any process's next claim starts it.
   */
  private async launch(e: Omit<NewExecution, 'now' | 'lease'>): Promise<string> {
    const here = this.loop?.runHere?.room() ? this.loop.runHere : undefined;
    const now = this.clock.now();
    const id = await insertExecution(this.db, { ...e, now, ...(here ? { lease: { owner: this.owner, until: now + this.leaseMs } } : {}) });
    if (here) {
      here.adopt({
        id,
        scenarioId: e.scenarioId,
        version: e.version,
        state: null,
        input: e.input,
        cancelRequested: null,
        parentId: null,
        parentStep: null,
        wakeups: 0,
        taskId: e.attachment?.taskId ?? null,
        subscriberId: e.attachment?.subscriberId ?? null,
        operator: e.attachment?.operator ?? null,
        retryFrom: e.retry ? { nodeId: e.retry.from.nodeId, vars: e.retry.from.vars } : null,
      });
    } else await this.db.notify(WAKE_CHANNEL, '');
    return id;
  }

  /** Cancels an unfinished execution; its timers, forms and children go with it. */
  async cancel(id: string, reason = 'cancelled by request'): Promise<void> {
    if (!(await requestCancel(this.db, id, reason, this.clock.now()))) {
      const found = await getExecution(this.db, id);
      if (!found) throw notFound(`execution "${id}"`);
      throw conflict(`execution "${id}" is already ${found.status}`);
    }
    await this.db.notify(WAKE_CHANNEL, '');
  }

  async submitForm(executionId: string, step: number, values: unknown, by: FormSubmitter & { user?: string } = {}): Promise<Record<string, Json>> {
    const effect = await loadEffect(this.db, executionId, step);
    if (effect?.kind !== 'form' || effect.request.kind !== 'form') throw notFound(`form ${executionId}/${step}`);
    if (effect.status !== 'pending' || !effect.startedAt) throw conflict(`form ${executionId}/${step} is no longer waiting for a submission`);
    if (by.operators && effect.assignee !== null && !by.operators.includes(effect.assignee)) {
      throw new RuntimeError(403, `form ${executionId}/${step} is for operator ${effect.assignee}`);
    }
    const checked = checkFormValues(effect.request.fields, values);
    if (!checked.ok) throw new RuntimeError(400, 'the form values are not valid', { problems: checked.problems });
    const result: Json = { submitted: checked.values, ...(by.user ? { by: by.user } : {}) };
    if (!(await completeEffect(this.db, executionId, step, result, this.clock.now()))) {
      throw conflict(`form ${executionId}/${step} was answered or closed meanwhile`);
    }
    await this.db.notify(WAKE_CHANNEL, '');
    return checked.values;
  }

  /** Every call made for a subscriber (optionally within one task), oldest first. */
  callHistory(subscriberId: number, taskId?: string) {
    return subscriberHistory(this.db, subscriberId, taskId);
  }

  pendingForms(operators?: string[]) {
    return listPendingForms(this.db, operators);
  }

  executions(filter: ExecutionFilter = {}) {
    return listExecutions(this.db, filter);
  }

  async execution(id: string) {
    const found = await getExecution(this.db, id);
    if (!found) throw notFound(`execution "${id}"`);
    return found;
  }

  /**
   * Works until nothing is due (for tests, benchmarks and `tellflow run`):
   * claims as slots free up, as the background loop does, and returns when a
   * claim finds nothing and nothing is being advanced. Returns executions claimed.
   */
  async drain(maxClaims = 100_000): Promise<number> {
    const capacity = this.capacity;
    let total = 0;
    let settled: () => void = () => {};
    const onSettled = () => settled();
    for (let i = 0; i < maxClaims; i++) {
      while (this.inflight.size) await Promise.all(this.inflight);
      const free = capacity - this.runner.activeCount;
      const n = free > 0 ? await this.runner.claim(free, onSettled) : 0;
      total += n;
      if (n === 0 && this.runner.activeCount === 0) return total;
      // Claim again once half the slots are free (or all have ended): fewer, fuller claims and commit batches.
      do await new Promise<void>((resolve) => (settled = resolve));
      while (this.runner.activeCount > 0 && capacity - this.runner.activeCount < capacity / 2);
    }
    await this.runner.settled();
    return total;
  }

  /**
   * Starts what the clock says is due: service task periods (each once across
   * processes) and outbound calls for free operators of running tasks.
   */
  async tick(): Promise<{ started: number; skipped: number; dialed: number }> {
    const now = this.clock.now();
    const r = await this.scheduler.tick(now);
    const dialed = await this.dialer.tick(now);
    if (r.started || dialed) await this.db.notify(WAKE_CHANNEL, '');
    if (this.keepFinishedMs !== null && now >= this.nextPruneAt) {
      this.nextPruneAt = now + PRUNE_EVERY_MS;
      // In the background: a first prune of a big table must not hold up the schedules. close() waits for it.
      const p: Promise<void> = this.prune()
        .then(
          () => {},
          (e: unknown) => this.log('pruning finished executions failed', { error: String(e) }),
        )
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
    return { ...r, dialed };
  }

  /** The Prometheus metrics of the database's work and of this process (see metrics.ts). */
  metrics(): Promise<Metric[]> {
    return gatherMetrics(this.db, this.clock.now(), this.runner.counters);
  }

  /** Deletes what is older than the retention period now (see `keepFinishedMs`); the loop does this every hour. */
  async prune(): Promise<{ executions: number; runs: number }> {
    if (this.keepFinishedMs === null) return { executions: 0, runs: 0 };
    const r = await pruneFinished(this.db, new Date(this.clock.now() - this.keepFinishedMs));
    if (r.executions || r.runs) this.log('pruned finished executions', { ...r, olderThanDays: this.keepFinishedMs / DAY_MS });
    return r;
  }

  /** "Run now" for a service task: one execution outside its schedule, recorded among its runs. */
  async runServiceTask(id: string): Promise<string> {
    const task = await this.serviceTasks.get(id);
    const now = this.clock.now();
    const executionId = await this.start(task.scenarioId, { input: task.input });
    await this.db.query(
      `insert into service_task_runs (task_id, scheduled_for, outcome, reason, execution_id, created_at)
       values ($1, $2, 'started', 'run now', $3, $2) on conflict do nothing`,
      [id, new Date(now), executionId],
    );
    return executionId;
  }

  /** When the next execution becomes due (epoch ms), or null when nothing is scheduled. */
  nextWakeAt(): Promise<number | null> {
    return nextWakeAt(this.db);
  }

  /** Keeps working in the background: passes on every wake-up, and at least every pollMs. */
  async run(): Promise<void> {
    if (this.loop) return;
    const loop: NonNullable<Runtime['loop']> = { stop: false };
    this.loop = loop;
    loop.unlisten = await this.db.listen(WAKE_CHANNEL, () => loop.kick?.());
    const scheduleMs = this.o.scheduleMs ?? 500;
    const schedule = async () => {
      if (loop.stop) return;
      try {
        await this.tick();
      } catch (e) {
        this.log('service task tick failed', { error: String(e) });
      }
      if (!loop.stop) loop.scheduleTimer = this.clock.setTimeout(() => void schedule(), scheduleMs);
    };
    void schedule();
    loop.done = this.work(loop);
  }

  /**
   * The runner's loop: keeps up to `batch` executions advancing, claiming
   * more when woken (NOTIFY), when one of them ends while due work may
   * remain (the last claim found some), and at least every pollMs (timers
   * that came due).
   */
  private async work(loop: NonNullable<Runtime['loop']>): Promise<void> {
    const capacity = this.capacity;
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
    loop.runHere = {
      room: () => !loop.stop && this.runner.activeCount < capacity,
      adopt: (c) => this.runner.adopt(c, onSettled),
    };
    while (!loop.stop) {
      const free = capacity - this.runner.activeCount;
      if ((wanted || this.clock.now() >= nextPoll) && free > 0) {
        wanted = false;
        nextPoll = this.clock.now() + this.pollMs;
        try {
          lastClaimed = await this.runner.claim(free, onSettled);
        } catch (e) {
          lastClaimed = 0;
          this.log('runner claim failed', { error: String(e) });
        }
        // Let timers and requests in between claims: PGlite runs in this thread.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        loop.timer = this.clock.setTimeout(resolve, Math.max(0, nextPoll - this.clock.now()));
      });
      wake = () => {};
      if (loop.timer) this.clock.clearTimeout(loop.timer);
    }
    await this.runner.settled();
  }

  async close(): Promise<void> {
    this.unsubscribeTelephony();
    await Promise.all(this.inflight);
    const loop = this.loop;
    this.loop = undefined;
    if (loop) {
      loop.stop = true;
      if (loop.scheduleTimer) this.clock.clearTimeout(loop.scheduleTimer);
      loop.kick?.();
      await loop.done;
      await loop.unlisten?.();
    }
  }

  /** A call outcome from the telephony layer becomes its effect's result. */
  private async onCallEvent(e: CallEvent): Promise<void> {
    const ref = parseEffectKey(e.key);
    if (!ref) return;
    try {
      if (!isCallOutcome(e.type)) {
        if (e.type === 'hungUp') await recordHangup(this.db, e.callId, e.at);
        return;
      }
      if (e.type === 'answered') await this.bridgeIfAsked(ref.executionId, ref.step, e.callId);
      await recordOutcome(this.db, ref.executionId, ref.step, e.type, e.at);
      const result: Json = { outcome: e.type, callId: e.callId, ...(e.reason ? { reason: e.reason } : {}) };
      if (await completeEffect(this.db, ref.executionId, ref.step, result, this.clock.now())) await this.db.notify(WAKE_CHANNEL, '');
    } catch (err) {
      this.log('could not record a call outcome', { key: e.key, error: String(err) });
    }
  }

  private async bridgeIfAsked(executionId: string, step: number, callId: string): Promise<void> {
    const effect = await loadEffect(this.db, executionId, step);
    if (effect?.request.kind !== 'dial' || !effect.request.bridge) return;
    const operatorCall = await currentOperatorCall(this.db, executionId);
    if (!operatorCall?.callId) return this.log('dial asked to bridge, but there is no operator call', { execution: executionId, step });
    await this.o.telephony
      .bridge(operatorCall.callId, callId)
      .catch((err: unknown) => this.log('bridge failed', { execution: executionId, error: String(err) }));
  }
}

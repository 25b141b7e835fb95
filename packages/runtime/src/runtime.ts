/**
 * The runtime as the server and the CLI see it: one object composing the
 * parts, each in its own module —
 *
 *   stores.ts       scenarios, service tasks, outbound tasks, executions read back
 *   commands.ts     start, retry, cancel, answer a form, run a service task now
 *   worker.ts       the claim loop that keeps the runner advancing executions
 *   jobs.ts         background jobs on the clock (schedules, dialer, retention)
 *   call-events.ts  telephony call events → effect results
 *   events/         live events for the SSE streams (publish, snapshots), across processes
 *
 * Several processes share the work through the database: leases, and
 * LISTEN/NOTIFY wake-ups. What an execution is attached to (an outbound task,
 * a subscriber, an operator) is decided by the attachment hook (attachment.ts).
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import type { TelephonyPort } from '@tellflow/telephony';
import type { ExecutionAttachment } from './attachment.ts';
import { CallEvents } from './call-events.ts';
import { LiveEvents } from './events/live-events.ts';
import { Commands, type FormSubmitter, type LaunchOptions } from './commands.ts';
import { backgroundJobs, JobLoop, type Job } from './jobs.ts';
import { gatherMetrics, type Metric } from './metrics.ts';
import { outboundAttachment } from './outbound/attachment.ts';
import type { OutboundTaskStore } from './outbound/store.ts';
import type { AgentStore } from './agents/store.ts';
import { Dispatcher } from './queues/dispatcher.ts';
import { QueueLive } from './queues/live.ts';
import type { QueueStore } from './queues/queue-store.ts';
import { DAY_MS, HOUR_MS, pruneOlderThan, type Pruned, type Retention } from './retention.ts';
import { Runner, WAKE_CHANNEL } from './runner.ts';
import type { ScenarioStore } from './scenarios.ts';
import type { ServiceTaskStore } from './service-tasks/store.ts';
import { subscriberHistory } from './sql/call-history.ts';
import type { ExecutionFilter } from './sql/read-executions.ts';
import { stores, type Stores } from './stores.ts';
import { Worker } from './worker.ts';

export type { FormSubmitter, LaunchOptions } from './commands.ts';

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
  /** How often service task schedules are checked (and outbound tasks dialed). */
  scheduleMs?: number;
  callGraceMs?: number;
  /**
   * How long finished executions (with their trace and effects) and
   * service-task runs are kept; null keeps them forever. Default 30 days:
   * the callback monitor alone finishes 17,280 executions a day.
   */
  keepFinishedMs?: number | null;
  /**
   * How long idle executions (a service task's scheduled run that changed
   * nothing) are kept; null: as long as the others. Default 1 hour.
   */
  keepIdleMs?: number | null;
  /** How long published live events are kept for clients that reconnect (default 5 minutes). */
  keepLiveEventsMs?: number;
  /** What executions are attached to and how their calls are recorded (default: the outbound module's hook). */
  attachment?: ExecutionAttachment;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What one `tick()` did: service task periods started and skipped, outbound calls dialed, and any other job's counts. */
export type TickResult = { started: number; skipped: number; dialed: number } & Record<string, number>;

export class Runtime {
  readonly db: Database;
  readonly clock: Clock;
  readonly stores: Stores;
  readonly scenarios: ScenarioStore;
  readonly serviceTasks: ServiceTaskStore;
  readonly outboundTasks: OutboundTaskStore;
  readonly agents: AgentStore;
  readonly queues: QueueStore;
  /** The queue dispatcher: offers, answers, manual requests (its rounds run as a background job). */
  readonly dispatcher: Dispatcher;
  /** The queues' live events (queue status, positions, offers, agent action results): see queues/live.ts. */
  readonly queueLive: QueueLive;
  readonly commands: Commands;
  readonly jobs: JobLoop;
  /** Live events: `events.publish(tx, event)`, `events.registerSnapshot(name, provider)`. */
  readonly events: LiveEvents;
  private readonly runner: Runner;
  private readonly worker: Worker;
  private readonly callEvents: CallEvents;
  private readonly log: NonNullable<RuntimeOptions['log']>;
  private readonly retention: Retention;

  constructor(o: RuntimeOptions) {
    this.db = o.db;
    this.clock = o.clock ?? systemClock;
    this.log = o.log ?? (() => {});
    this.stores = stores(o.db, this.clock);
    this.scenarios = this.stores.scenarios;
    this.serviceTasks = this.stores.serviceTasks;
    this.outboundTasks = this.stores.outboundTasks;
    this.agents = this.stores.agents;
    this.queues = this.stores.queues;
    this.retention = {
      finishedMs: o.keepFinishedMs === undefined ? 30 * DAY_MS : o.keepFinishedMs,
      idleMs: o.keepIdleMs === undefined ? HOUR_MS : o.keepIdleMs,
    };
    const attachment = o.attachment ?? outboundAttachment;
    const owner = o.owner ?? `runtime-${randomUUID()}`;
    const leaseMs = o.leaseMs ?? 30_000;
    this.runner = new Runner({
      db: o.db,
      clock: this.clock,
      telephony: o.telephony,
      scenarios: this.scenarios,
      owner,
      leaseMs,
      callGraceMs: o.callGraceMs ?? 30_000,
      attachment,
      log: this.log,
    });
    this.callEvents = new CallEvents({ db: o.db, clock: this.clock, telephony: o.telephony, attachment, log: this.log });
    this.worker = new Worker({
      db: o.db,
      clock: this.clock,
      runner: this.runner,
      owner,
      leaseMs,
      capacity: o.batch ?? DEFAULT_BATCH,
      pollMs: o.pollMs ?? 1000,
      quiet: () => this.callEvents.settled(),
      log: this.log,
    });
    this.commands = new Commands(this.stores, { attachment, here: this.worker.here });
    this.events = new LiveEvents({ db: o.db, clock: this.clock, log: this.log, ...(o.keepLiveEventsMs !== undefined ? { keepMs: o.keepLiveEventsMs } : {}) });
    this.queueLive = new QueueLive({ db: o.db, clock: this.clock, events: this.events, wake: () => o.db.notify(WAKE_CHANNEL, ''), log: this.log });
    this.dispatcher = new Dispatcher(o.db, this.clock, this.queueLive, this.scenarios);
    const jobs: Job[] = backgroundJobs({
      db: o.db,
      dispatcher: this.dispatcher,
      scenarios: this.scenarios,
      scheduleMs: o.scheduleMs ?? 500,
      retention: this.retention,
      log: this.log,
    });
    // Kept events are only for replay: pruned every minute (or as often as they are kept, when that is shorter).
    jobs.push({ name: 'live events', every: Math.min(60_000, this.events.keepMs), tick: async (now) => ({ prunedLiveEvents: await this.events.prune(now) }) });
    this.jobs = new JobLoop(jobs, this.clock, this.log, (channel, cb) => o.db.listen(channel, cb));
  }

  /** Starts the published version of a scenario (or a given version). Returns the execution id. */
  start(scenarioId: string, options: LaunchOptions & { input?: Record<string, Json>; version?: number } = {}): Promise<string> {
    return this.commands.start(scenarioId, options);
  }

  /** Runs a finished execution again from one of its steps (see Commands.retry). Returns the new execution's id. */
  retry(id: string, options: LaunchOptions & { fromStep?: number; input?: Record<string, Json> } = {}): Promise<string> {
    return this.commands.retry(id, options);
  }

  /** Cancels an unfinished execution; its timers, forms and children go with it. */
  cancel(id: string, reason?: string): Promise<void> {
    return this.commands.cancel(id, reason);
  }

  submitForm(executionId: string, step: number, values: unknown, by: FormSubmitter & { user?: string } = {}): Promise<Record<string, Json>> {
    return this.commands.submitForm(executionId, step, values, by);
  }

  /** "Run now" for a service task: one execution outside its schedule, recorded among its runs. */
  runServiceTask(id: string): Promise<string> {
    return this.commands.runServiceTask(id);
  }

  /** Every call made for a subscriber (optionally within one task), oldest first. */
  callHistory(subscriberId: number, taskId?: string) {
    return subscriberHistory(this.db, subscriberId, taskId);
  }

  pendingForms(operators?: string[]) {
    return this.stores.executions.pendingForms(operators);
  }

  executions(filter: ExecutionFilter = {}) {
    return this.stores.executions.list(filter);
  }

  execution(id: string) {
    return this.stores.executions.get(id);
  }

  /** When the next execution becomes due (epoch ms), or null when nothing is scheduled. */
  nextWakeAt(): Promise<number | null> {
    return this.stores.executions.nextWakeAt();
  }

  /**
   * Works until nothing is due (for tests, benchmarks and `tellflow run`):
   * claims as slots free up, as the background loop does, and returns when a
   * claim finds nothing and nothing is being advanced, or when `stop` (asked
   * before each claim) says so. Returns executions claimed.
   */
  drain(maxClaims?: number, stop?: () => Promise<boolean>): Promise<number> {
    return this.worker.drain(maxClaims, stop);
  }

  /** Runs every background job once now (service task periods, outbound calls, retention). */
  async tick(): Promise<TickResult> {
    return { started: 0, skipped: 0, dialed: 0, ...(await this.jobs.tickAll()) };
  }

  /** The Prometheus metrics of the database's work and of this process (see metrics.ts). */
  metrics(): Promise<Metric[]> {
    return gatherMetrics(this.db, this.clock.now(), this.runner.counters);
  }

  /** Deletes what is older than the retention periods now (see `keepFinishedMs`, `keepIdleMs`); the retention job does this every hour. */
  prune(): Promise<Pruned> {
    return pruneOlderThan(this.db, this.clock.now(), this.retention, this.log);
  }

  /** Keeps working in the background: the worker (on every wake-up, and at least every pollMs) and the jobs. */
  async run(): Promise<void> {
    await this.worker.run();
    this.jobs.start();
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.callEvents.close();
    await this.jobs.close();
    // Queue events of the last changes still go out (they are rows: a client reconnecting elsewhere replays them).
    await this.queueLive.settled();
    await this.worker.close();
  }
}

/**
 * Background jobs: what a running process does on the clock besides
 * advancing executions. A job is `{ name, every, tick }`; `backgroundJobs`
 * lists them (a new one is one more entry). `JobLoop` runs each job on its
 * own timer, `every` ms after its last tick ended (so a slow job — a first
 * prune of a big table — holds up no other), logs a failing tick and tries
 * again next time; `close()` waits for the ticks in flight.
 */
import type { Clock, TimerHandle } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import { Dialer } from './outbound/dialer.ts';
import { type Dispatcher, QUEUE_CHANNEL } from './queues/dispatcher.ts';
import { pruneEvery, pruneOlderThan, type Retention } from './retention.ts';
import { WAKE_CHANNEL } from './runner.ts';
import type { ScenarioStore } from './scenarios.ts';
import { Scheduler } from './service-tasks/scheduler.ts';

/** What a tick did, as counts by name (a runtime's `tick()` returns them merged). */
export type JobCounts = Record<string, number>;

export interface Job {
  name: string;
  /** Milliseconds between the end of one tick and the start of the next. */
  every: number;
  /** Does what is due at `now`. */
  tick(now: number): Promise<JobCounts>;
  /** A NOTIFY channel that runs the job at once (after the tick in flight, if any), not only every `every` ms. */
  wakeOn?: string;
  /** Hears each `wakeOn` payload before the tick it causes (what changed, when the notifier says). */
  noticed?(payload: string): void;
}

type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * Today's jobs: service task schedules (each period once across processes),
 * outbound dialing for free operators of running tasks, and retention
 * (unless both periods are null: everything is kept for ever).
 */
export function backgroundJobs(o: {
  db: Database;
  scenarios: ScenarioStore;
  dispatcher: Dispatcher;
  scheduleMs: number;
  retention: Retention;
  log: Log;
}): Job[] {
  const { db, log } = o;
  const scheduler = new Scheduler({ db, scenarios: o.scenarios, log });
  const dialer = new Dialer(db, o.scenarios, log);
  const wake = () => db.notify(WAKE_CHANNEL, '');
  const jobs: Job[] = [
    {
      name: 'service tasks',
      every: o.scheduleMs,
      async tick(now) {
        const r = await scheduler.tick(now);
        if (r.started) await wake();
        return { ...r };
      },
    },
    {
      name: 'dispatcher',
      every: o.scheduleMs,
      wakeOn: QUEUE_CHANNEL,
      noticed: (payload) => o.dispatcher.noticed(payload),
      async tick() {
        const r = await o.dispatcher.round();
        return { offered: r.offered, offersTimedOut: r.timedOut, waitsTimedOut: r.waitTimedOut };
      },
    },
    {
      name: 'dialer',
      every: o.scheduleMs,
      async tick(now) {
        const dialed = await dialer.tick(now);
        if (dialed) await wake();
        return { dialed };
      },
    },
  ];
  const keep = o.retention;
  if (keep.finishedMs !== null || keep.idleMs !== null) {
    jobs.push({
      name: 'retention',
      every: pruneEvery(keep),
      async tick(now) {
        const r = await pruneOlderThan(db, now, keep, log);
        return { prunedExecutions: r.executions, prunedRuns: r.runs, prunedIdle: r.idle };
      },
    });
  }
  return jobs;
}

interface Running {
  stop: boolean;
  timers: Map<Job, TimerHandle>;
  inflight: Set<Promise<void>>;
  /** Jobs notified while their tick was in flight. */
  again: Set<Job>;
  unlisten: (() => Promise<void>)[];
}

export class JobLoop {
  private running: Running | undefined;

  constructor(
    readonly jobs: readonly Job[],
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly listen?: Database['listen'],
  ) {}

  /** Runs every job once, one after another (tests, `tellflow demo`); a failure is thrown. Returns their counts merged. */
  async tickAll(): Promise<JobCounts> {
    const counts: JobCounts = {};
    for (const job of this.jobs) {
      for (const [k, n] of Object.entries(await job.tick(this.clock.now()))) counts[k] = (counts[k] ?? 0) + n;
    }
    return counts;
  }

  /** Starts every job now, then each `every` ms after its tick ends (or at once when its channel is notified), until close(). */
  start(): void {
    if (this.running) return;
    const run: Running = { stop: false, timers: new Map(), inflight: new Set(), again: new Set(), unlisten: [] };
    this.running = run;
    const go = (job: Job) => {
      if (run.stop) return;
      const p: Promise<void> = job
        .tick(this.clock.now())
        .then(
          () => {},
          (e: unknown) => this.log('background job failed', { job: job.name, error: String(e) }),
        )
        .finally(() => {
          run.inflight.delete(p);
          if (run.stop) return;
          if (run.again.delete(job)) return go(job);
          const timer = this.clock.setTimeout(() => {
            run.timers.delete(job);
            go(job);
          }, job.every);
          run.timers.set(job, timer);
        });
      run.inflight.add(p);
    };
    const kick = (job: Job) => {
      const timer = run.timers.get(job);
      if (timer === undefined) return void run.again.add(job); // in flight: once more right after
      this.clock.clearTimeout(timer);
      run.timers.delete(job);
      go(job);
    };
    for (const job of this.jobs) {
      go(job);
      if (job.wakeOn && this.listen) {
        this.listen(job.wakeOn, (payload) => {
          job.noticed?.(payload);
          kick(job);
        }).then(
          (stop) => (run.stop ? void stop() : run.unlisten.push(stop)),
          (e: unknown) => this.log('background job cannot listen', { job: job.name, error: String(e) }),
        );
      }
    }
  }

  /** Stops the timers and waits for the ticks in flight. */
  async close(): Promise<void> {
    const run = this.running;
    this.running = undefined;
    if (!run) return;
    run.stop = true;
    for (const t of run.timers.values()) this.clock.clearTimeout(t);
    await Promise.all([...run.inflight, ...run.unlisten.map((stop) => stop())]);
  }
}

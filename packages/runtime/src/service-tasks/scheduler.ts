/**
 * Runs service tasks on their schedules. Every process ticks; a period is
 * claimed by inserting `(task, scheduled_for)` into service_task_runs, so it
 * runs at most once however many processes there are. The execution is
 * started in the same transaction as the claim: a crash leaves neither.
 *
 * Only the latest period due can be current (at most `graceMs` old); earlier
 * ones were missed while no process was running: `missed = skip` records one
 * skipped run for them, `runOnce` runs once for all of them.
 */
import type { Database, Queryable } from '@tellflow/db';
import { checkInputs } from '@tellflow/engine';
import type { ScenarioStore, ScenarioVersion } from '../scenarios.ts';
import { insertExecution } from '../sql/executions.ts';
import { inputProblemsSentence } from '../start-inputs.ts';
import { duePeriods, parseSchedule } from './schedule.ts';
import { TASK_COLUMNS, toTask, type ServiceTask, type TaskRow } from './store.ts';

export interface SchedulerOptions {
  db: Database;
  scenarios: ScenarioStore;
  /** A period older than this when first seen counts as missed. */
  graceMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface TickResult {
  started: number;
  skipped: number;
}

export class Scheduler {
  private readonly graceMs: number;

  constructor(private readonly o: SchedulerOptions) {
    this.graceMs = o.graceMs ?? 10_000;
  }

  /** Handles every period due by `now`. Returns what this process did. */
  async tick(now: number): Promise<TickResult> {
    const { rows } = await this.o.db.query<TaskRow>(`select ${TASK_COLUMNS} from service_tasks where enabled`);
    const result: TickResult = { started: 0, skipped: 0 };
    for (const task of rows.map(toTask)) {
      try {
        const r = await this.tickTask(task, now);
        result.started += r.started;
        result.skipped += r.skipped;
      } catch (e) {
        this.o.log?.('service task tick failed', { task: task.id, error: String(e) });
      }
    }
    return result;
  }

  private async tickTask(task: ServiceTask, now: number): Promise<TickResult> {
    const from = (task.lastPeriod ?? task.updatedAt).getTime();
    const due = duePeriods(parseSchedule(task.schedule, task.timeZone), from, now);
    if (!due) return { started: 0, skipped: 0 };
    const { latest } = due;
    // Only the latest period can be current; any before it were missed (no process ran, or it stalled).
    const current = now - latest <= this.graceMs ? latest : undefined;
    const missedCount = current === undefined ? due.count : due.count - 1;
    const lastMissed = current === undefined ? latest : due.beforeLatest;
    const todo: { at: number; skip?: boolean; reason?: string }[] = [];
    const note = `${missedCount}${due.capped ? '+' : ''} period(s) missed while no process was running`;
    if (current !== undefined) {
      if (lastMissed !== undefined && task.missed === 'skip') todo.push({ at: lastMissed, skip: true, reason: note });
      todo.push({ at: current, ...(lastMissed !== undefined && task.missed === 'runOnce' ? { reason: `also covers ${note}` } : {}) });
    } else {
      todo.push({ at: latest, skip: task.missed === 'skip', reason: note });
    }

    const done: TickResult = { started: 0, skipped: 0 };
    for (const item of todo) {
      const outcome = await this.o.db.transaction((tx) => this.claim(tx, task, item, now));
      if (outcome === 'started') done.started++;
      if (outcome === 'skipped') done.skipped++;
    }
    await this.o.db.query('update service_tasks set last_period = greatest(last_period, $2) where id = $1', [task.id, new Date(latest)]);
    return done;
  }

  /** Claims one period; the loser of a race between processes gets null and does nothing. */
  private async claim(
    tx: Queryable,
    task: ServiceTask,
    { at, skip, reason }: { at: number; skip?: boolean; reason?: string },
    now: number,
  ): Promise<'started' | 'skipped' | 'failed' | null> {
    const claimed = await tx.query(
      `insert into service_task_runs (task_id, scheduled_for, outcome, created_at) values ($1, $2, 'skipped', $3)
       on conflict do nothing returning task_id`,
      [task.id, new Date(at), new Date(now)],
    );
    if (claimed.rows.length === 0) return null;
    const record = (outcome: 'started' | 'skipped' | 'failed', why: string | null, executionId: string | null = null) =>
      tx.query('update service_task_runs set outcome = $3, reason = $4, execution_id = $5 where task_id = $1 and scheduled_for = $2', [
        task.id,
        new Date(at),
        outcome,
        why,
        executionId,
      ]);
    if (skip) {
      await record('skipped', reason ?? null);
      return 'skipped';
    }
    if (task.overlap === 'skip') {
      const busy = await tx.query(
        `select 1 from service_task_runs r join executions x on x.id = r.execution_id
         where r.task_id = $1 and x.status in ('running', 'waiting') limit 1`,
        [task.id],
      );
      if (busy.rows.length) {
        await record('skipped', 'the previous run is still going');
        return 'skipped';
      }
    }
    let version: ScenarioVersion;
    try {
      version = await this.o.scenarios.published(task.scenarioId, tx);
    } catch (e) {
      await record('failed', (e as Error).message);
      return 'failed';
    }
    // A version published after the task was saved may want an input the task does not give: no execution that would fail at once.
    const problem = inputProblemsSentence(checkInputs(version.document, task.input));
    if (problem) {
      await record('failed', problem);
      return 'failed';
    }
    const executionId = await insertExecution(tx, { scenarioId: task.scenarioId, version: version.version, input: task.input, now, scheduledBy: task.id });
    await record('started', reason ?? null, executionId);
    return 'started';
  }
}

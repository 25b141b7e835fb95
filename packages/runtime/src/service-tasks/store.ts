/**
 * Service tasks: a scenario run on a schedule. Stored in `service_tasks`;
 * every period handled leaves a row in `service_task_runs`.
 */
import { z } from 'zod';
import type { Database } from '@tellflow/db';
import { ScenarioId, type Json } from '@tellflow/engine';
import { conflict, invalid, notFound, parseInput } from '../errors.ts';
import { isTimeZone } from '../outbound/hours.ts';
import { parseSchedule } from './schedule.ts';

export const ServiceTaskInput = z.strictObject({
  id: ScenarioId.describe('Task id'),
  name: z.string().min(1).max(200),
  scenarioId: ScenarioId,
  schedule: z.string().min(1).describe('Cron expression; six fields include seconds, e.g. "*/5 * * * * *" = every 5 s.'),
  timeZone: z.string().refine(isTimeZone, 'is not a known time zone (e.g. Europe/Moscow)').optional(),
  enabled: z.boolean().optional(),
  overlap: z.enum(['skip', 'allow']).optional().describe('skip: no new run while the previous one is still going'),
  missed: z.enum(['skip', 'runOnce']).optional().describe('Periods missed while no process ran: skip them, or run once'),
  input: z.record(z.string(), z.json()).optional(),
});
export type ServiceTaskInput = z.infer<typeof ServiceTaskInput>;
export const ServiceTaskPatch = ServiceTaskInput.omit({ id: true }).partial();

export interface ServiceTask {
  id: string;
  name: string;
  scenarioId: string;
  schedule: string;
  timeZone: string;
  enabled: boolean;
  overlap: 'skip' | 'allow';
  missed: 'skip' | 'runOnce';
  input: Record<string, Json>;
  lastPeriod: Date | null;
  updatedAt: Date;
}

export interface ServiceTaskRun {
  taskId: string;
  scheduledFor: Date;
  executionId: string | null;
  outcome: 'started' | 'skipped' | 'failed';
  reason: string | null;
  executionStatus: string | null;
}

const COLUMNS = 'id, name, scenario_id, schedule, time_zone, enabled, overlap, missed, input, last_period, updated_at';

export function toTask(r: Record<string, unknown>): ServiceTask {
  return {
    id: r.id as string,
    name: r.name as string,
    scenarioId: r.scenario_id as string,
    schedule: r.schedule as string,
    timeZone: r.time_zone as string,
    enabled: r.enabled as boolean,
    overlap: r.overlap as ServiceTask['overlap'],
    missed: r.missed as ServiceTask['missed'],
    input: r.input as Record<string, Json>,
    lastPeriod: r.last_period as Date | null,
    updatedAt: r.updated_at as Date,
  };
}

function checkSchedule(schedule: string, timeZone: string | undefined) {
  try {
    parseSchedule(schedule, timeZone ?? 'UTC');
  } catch (e) {
    throw invalid((e as Error).message, [{ severity: 'error', path: 'schedule', message: (e as Error).message }]);
  }
}

export class ServiceTaskStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  async create(raw: unknown): Promise<ServiceTask> {
    const t = parseInput(ServiceTaskInput, raw, 'service task');
    checkSchedule(t.schedule, t.timeZone);
    const { rows } = await this.db.query(
      `insert into service_tasks (id, name, scenario_id, schedule, time_zone, enabled, overlap, missed, input, updated_at, last_period)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $10)
       on conflict (id) do nothing returning ${COLUMNS}`,
      [
        t.id,
        t.name,
        t.scenarioId,
        t.schedule,
        t.timeZone ?? 'UTC',
        t.enabled ?? false,
        t.overlap ?? 'skip',
        t.missed ?? 'skip',
        JSON.stringify(t.input ?? {}),
        new Date(this.now()),
      ],
    );
    if (!rows[0]) throw conflict(`service task "${t.id}" already exists`);
    return toTask(rows[0]);
  }

  async update(id: string, raw: unknown): Promise<ServiceTask> {
    const p = parseInput(ServiceTaskPatch, raw, 'service task');
    const current = await this.get(id);
    const next = { ...current, ...p };
    checkSchedule(next.schedule, next.timeZone);
    // Enabling counts from now: periods while it was disabled are not "missed".
    const enabling = p.enabled === true && !current.enabled;
    const { rows } = await this.db.query(
      `update service_tasks set name = $2, scenario_id = $3, schedule = $4, time_zone = $5, enabled = $6, overlap = $7, missed = $8,
         input = $9::text::jsonb, updated_at = $10, last_period = case when $11::boolean then $10 else last_period end
       where id = $1 returning ${COLUMNS}`,
      [
        id,
        next.name,
        next.scenarioId,
        next.schedule,
        next.timeZone,
        next.enabled,
        next.overlap,
        next.missed,
        JSON.stringify(next.input),
        new Date(this.now()),
        enabling,
      ],
    );
    return toTask(rows[0]!);
  }

  async list(): Promise<ServiceTask[]> {
    const { rows } = await this.db.query(`select ${COLUMNS} from service_tasks order by id`);
    return rows.map(toTask);
  }

  async get(id: string): Promise<ServiceTask> {
    const { rows } = await this.db.query(`select ${COLUMNS} from service_tasks where id = $1`, [id]);
    if (!rows[0]) throw notFound(`service task "${id}"`);
    return toTask(rows[0]);
  }

  async remove(id: string): Promise<void> {
    const r = await this.db.query('delete from service_tasks where id = $1', [id]);
    if (r.rowCount === 0) throw notFound(`service task "${id}"`);
  }

  async runs(id: string, limit = 50): Promise<ServiceTaskRun[]> {
    await this.get(id);
    const { rows } = await this.db.query(
      `select r.task_id, r.scheduled_for, r.execution_id, r.outcome, r.reason, x.status as execution_status
       from service_task_runs r left join executions x on x.id = r.execution_id
       where r.task_id = $1 order by r.scheduled_for desc limit $2`,
      [id, Math.min(Math.max(limit, 1), 500)],
    );
    return rows.map((r) => ({
      taskId: r.task_id as string,
      scheduledFor: r.scheduled_for as Date,
      executionId: r.execution_id as string | null,
      outcome: r.outcome as ServiceTaskRun['outcome'],
      reason: r.reason as string | null,
      executionStatus: r.execution_status as string | null,
    }));
  }
}

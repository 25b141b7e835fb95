/**
 * Service tasks: a scenario run on a schedule. Stored in `service_tasks`;
 * every period handled leaves a row in `service_task_runs`.
 */
import { ServiceTaskInput, ServiceTaskPatch, type ServiceTask, type ServiceTaskRun } from '@tellflow/api';
import { selectList, serviceTaskRuns, serviceTasks, type Database, type ExecutionRow, type RowOf } from '@tellflow/db';
import type { Issue, Json } from '@tellflow/engine';
import { conflict, invalid, notFound, parseInput, RuntimeError } from '../errors.ts';
import { ScenarioStore } from '../scenarios.ts';
import { inputIssues } from '../start-inputs.ts';
import { parseSchedule } from './schedule.ts';

export { ServiceTaskInput, ServiceTaskPatch, type ServiceTask, type ServiceTaskRun };

const KEYS = ['id', 'name', 'scenarioId', 'schedule', 'timeZone', 'enabled', 'overlap', 'missed', 'input', 'lastPeriod', 'updatedAt'] as const;
/** The select list of a task's columns, keyed as `ServiceTaskRow`: what `toTask` reads. */
export const TASK_COLUMNS = selectList(serviceTasks, KEYS);
export type TaskRow = RowOf<typeof serviceTasks, (typeof KEYS)[number]>;

const RUN_KEYS = ['taskId', 'scheduledFor', 'executionId', 'outcome', 'reason'] as const;
const RUN_COLUMNS = selectList(serviceTaskRuns, RUN_KEYS, 'r');
type RunRow = RowOf<typeof serviceTaskRuns, (typeof RUN_KEYS)[number]>;

export const toTask = (r: TaskRow): ServiceTask => ({ ...r, input: r.input as Record<string, Json> });

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
    private readonly scenarios = new ScenarioStore(db),
  ) {}

  /**
   * The one check of what a task runs (the API and the CLI both come here):
   * its scenario exists and is published, and its input gives every required
   * input of the published version's start node, each value of the declared
   * type — as starting an execution checks them. A 400 naming each field.
   */
  private async mustRun(t: { id: string; scenarioId: string; input: Record<string, Json> }): Promise<void> {
    let issues: Issue[];
    try {
      issues = inputIssues((await this.scenarios.published(t.scenarioId)).document, t.input);
    } catch (e) {
      if (!(e instanceof RuntimeError && (e.status === 404 || e.status === 409))) throw e;
      const why = e.status === 404 ? 'does not exist' : 'has no published version';
      issues = [{ severity: 'error', path: 'scenarioId', message: `scenario "${t.scenarioId}" ${why}` }];
    }
    if (issues.length) throw invalid(`service task "${t.id}" cannot run: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }

  async create(raw: unknown): Promise<ServiceTask> {
    const t = parseInput(ServiceTaskInput, raw, 'service task');
    checkSchedule(t.schedule, t.timeZone);
    await this.mustRun({ id: t.id, scenarioId: t.scenarioId, input: t.input ?? {} });
    const { rows } = await this.db.query<TaskRow>(
      `insert into service_tasks (id, name, scenario_id, schedule, time_zone, enabled, overlap, missed, input, updated_at, last_period)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $10)
       on conflict (id) do nothing returning ${TASK_COLUMNS}`,
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
    // A disabled task whose scenario or input stays as it was may still be renamed or kept off (disabling always works).
    if (next.enabled || p.scenarioId !== undefined || p.input !== undefined) await this.mustRun(next);
    // Enabling counts from now: periods while it was disabled are not "missed".
    const enabling = p.enabled === true && !current.enabled;
    const { rows } = await this.db.query<TaskRow>(
      `update service_tasks set name = $2, scenario_id = $3, schedule = $4, time_zone = $5, enabled = $6, overlap = $7, missed = $8,
         input = $9::text::jsonb, updated_at = $10, last_period = case when $11::boolean then $10 else last_period end
       where id = $1 returning ${TASK_COLUMNS}`,
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
    const { rows } = await this.db.query<TaskRow>(`select ${TASK_COLUMNS} from service_tasks order by id`);
    return rows.map(toTask);
  }

  async get(id: string): Promise<ServiceTask> {
    const { rows } = await this.db.query<TaskRow>(`select ${TASK_COLUMNS} from service_tasks where id = $1`, [id]);
    if (!rows[0]) throw notFound(`service task "${id}"`);
    return toTask(rows[0]);
  }

  async remove(id: string): Promise<void> {
    const r = await this.db.query('delete from service_tasks where id = $1', [id]);
    if (r.rowCount === 0) throw notFound(`service task "${id}"`);
  }

  async runs(id: string, limit = 50): Promise<ServiceTaskRun[]> {
    await this.get(id);
    const { rows } = await this.db.query<RunRow & { executionStatus: ExecutionRow['status'] | null }>(
      `select ${RUN_COLUMNS}, x.status as "executionStatus"
       from service_task_runs r left join executions x on x.id = r.execution_id
       where r.task_id = $1 order by r.scheduled_for desc limit $2`,
      [id, Math.min(Math.max(limit, 1), 500)],
    );
    return rows;
  }
}

/**
 * Outbound tasks (domain.md §1): a subscriber list, the dialog and routing
 * scenarios, the operator-calling scenario, the operators who work it and
 * the hours it may call in.
 */
import { OutboundTaskInput, OutboundTaskPatch, type CallingHours, type OutboundTask, type TaskCallStats, type TaskReadiness } from '@tellflow/api';
import { outboundTasks, selectList, type Database, type RowOf } from '@tellflow/db';
import { conflict, notFound, parseInput } from '../errors.ts';
import { CALLBACK_MONITOR_ID } from '../service-tasks/callback-monitor.ts';
import type { ServiceTaskStore } from '../service-tasks/store.ts';
import { taskReadiness } from './readiness.ts';
import { taskCallStats } from './stats.ts';

export { OutboundTaskInput, OutboundTaskPatch, type OutboundTask };

/** The scenarios a new task uses when it names none: the bundled ones. */
export const TASK_SCENARIO_DEFAULTS = { dialogScenarioId: 'dialog', routingScenarioId: 'outbound-routing', operatorCallScenarioId: 'operator-call' } as const;

export const ALL_DAY: CallingHours = { from: '00:00', to: '00:00', days: [1, 2, 3, 4, 5, 6, 7] };
const KEYS = [
  'id',
  'name',
  'dialogScenarioId',
  'routingScenarioId',
  'operatorCallScenarioId',
  'attachCalls',
  'afterDisconnect',
  'operators',
  'hours',
  'timeZone',
  'state',
  'duplicatePhones',
] as const;
/** The select list of a task's columns, keyed as `OutboundTaskRow`: what `toOutboundTask` reads. */
export const OUTBOUND_TASK_COLUMNS = selectList(outboundTasks, KEYS);
export type TaskRow = RowOf<typeof outboundTasks, (typeof KEYS)[number]>;

/** The row is the DTO already: this is the one place that says so. */
export const toOutboundTask = (r: TaskRow): OutboundTask => r;

export class OutboundTaskStore {
  constructor(
    private readonly db: Database,
    private readonly serviceTasks: ServiceTaskStore,
    private readonly now: () => number,
  ) {}

  async create(raw: unknown): Promise<OutboundTask> {
    const t = { ...TASK_SCENARIO_DEFAULTS, ...parseInput(OutboundTaskInput, raw, 'outbound task') };
    const { rows } = await this.db.query<TaskRow>(
      `insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, attach_calls, after_disconnect,
         operators, hours, time_zone, duplicate_phones)
       values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10, $11) on conflict (id) do nothing returning ${OUTBOUND_TASK_COLUMNS}`,
      [
        t.id,
        t.name ?? t.id,
        t.dialogScenarioId,
        t.routingScenarioId,
        t.operatorCallScenarioId,
        t.attachCalls ?? true,
        t.afterDisconnect ?? 'finish',
        JSON.stringify(t.operators),
        JSON.stringify(t.hours ?? ALL_DAY),
        t.timeZone ?? 'UTC',
        t.duplicatePhones ?? 'reject',
      ],
    );
    if (!rows[0]) throw conflict(`outbound task "${t.id}" already exists`);
    return toOutboundTask(rows[0]);
  }

  async update(id: string, raw: unknown): Promise<OutboundTask> {
    const p = parseInput(OutboundTaskPatch, raw, 'outbound task');
    const n = { ...(await this.get(id)), ...p };
    const { rows } = await this.db.query<TaskRow>(
      `update outbound_tasks set name = $2, dialog_scenario_id = $3, routing_scenario_id = $4, operator_call_scenario_id = $5, attach_calls = $6,
         after_disconnect = $7, operators = $8::text::jsonb, hours = $9::text::jsonb, time_zone = $10, duplicate_phones = $11, updated_at = now()
       where id = $1 returning ${OUTBOUND_TASK_COLUMNS}`,
      [
        id,
        n.name,
        n.dialogScenarioId,
        n.routingScenarioId,
        n.operatorCallScenarioId,
        n.attachCalls,
        n.afterDisconnect,
        JSON.stringify(n.operators),
        JSON.stringify(n.hours),
        n.timeZone,
        n.duplicatePhones,
      ],
    );
    return toOutboundTask(rows[0]!);
  }

  /**
   * Running: the dialer calls new subscribers, and the callback monitor (which
   * a running task needs for its callbacks) is enabled. Stopped: no new calls
   * and no callbacks (they wait, due, for the next start); calls in progress finish.
   */
  async setState(id: string, state: OutboundTask['state']): Promise<OutboundTask> {
    if (state === 'running') {
      const monitor = (await this.serviceTasks.list()).find((t) => t.id === CALLBACK_MONITOR_ID);
      if (monitor && !monitor.enabled) await this.serviceTasks.update(CALLBACK_MONITOR_ID, { enabled: true });
    }
    const { rows } = await this.db.query<TaskRow>(`update outbound_tasks set state = $2, updated_at = now() where id = $1 returning ${OUTBOUND_TASK_COLUMNS}`, [
      id,
      state,
    ]);
    if (!rows[0]) throw notFound(`outbound task "${id}"`);
    return toOutboundTask(rows[0]);
  }

  async get(id: string): Promise<OutboundTask> {
    const { rows } = await this.db.query<TaskRow>(`select ${OUTBOUND_TASK_COLUMNS} from outbound_tasks where id = $1`, [id]);
    if (!rows[0]) throw notFound(`outbound task "${id}"`);
    return toOutboundTask(rows[0]);
  }

  async list(): Promise<OutboundTask[]> {
    const { rows } = await this.db.query<TaskRow>(`select ${OUTBOUND_TASK_COLUMNS} from outbound_tasks order by id`);
    return rows.map(toOutboundTask);
  }

  /** Whether the task calls now and, if not, why. */
  async readiness(id: string): Promise<TaskReadiness> {
    return taskReadiness(this.db, await this.get(id), this.now());
  }

  /** How the task's calls ended, overall and per operator (optionally for calls started in a range). */
  async callStats(id: string, range: { from?: Date; to?: Date } = {}): Promise<TaskCallStats> {
    await this.get(id);
    return taskCallStats(this.db, id, range);
  }

  /** Subscriber counts by status, for the task's screen. */
  async progress(id: string): Promise<Record<string, number>> {
    await this.get(id);
    const { rows } = await this.db.query<{ status: number | null; n: number }>(
      'select status, count(*)::int as n from table_out_call where task_id = $1 group by status order by status nulls first',
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.status === null ? 'new' : String(r.status), r.n]));
  }
}

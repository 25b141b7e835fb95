/**
 * Outbound tasks (domain.md §1): a subscriber list, the dialog and routing
 * scenarios, the operator-calling scenario, the operators who work it and
 * the hours it may call in.
 */
import { z } from 'zod';
import type { Database } from '@tellflow/db';
import { ScenarioId } from '@tellflow/engine';
import { conflict, notFound, parseInput } from '../errors.ts';
import { isTimeZone, type CallingHours } from './hours.ts';
import { taskCallStats, type TaskCallStats } from './stats.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00');

/** The scenarios a new task uses when it names none: the bundled ones. */
export const TASK_SCENARIO_DEFAULTS = { dialogScenarioId: 'dialog', routingScenarioId: 'outbound-routing', operatorCallScenarioId: 'operator-call' } as const;

export const OutboundTaskInput = z.strictObject({
  id: ScenarioId,
  name: z.string().min(1).max(200).optional().describe('Default: the id'),
  dialogScenarioId: ScenarioId.optional().describe('Shown to the operator once a call connects (default: the bundled "dialog")'),
  routingScenarioId: ScenarioId.optional().describe('Runs for every outgoing call of the task (default: the bundled "outbound-routing")'),
  operatorCallScenarioId: ScenarioId.optional().describe('Calls the operator first, then the customer (default: the bundled "operator-call")'),
  attachCalls: z.boolean().optional().describe('Allow attaching a call to the task'),
  afterDisconnect: z.enum(['finish', 'stop']).optional().describe('Dialog scenario behaviour after the connection breaks'),
  operators: z.array(z.string().min(1)).describe('Operator numbers of the group working this task'),
  hours: z.strictObject({ from: HHMM, to: HHMM, days: z.array(z.number().int().min(1).max(7)).min(1) }).optional(),
  timeZone: z.string().refine(isTimeZone, 'is not a known time zone (e.g. Europe/Moscow)').optional(),
});
export type OutboundTaskInput = z.infer<typeof OutboundTaskInput>;
export const OutboundTaskPatch = OutboundTaskInput.omit({ id: true }).partial();

export interface OutboundTask {
  id: string;
  name: string;
  dialogScenarioId: string;
  routingScenarioId: string;
  operatorCallScenarioId: string;
  attachCalls: boolean;
  afterDisconnect: 'finish' | 'stop';
  operators: string[];
  hours: CallingHours;
  timeZone: string;
  state: 'stopped' | 'running';
}

export const ALL_DAY: CallingHours = { from: '00:00', to: '00:00', days: [1, 2, 3, 4, 5, 6, 7] };
const COLUMNS =
  'id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, attach_calls, after_disconnect, operators, hours, time_zone, state';

export function toOutboundTask(r: Record<string, unknown>): OutboundTask {
  return {
    id: r.id as string,
    name: r.name as string,
    dialogScenarioId: r.dialog_scenario_id as string,
    routingScenarioId: r.routing_scenario_id as string,
    operatorCallScenarioId: r.operator_call_scenario_id as string,
    attachCalls: r.attach_calls as boolean,
    afterDisconnect: r.after_disconnect as OutboundTask['afterDisconnect'],
    operators: r.operators as string[],
    hours: r.hours as CallingHours,
    timeZone: r.time_zone as string,
    state: r.state as OutboundTask['state'],
  };
}

export class OutboundTaskStore {
  constructor(private readonly db: Database) {}

  async create(raw: unknown): Promise<OutboundTask> {
    const t = { ...TASK_SCENARIO_DEFAULTS, ...parseInput(OutboundTaskInput, raw, 'outbound task') };
    const { rows } = await this.db.query(
      `insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, attach_calls, after_disconnect,
         operators, hours, time_zone)
       values ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10) on conflict (id) do nothing returning ${COLUMNS}`,
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
      ],
    );
    if (!rows[0]) throw conflict(`outbound task "${t.id}" already exists`);
    return toOutboundTask(rows[0]);
  }

  async update(id: string, raw: unknown): Promise<OutboundTask> {
    const p = parseInput(OutboundTaskPatch, raw, 'outbound task');
    const n = { ...(await this.get(id)), ...p };
    const { rows } = await this.db.query(
      `update outbound_tasks set name = $2, dialog_scenario_id = $3, routing_scenario_id = $4, operator_call_scenario_id = $5, attach_calls = $6,
         after_disconnect = $7, operators = $8::text::jsonb, hours = $9::text::jsonb, time_zone = $10, updated_at = now()
       where id = $1 returning ${COLUMNS}`,
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
      ],
    );
    return toOutboundTask(rows[0]!);
  }

  /** Running: the dialer calls new subscribers. Stopped: no new calls; calls in progress finish. */
  async setState(id: string, state: OutboundTask['state']): Promise<OutboundTask> {
    const { rows } = await this.db.query(`update outbound_tasks set state = $2, updated_at = now() where id = $1 returning ${COLUMNS}`, [id, state]);
    if (!rows[0]) throw notFound(`outbound task "${id}"`);
    return toOutboundTask(rows[0]);
  }

  async get(id: string): Promise<OutboundTask> {
    const { rows } = await this.db.query(`select ${COLUMNS} from outbound_tasks where id = $1`, [id]);
    if (!rows[0]) throw notFound(`outbound task "${id}"`);
    return toOutboundTask(rows[0]);
  }

  async list(): Promise<OutboundTask[]> {
    const { rows } = await this.db.query(`select ${COLUMNS} from outbound_tasks order by id`);
    return rows.map(toOutboundTask);
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

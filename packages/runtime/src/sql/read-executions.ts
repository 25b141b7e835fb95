import type { ExecutionDetail, ExecutionStatus, ExecutionSummary, PendingForm, TraceRow } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import type { ExecutionState, Json } from '@tellflow/engine';
import { EFFECT_COLUMNS, toEffectRow } from './effects.ts';

// The shapes are @tellflow/api's DTOs (the API returns them as they are).
export type { ExecutionDetail, ExecutionSummary, PendingForm, TraceRow };

/** Where a retry begins: a step of the retried execution, its node, and the variables it had then. */
export interface RetryFrom {
  step: number;
  nodeId: string;
  vars: Record<string, Json>;
}

const SUMMARY = 'id, scenario_id, version, status, error, result, parent_id, retry_of, task_id, scheduled_by, idle, created_at, updated_at, ended_at';

const toSummary = (r: Record<string, unknown>): ExecutionSummary => ({
  id: r.id as string,
  scenarioId: r.scenario_id as string,
  version: r.version as number,
  status: r.status as ExecutionStatus,
  error: r.error as string | null,
  result: r.result as Json | null,
  parentId: r.parent_id as string | null,
  retryOf: r.retry_of as string | null,
  taskId: r.task_id as string | null,
  scheduledBy: r.scheduled_by as string | null,
  idle: r.idle as boolean,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  endedAt: r.ended_at as Date | null,
});

/** Idle executions (see commit-step.ts IDLE) in a list: left out (the default), listed with the others, or alone. */
export type IdleFilter = 'hide' | 'include' | 'only';

export interface ExecutionFilter {
  scenarioId?: string;
  status?: string;
  parentId?: string;
  /** Newest first; page with `before` (a createdAt) and `limit`. */
  before?: Date;
  /** Created at or after / before these times. */
  from?: Date;
  to?: Date;
  /** The outbound task (`task_id`, children included) or the service task whose schedule started it. */
  taskId?: string;
  serviceTaskId?: string;
  limit?: number;
  /** Default 'hide': a service task every 5 s would otherwise bury everything else. */
  idle?: IdleFilter;
}

/** The filter's conditions (without the idle one) as SQL, with their parameters. */
function conditions(f: ExecutionFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.scenarioId) add('scenario_id = ?', f.scenarioId);
  if (f.status) add('status = ?', f.status);
  if (f.parentId) add('parent_id = ?', f.parentId);
  if (f.before) add('created_at < ?', f.before);
  if (f.from) add('created_at >= ?', f.from);
  if (f.to) add('created_at < ?', f.to);
  if (f.taskId) add('task_id = ?', f.taskId);
  if (f.serviceTaskId) add('scheduled_by = ?', f.serviceTaskId);
  return { where, params };
}

export async function listExecutions(q: Queryable, f: ExecutionFilter = {}): Promise<ExecutionSummary[]> {
  const { where, params } = conditions(f);
  const idle = f.idle ?? 'hide';
  if (idle !== 'include') where.push(idle === 'only' ? 'idle' : 'not idle');
  params.push(Math.min(Math.max(f.limit ?? 50, 1), 500));
  const { rows } = await q.query(
    `select ${SUMMARY} from executions ${where.length ? `where ${where.join(' and ')}` : ''} order by created_at desc, id limit $${params.length}`,
    params,
  );
  return rows.map(toSummary);
}

/** How many idle executions match the filter's other conditions but a list with it leaves out (0 unless it hides them). */
export async function countHiddenIdle(q: Queryable, f: ExecutionFilter = {}): Promise<number> {
  if ((f.idle ?? 'hide') !== 'hide') return 0;
  const { where, params } = conditions(f);
  const { rows } = await q.query<{ n: number }>(`select count(*)::int as n from executions where ${['idle', ...where].join(' and ')}`, params);
  return rows[0]!.n;
}

export async function getExecution(q: Queryable, id: string): Promise<ExecutionDetail | undefined> {
  const { rows } = await q.query(`select ${SUMMARY}, input, state, retry_from from executions where id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const trace = await q.query<Record<string, unknown>>(
    'select step, node_id, node_type, outcome, started_at, ended_at, changed, error from execution_steps where execution_id = $1 order by step',
    [id],
  );
  const effects = await q.query(`select ${EFFECT_COLUMNS} from effects where execution_id = $1 order by step`, [id]);
  return {
    ...toSummary(row),
    input: row.input as Record<string, Json>,
    state: row.state as ExecutionState | null,
    trace: trace.rows.map((t) => ({
      step: t.step as number,
      nodeId: t.node_id as string,
      nodeType: t.node_type as string,
      outcome: t.outcome as string | null,
      startedAt: t.started_at as Date,
      endedAt: t.ended_at as Date,
      changed: t.changed as Record<string, Json> | null,
      error: t.error as string | null,
    })),
    effects: effects.rows.map(toEffectRow),
    retryFrom: retryPoint(row.retry_from as RetryFrom | null),
    // A replay needs a retry's starting variables to show each step's.
    startVars: (row.retry_from as RetryFrom | null)?.vars ?? null,
  };
}

/** Where a retry began (its variables are `startVars`). */
const retryPoint = (r: RetryFrom | null) => (r ? { step: r.step, nodeId: r.nodeId } : null);

/** Forms waiting for a submission; `assignees` limits them to those operators (null-assigned forms are for anyone). */
export async function listPendingForms(q: Queryable, assignees?: string[]): Promise<PendingForm[]> {
  const { rows } = await q.query(
    `select f.execution_id, f.step, f.node_id, f.assignee, f.request, f.created_at, f.deadline, x.scenario_id
     from effects f join executions x on x.id = f.execution_id
     where f.kind = 'form' and f.status = 'pending' and f.started_at is not null
       ${assignees ? 'and (f.assignee is null or f.assignee = any($1::text[]))' : ''}
     order by f.created_at`,
    assignees ? [assignees] : [],
  );
  return rows.map((r) => ({
    executionId: r.execution_id as string,
    step: r.step as number,
    nodeId: r.node_id as string,
    scenarioId: r.scenario_id as string,
    assignee: r.assignee as string | null,
    form: r.request as PendingForm['form'],
    createdAt: r.created_at as Date,
    deadline: r.deadline as Date | null,
  }));
}

import type { Queryable } from '@tellflow/db';
import type { Effect, Json } from '@tellflow/engine';
import { wakeSet } from './wake.ts';

export interface EffectRow {
  executionId: string;
  step: number;
  nodeId: string;
  kind: Effect['kind'];
  request: Effect;
  status: 'pending' | 'done' | 'cancelled';
  startedAt: Date | null;
  externalId: string | null;
  wakeAt: Date | null;
  deadline: Date | null;
  assignee: string | null;
  result: Json | null;
  createdAt: Date;
}

export const EFFECT_COLUMNS = 'execution_id, step, node_id, kind, request, status, started_at, external_id, wake_at, deadline, assignee, result, created_at';

export function toEffectRow(r: Record<string, unknown>): EffectRow {
  return {
    executionId: r.execution_id as string,
    step: r.step as number,
    nodeId: r.node_id as string,
    kind: r.kind as Effect['kind'],
    request: r.request as Effect,
    status: r.status as EffectRow['status'],
    startedAt: r.started_at as Date | null,
    externalId: r.external_id as string | null,
    wakeAt: r.wake_at as Date | null,
    deadline: r.deadline as Date | null,
    assignee: r.assignee as string | null,
    result: r.result as Json | null,
    createdAt: r.created_at as Date,
  };
}

export async function loadEffect(q: Queryable, executionId: string, step: number): Promise<EffectRow | undefined> {
  const { rows } = await q.query(`select ${EFFECT_COLUMNS} from effects where execution_id = $1 and step = $2`, [executionId, step]);
  return rows[0] ? toEffectRow(rows[0]) : undefined;
}

/** Records that an external effect was started (once: a second start changes nothing). */
export async function markStarted(
  q: Queryable,
  executionId: string,
  step: number,
  now: number,
  started: { externalId?: string | null; deadline?: number | null; assignee?: string | null },
): Promise<boolean> {
  const r = await q.query(
    `update effects set started_at = $3, external_id = $4, deadline = $5, assignee = coalesce($6, assignee)
     where execution_id = $1 and step = $2 and started_at is null`,
    [executionId, step, new Date(now), started.externalId ?? null, started.deadline != null ? new Date(started.deadline) : null, started.assignee ?? null],
  );
  return r.rowCount === 1;
}

/**
 * Records an effect's result from outside (a call outcome, a form submission,
 * a child's end) and wakes its execution. Only a pending effect takes a
 * result: a late or repeated one changes nothing and returns false.
 */
const COMPLETE = `
with e as (
  update effects set status = 'done', result = $3::jsonb, done_at = $4
  where execution_id = $1 and step = $2 and status = 'pending'
  returning execution_id
)
update executions x set ${wakeSet('$4')}
from e where x.id = e.execution_id
returning x.id`;

export async function completeEffect(q: Queryable, executionId: string, step: number, result: Json, now: number): Promise<boolean> {
  const r = await q.query(COMPLETE, [executionId, step, JSON.stringify(result), new Date(now)]);
  return r.rows.length === 1;
}

/**
 * The operator call this execution (or the nearest ancestor) is on: the
 * latest answered `call` effect. Forms go to that operator; a bridged dial
 * connects to that call.
 */
const CURRENT_OPERATOR_CALL = `
with recursive chain(id, depth) as (
  select $1::uuid, 0
  union all
  select e.parent_id, c.depth + 1 from executions e join chain c on e.id = c.id
  where e.parent_id is not null and c.depth < 20
)
select ef.result->>'callId' as call_id, ef.request->>'operator' as operator
from chain join effects ef on ef.execution_id = chain.id
where ef.kind = 'call' and ef.status = 'done' and ef.result->>'outcome' = 'answered'
order by chain.depth, ef.step desc
limit 1`;

export async function currentOperatorCall(q: Queryable, executionId: string): Promise<{ callId: string | null; operator: string } | undefined> {
  const { rows } = await q.query<{ call_id: string | null; operator: string }>(CURRENT_OPERATOR_CALL, [executionId]);
  return rows[0] ? { callId: rows[0].call_id, operator: rows[0].operator } : undefined;
}

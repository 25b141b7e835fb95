import type { Queryable } from '@tellflow/db';
import type { EffectRequest, ExecutionState, Json, TraceEntry } from '@tellflow/engine';

/**
 * Commits one interpreter step in a single statement: the new state, its
 * trace rows, the effect it asks for, and the effect whose result it consumed.
 * `where lease_owner = $2` fences out a worker whose lease was taken over.
 * With `release`, the lease is dropped and `run_at` set to when the execution
 * next needs a worker — unless an outside wake-up arrived meanwhile
 * (`wakeups` moved), which wins. The consumed effect is found by its key
 * ($1, $11), not through a join with `upd`: the prepared statement's cached
 * generic plan is then a primary-key lookup, even when it was planned while
 * `effects` was nearly empty (a join planned then stays a sequential scan).
 */
const COMMIT = `
with upd as (
  update executions set
    state = $3::jsonb, status = $4, updated_at = $5, ended_at = $6, result = $7::jsonb, error = $8,
    run_at = case when not $13::boolean then run_at when wakeups = $14 then $15::timestamptz else $5 end,
    lease_owner = case when $13::boolean then null else lease_owner end,
    lease_until = case when $13::boolean then null else lease_until end
  where id = $1 and lease_owner = $2
  returning id
), trace as (
  insert into execution_steps (execution_id, step, node_id, node_type, outcome, started_at, ended_at, changed, error)
  select upd.id, t.step, t.node_id, t.node_type, t.outcome, t.started_at, t.ended_at, t.changed, t.error
  from upd, jsonb_to_recordset($9::jsonb) as t(step int, node_id text, node_type text, outcome text,
    started_at timestamptz, ended_at timestamptz, changed jsonb, error text)
), new_effect as (
  insert into effects (execution_id, step, node_id, kind, request, wake_at, assignee, created_at)
  select upd.id, e.step, e.node_id, e.kind, e.request, e.wake_at, e.assignee, $5
  from upd, jsonb_to_recordset($10::jsonb) as e(step int, node_id text, kind text, request jsonb, wake_at timestamptz, assignee text)
), consumed as (
  update effects set status = 'done', result = coalesce(effects.result, $12::jsonb), done_at = coalesce(effects.done_at, $5)
  where effects.execution_id = $1 and effects.step = $11 and effects.status in ('pending', 'done') and exists (select from upd)
)
select count(*)::int as n from upd`;

export interface StepCommit {
  id: string;
  owner: string;
  state: ExecutionState;
  now: number;
  trace: TraceEntry[];
  effects: EffectRequest[];
  /** Where a form goes (per effect step). */
  assignees?: Record<number, string | null>;
  consumed?: { step: number; result: Json };
  release?: { seenWakeups: number; runAt: number | null };
}

const iso = (ms: number) => new Date(ms).toISOString();

export function stepStatus(state: ExecutionState): string {
  return state.status;
}

/** Returns false when the lease was lost: nothing was written. */
export async function commitStep(q: Queryable, c: StepCommit): Promise<boolean> {
  const s = c.state;
  const trace = c.trace.map((t) => ({
    step: t.step,
    node_id: t.nodeId,
    node_type: t.nodeType,
    outcome: t.outcome,
    started_at: iso(t.startedAt),
    ended_at: iso(t.endedAt),
    changed: t.changed ?? null,
    error: t.error ?? null,
  }));
  const effects = c.effects.map((e) => ({
    step: e.step,
    node_id: e.nodeId,
    kind: e.effect.kind,
    request: e.effect,
    wake_at: e.effect.kind === 'timer' ? iso(e.effect.wakeAt) : null,
    assignee: c.assignees?.[e.step] ?? null,
  }));
  const { rows } = await q.query<{ n: number }>(COMMIT, [
    c.id,
    c.owner,
    JSON.stringify(s),
    s.status,
    new Date(c.now),
    s.endedAt !== undefined ? new Date(s.endedAt) : null,
    s.result !== undefined ? JSON.stringify(s.result) : null,
    s.error ? s.error.message : null,
    JSON.stringify(trace),
    JSON.stringify(effects),
    c.consumed?.step ?? null,
    c.consumed ? JSON.stringify(c.consumed.result) : null,
    c.release !== undefined,
    c.release?.seenWakeups ?? 0,
    c.release?.runAt != null ? new Date(c.release.runAt) : null,
  ]);
  return rows[0]!.n === 1;
}

/** Drops the lease without a step, e.g. while an external effect is in flight. */
export async function release(q: Queryable, id: string, owner: string, seenWakeups: number, runAt: number | null, now: number): Promise<void> {
  await q.query(
    `update executions set lease_owner = null, lease_until = null,
       run_at = case when wakeups = $3 then $4::timestamptz else $5::timestamptz end
     where id = $1 and lease_owner = $2`,
    [id, owner, seenWakeups, runAt !== null ? new Date(runAt) : null, new Date(now)],
  );
}

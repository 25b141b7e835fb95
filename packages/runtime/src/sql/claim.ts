import type { Queryable } from '@tellflow/db';
import type { ExecutionState, Json } from '@tellflow/engine';
import type { Sandbox } from '../effects/statement.ts';

export interface ClaimedExecution {
  id: string;
  scenarioId: string;
  version: number;
  state: ExecutionState | null;
  input: Record<string, Json>;
  cancelRequested: string | null;
  parentId: string | null;
  parentStep: number | null;
  wakeups: number;
  taskId: string | null;
  subscriberId: number | null;
  operator: string | null;
  /** A retry's first step: where it begins and with which variables. */
  retryFrom: { nodeId: string; vars: Record<string, Json> } | null;
}

/**
 * Claims up to `limit` executions that are due (`run_at <= now`) and not
 * leased by a live worker, in one round trip. SKIP LOCKED lets several
 * processes claim side by side without waiting on each other.
 */
const CLAIM = `
with due as (
  select id from executions
  where run_at <= $1 and (lease_until is null or lease_until < $1)
  order by run_at
  limit $2
  for update skip locked
)
update executions e set lease_owner = $3, lease_until = $4
from due where e.id = due.id
returning e.id, e.scenario_id, e.version, e.state, e.input, e.cancel_requested, e.parent_id, e.parent_step, e.wakeups,
  e.task_id, e.subscriber_id, e.operator, case when e.state is null then e.retry_from end as retry_from`;

export async function claimDue(q: Queryable, now: number, limit: number, owner: string, leaseMs: number): Promise<ClaimedExecution[]> {
  const { rows } = await q.query<{
    id: string;
    scenario_id: string;
    version: number;
    state: ExecutionState | null;
    input: Record<string, Json>;
    cancel_requested: string | null;
    parent_id: string | null;
    parent_step: number | null;
    wakeups: number;
    task_id: string | null;
    subscriber_id: number | null;
    operator: string | null;
    retry_from: { nodeId: string; vars: Record<string, Json> } | null;
  }>(CLAIM, [new Date(now), limit, owner, new Date(now + leaseMs)]);
  return rows.map((r) => ({
    id: r.id,
    scenarioId: r.scenario_id,
    version: r.version,
    state: r.state,
    input: r.input,
    cancelRequested: r.cancel_requested,
    parentId: r.parent_id,
    parentStep: r.parent_step,
    wakeups: r.wakeups,
    taskId: r.task_id,
    subscriberId: r.subscriber_id,
    operator: r.operator,
    retryFrom: r.retry_from ? { nodeId: r.retry_from.nodeId, vars: r.retry_from.vars } : null,
  }));
}

/** The earliest future wake-up, so an idle worker knows how long it may sleep. */
export async function nextWakeAt(q: Queryable): Promise<number | null> {
  const { rows } = await q.query<{ at: Date | null }>('select min(run_at) as at from executions where run_at is not null');
  return rows[0]?.at ? rows[0].at.getTime() : null;
}

/**
 * Inside a transaction: locks the rows of those executions whose lease
 * `owner` still holds, until the transaction ends, and returns their ids; a
 * lease another worker took is skipped (its execution must not be touched).
 * Held locks keep the lease: a claim skips locked rows. The same statement
 * sets, for what runs after it in the transaction, the statement timeout
 * (`timeoutMs`) and the role (`role`: the scenarios' sandbox), and reads what
 * the sandbox must keep (its privileges were checked as the server's, before
 * any row switched the role).
 */
const LOCK_LEASED = `
select id, current_setting('search_path') as search_path, set_config('statement_timeout', $3, true) as timeout,
  set_config('role', $4, true) as role
from executions
where id = any($1::uuid[]) and lease_owner = $2
order by id
for update`;

export async function lockLeased(
  q: Queryable,
  ids: readonly string[],
  owner: string,
  timeoutMs: number,
  role: string,
): Promise<{ held: Set<string>; sandbox: Sandbox | null }> {
  const { rows } = await q.query<{ id: string; search_path: string; timeout: string; role: string }>(LOCK_LEASED, [ids, owner, String(timeoutMs), role]);
  const first = rows[0];
  return {
    held: new Set(rows.map((r) => r.id)),
    sandbox: first ? { role: first.role, searchPath: first.search_path, statementTimeout: first.timeout } : null,
  };
}

/** Sets the statement timeout for the rest of the transaction (0: none); returns it as PostgreSQL shows it. */
export async function setStatementTimeout(q: Queryable, timeoutMs: number): Promise<string> {
  const { rows } = await q.query<{ timeout: string }>(`select set_config('statement_timeout', $1, true) as timeout`, [String(timeoutMs)]);
  return rows[0]!.timeout;
}

/** Back to the server's role (the session's) and no statement timeout, for Tellflow's own statements after the sandbox. */
export async function leaveSandbox(q: Queryable): Promise<void> {
  await q.query(`select set_config('statement_timeout', '0', true), set_config('role', 'none', true)`);
}

/** Switches the transaction's role: `'none'` is the server's own (the session's), for Tellflow's tables amid the sandbox. */
export async function useRole(q: Queryable, role: string): Promise<void> {
  await q.query(`select set_config('role', $1, true)`, [role]);
}

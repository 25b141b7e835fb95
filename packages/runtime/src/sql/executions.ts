import type { Queryable } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import type { Attachment } from '../attachment.ts';
import type { RetryFrom } from './read-executions.ts';
import { wakeSet } from './wake.ts';

export type { Attachment };

export interface NewExecution {
  scenarioId: string;
  version: number;
  input: Record<string, Json>;
  now: number;
  parentId?: string | null;
  parentStep?: number | null;
  startedBy?: string | null;
  attachment?: Attachment;
  /** Inserted already leased to this worker, which runs it at once. */
  lease?: { owner: string; until: number };
  /** A retry of that execution, beginning again there. */
  retry?: { of: string; from: RetryFrom };
  /** The service task whose schedule starts it (its end then says whether it was idle). */
  scheduledBy?: string;
}

/** What a retry of an execution takes over: its attachment, and when it is a retry itself, the variables it began with. */
export async function retryBasis(q: Queryable, id: string): Promise<{ attachment: Attachment; startVars: Record<string, Json> | null }> {
  const { rows } = await q.query<{ task_id: string | null; subscriber_id: number | null; operator: string | null; start_vars: Record<string, Json> | null }>(
    `select task_id, subscriber_id, operator, retry_from->'vars' as start_vars from executions where id = $1`,
    [id],
  );
  const r = rows[0];
  return {
    attachment: { taskId: r?.task_id ?? null, subscriberId: r?.subscriber_id ?? null, operator: r?.operator ?? null },
    startVars: r?.start_vars ?? null,
  };
}

/** A new execution is due at once: the next worker to poll starts it (or the one holding its lease). */
export async function insertExecution(q: Queryable, e: NewExecution): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    `insert into executions (scenario_id, version, status, input, parent_id, parent_step, started_by, run_at, created_at, updated_at,
       task_id, subscriber_id, operator, lease_owner, lease_until, retry_of, retry_from, scheduled_by)
     values ($1, $2, 'running', $3::text::jsonb, $4, $5, $6, $7, $7, $7, $8, $9, $10, $11, $12, $13, $14::text::jsonb, $15) returning id`,
    [
      e.scenarioId,
      e.version,
      JSON.stringify(e.input),
      e.parentId ?? null,
      e.parentStep ?? null,
      e.startedBy ?? null,
      new Date(e.now),
      e.attachment?.taskId ?? null,
      e.attachment?.subscriberId ?? null,
      e.attachment?.operator ?? null,
      e.lease?.owner ?? null,
      e.lease ? new Date(e.lease.until) : null,
      e.retry?.of ?? null,
      e.retry ? JSON.stringify(e.retry.from) : null,
      e.scheduledBy ?? null,
    ],
  );
  return rows[0]!.id;
}

/** Asks an unfinished execution (and, through the runner, its children) to stop. */
export async function requestCancel(q: Queryable, id: string, reason: string, now: number): Promise<boolean> {
  const r = await q.query(
    `update executions set cancel_requested = coalesce(cancel_requested, $2), ${wakeSet('$3')}
     where id = $1 and status in ('running', 'waiting')`,
    [id, reason, new Date(now)],
  );
  return r.rowCount === 1;
}

/** Many children of one scenario version in one statement (runScenario forEach). */
export async function insertExecutions(
  q: Queryable,
  e: { scenarioId: string; version: number; now: number; children: { input: Record<string, Json>; attachment: Attachment }[] },
): Promise<number> {
  if (!e.children.length) return 0;
  const rows = e.children.map((c) => ({
    input: c.input,
    task_id: c.attachment.taskId ?? null,
    subscriber_id: c.attachment.subscriberId ?? null,
    operator: c.attachment.operator ?? null,
  }));
  const r = await q.query(
    `insert into executions (scenario_id, version, status, input, run_at, created_at, updated_at, task_id, subscriber_id, operator)
     select $1, $2, 'running', r.input, $3, $3, $3, r.task_id, r.subscriber_id, r.operator
     from jsonb_to_recordset($4::text::jsonb) as r(input jsonb, task_id text, subscriber_id int, operator text)`,
    [e.scenarioId, e.version, new Date(e.now), JSON.stringify(rows)],
  );
  return r.rowCount;
}

import type { Queryable } from '@tellflow/db';

/**
 * Deletes finished executions that ended before `before` (their trace and
 * effects go with them: foreign keys cascade) and service-task runs
 * scheduled before it whose execution has finished. Call history is business data and stays. Works in
 * batches, skipping rows another process is deleting, so several servers may
 * prune at once and no statement holds many locks.
 */
export async function pruneFinished(q: Queryable, before: Date, batch = 1_000): Promise<{ executions: number; runs: number }> {
  let executions = 0;
  for (;;) {
    const r = await q.query(
      `delete from executions where id in (
         select id from executions
         where status in ('completed', 'failed', 'cancelled') and created_at < $1 and ended_at < $1
         limit $2 for update skip locked)`,
      [before, batch],
    );
    executions += r.rowCount;
    if (r.rowCount < batch) break;
  }
  // A run whose execution still goes stays: the "skip while the previous run is still going" check reads it.
  const runs = await q.query(
    `delete from service_task_runs r where scheduled_for < $1
       and not exists (select from executions x where x.id = r.execution_id and x.status in ('running', 'waiting'))`,
    [before],
  );
  return { executions, runs: runs.rowCount };
}

/** Deletes idle executions that ended before `before` (see commit-step.ts IDLE), in batches like pruneFinished; their partial index finds them. */
export async function pruneIdle(q: Queryable, before: Date, batch = 1_000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const r = await q.query('delete from executions where id in (select id from executions where idle and ended_at < $1 limit $2 for update skip locked)', [
      before,
      batch,
    ]);
    deleted += r.rowCount;
    if (r.rowCount < batch) return deleted;
  }
}

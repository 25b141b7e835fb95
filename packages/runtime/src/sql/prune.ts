import type { Queryable } from '@tellflow/db';

/**
 * Deletes finished executions that ended before `before` (their trace and
 * effects go with them: foreign keys cascade) and service-task runs
 * scheduled before it. Call history is business data and stays. Works in
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
  const runs = await q.query('delete from service_task_runs where scheduled_for < $1', [before]);
  return { executions, runs: runs.rowCount };
}

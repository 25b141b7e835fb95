/**
 * Retention: finished executions (with their trace and effects) and
 * service-task runs are deleted once older than the retention period.
 */
import type { Database } from '@tellflow/db';
import { pruneFinished } from './sql/prune.ts';

export const DAY_MS = 86_400_000;

/** Deletes what finished more than `keepMs` before now. */
export async function pruneOlderThan(
  db: Database,
  now: number,
  keepMs: number,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<{ executions: number; runs: number }> {
  const r = await pruneFinished(db, new Date(now - keepMs));
  if (r.executions || r.runs) log('pruned finished executions', { ...r, olderThanDays: keepMs / DAY_MS });
  return r;
}

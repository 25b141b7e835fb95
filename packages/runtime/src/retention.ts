/**
 * Retention: finished executions (with their trace and effects) and
 * service-task runs are deleted once older than the retention period; idle
 * executions (a service task's scheduled run that changed nothing, see
 * sql/commit-step.ts IDLE) much sooner, since the callback monitor alone
 * leaves 17,280 a day.
 */
import type { Database } from '@tellflow/db';
import { pruneFinished, pruneIdle } from './sql/prune.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** How long what finished is kept (ms); null: kept for ever (idle ones: as long as the others). */
export interface Retention {
  finishedMs: number | null;
  idleMs: number | null;
}

export interface Pruned {
  executions: number;
  runs: number;
  /** Idle executions deleted for being older than `idleMs` (not counted in `executions`). */
  idle: number;
}

/** Deletes what finished longer ago than the retention says. */
export async function pruneOlderThan(
  db: Database,
  now: number,
  keep: Retention,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<Pruned> {
  const idle = keep.idleMs === null ? 0 : await pruneIdle(db, new Date(now - keep.idleMs));
  const r = keep.finishedMs === null ? { executions: 0, runs: 0 } : await pruneFinished(db, new Date(now - keep.finishedMs));
  if (r.executions || r.runs) log('pruned finished executions', { ...r, olderThanDays: (keep.finishedMs ?? 0) / DAY_MS });
  if (idle) log('pruned idle executions', { idle, olderThanMinutes: (keep.idleMs ?? 0) / 60_000 });
  return { ...r, idle };
}

/** How often the retention job runs: hourly, or as often as idle executions are kept when that is shorter. */
export const pruneEvery = (keep: Retention): number => Math.min(HOUR_MS, keep.idleMs ?? HOUR_MS);

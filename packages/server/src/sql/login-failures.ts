/**
 * Failed sign-ins counted per key (`user:NAME`, `ip:ADDRESS`) in the
 * database, so all server processes share one count. A key is blocked while
 * it has `max` failures inside the window; it frees up when the oldest of
 * those leaves the window.
 */
import type { Queryable } from '@tellflow/db';

export interface FailureLimit {
  key: string;
  max: number;
}

/** Until when (epoch ms) sign-in is blocked for any of the keys, or undefined when it is not. */
export async function blockedUntil(q: Queryable, limits: FailureLimit[], now: number, windowMs: number): Promise<number | undefined> {
  const { rows } = await q.query<{ nth: Date | null }>(
    `select (select f.failed_at from login_failures f
             where f.key = k.key and f.failed_at > $3
             order by f.failed_at desc offset k.max - 1 limit 1) as nth
     from unnest($1::text[], $2::int[]) as k(key, max)`,
    [limits.map((l) => l.key), limits.map((l) => l.max), new Date(now - windowMs)],
  );
  const until = rows.flatMap((r) => (r.nth ? [r.nth.getTime() + windowMs] : [])).filter((t) => t > now);
  return until.length ? Math.max(...until) : undefined;
}

/** Records one failure under each key and forgets failures older than the window. */
export async function recordFailure(q: Queryable, keys: string[], now: number, windowMs: number): Promise<void> {
  await q.query(
    `with gone as (delete from login_failures where failed_at <= $3)
     insert into login_failures (key, failed_at) select k, $2 from unnest($1::text[]) as k`,
    [keys, new Date(now), new Date(now - windowMs)],
  );
}

export async function clearFailures(q: Queryable, key: string): Promise<void> {
  await q.query('delete from login_failures where key = $1', [key]);
}

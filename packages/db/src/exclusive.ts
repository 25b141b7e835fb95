/**
 * Work that must not run twice at once — across every process on one
 * PostgreSQL, or within the one process that owns a PGlite data directory —
 * e.g. installing the bundled scenarios on a first start of several servers.
 */
import type { Database } from './client.ts';

const pgliteQueues = new WeakMap<Database, Map<string, Promise<unknown>>>();

/**
 * Runs `fn` while holding the lock `name`. On PostgreSQL the lock is a
 * transaction-scoped advisory lock held by a transaction that does nothing
 * else: `fn` uses `db` as usual (its own statements, its own transactions) and
 * a second caller waits until the first has committed all of them (so the
 * pool needs a second connection). A PGlite
 * database has one process, so an in-process queue per database is the lock
 * (a PGlite transaction would block `fn`'s own statements).
 */
export async function exclusively<T>(db: Database, name: string, fn: () => Promise<T>): Promise<T> {
  if (db.kind === 'postgres') {
    return db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`tellflow:${name}`]);
      return fn();
    });
  }
  let queues = pgliteQueues.get(db);
  if (!queues) pgliteQueues.set(db, (queues = new Map()));
  const before = queues.get(name) ?? Promise.resolve();
  const run = before.then(fn);
  const settled = run.catch(() => undefined);
  queues.set(name, settled);
  try {
    return await run;
  } finally {
    if (queues.get(name) === settled) queues.delete(name);
  }
}

/**
 * One client factory for both databases: PGlite (embedded, files under a
 * data directory) when no URL is given, PostgreSQL through postgres.js when
 * it is. Both are reached through the same small `Database` interface with
 * positional, always-bound parameters. (drizzle defines the schema and the
 * migrations; its query builder is not layered on these clients because its
 * postgres.js driver replaces the client's date parsers.)
 */
import { PGlite, type Transaction as PgliteTx } from '@electric-sql/pglite';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock.ts';
import { pgliteAssets } from './pglite-assets.ts';

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned or changed by the statement. */
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Plan the statement afresh on every execution instead of keeping a
   * prepared statement's cached plan. For statements whose best plan depends
   * on table sizes: a generic plan cached while the tables were small keeps
   * its sequential scans for the life of the connection.
   */
  replan?: boolean;
}

export interface Queryable {
  /** `text` uses `$1, $2…`; values are bound, never spliced into the text. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
}

/** A transaction in progress. */
export interface Transaction extends Queryable {
  /**
   * Runs `fn` inside a savepoint: if it throws, what it did is undone and the
   * error is rethrown, and the transaction carries on. (A failed statement
   * caught any other way still fails the whole transaction on postgres.js.)
   */
  savepoint<T>(fn: (sp: Transaction) => Promise<T>): Promise<T>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Calls `onPayload` for each NOTIFY on `channel`; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload?: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; without one the embedded PGlite is used. */
  url?: string;
  /** PGlite's data directory; omitted → in memory. */
  dataDir?: string;
  /** postgres.js pool size. */
  max?: number;
  /** postgres.js: queries pipelined on one connection at most (its default 100). */
  maxPipeline?: number;
}

/** Dates travel as ISO text: both drivers then hand PostgreSQL the same thing. */
const toParam = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);
const jsonText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  return options.url ? createPostgres(options.url, options.max ?? 10, options.maxPipeline) : createPglite(options.dataDir);
}

async function createPglite(dataDir: string | undefined): Promise<Database> {
  // Files on disk are for one process at a time (see data-dir-lock.ts).
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let pg: PGlite;
  try {
    pg = await PGlite.create({ ...(await pgliteAssets()), ...(dataDir ? { dataDir } : {}) });
  } catch (e) {
    unlock();
    throw e;
  }
  return wrapPglite(pg, unlock);
}

/** The `Database` over an open PGlite; `close` closes it, then runs `unlock`. */
export function wrapPglite(pg: PGlite, unlock: () => void = () => {}): Database {
  // PGlite runs every query as an unnamed statement: planned each time, so `replan` is what it always does.
  const wrap = (q: PGlite | PgliteTx): Queryable => ({
    async query<R>(text: string, params: readonly unknown[] = []) {
      const r = await q.query<R>(text, params.map(toParam));
      // PGlite counts only changed rows (0 for a SELECT); postgres.js counts returned ones too, as PostgreSQL's command tag does.
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
  });
  let savepoints = 0;
  const inTx = (tx: PgliteTx): Transaction => ({
    ...wrap(tx),
    async savepoint(fn) {
      const name = `tellflow_sp_${++savepoints}`;
      await tx.query(`savepoint ${name}`);
      try {
        const out = await fn(inTx(tx));
        // Not released: COMMIT releases every savepoint (as on PostgreSQL).
        return out;
      } catch (e) {
        await tx.query(`rollback to savepoint ${name}`);
        throw e;
      }
    },
  });
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(inTx(tx))),
    listen: async (channel, onPayload) => {
      const stop = await pg.listen(channel, onPayload);
      return () => stop();
    },
    notify: async (channel, payload = '') => {
      await pg.query('select pg_notify($1, $2)', [channel, payload]);
    },
    close: async () => {
      try {
        await pg.close();
      } finally {
        unlock();
      }
    },
  };
}

async function createPostgres(url: string, max: number, maxPipeline: number | undefined): Promise<Database> {
  const sql = postgres(url, {
    max,
    ...(maxPipeline !== undefined ? { max_pipeline: maxPipeline } : {}),
    onnotice: () => {},
    // JSON parameters travel as JSON text (as with PGlite); postgres.js would stringify them a second time.
    types: {
      json: { to: 114, from: [114, 3802], serialize: jsonText, parse: (x: string) => JSON.parse(x) },
      jsonb: { to: 3802, from: [], serialize: jsonText, parse: (x: string) => JSON.parse(x) },
      // bigint columns (bigserial ids) read as numbers, as PGlite reads them: exact up to 2^53.
      int8: { to: 20, from: [20], serialize: (x: number | bigint) => String(x), parse: (x: string) => Number(x) },
    },
  });
  const wrap = (q: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<R>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
      // An unnamed statement is planned with its parameters each time it runs.
      const r = await q.unsafe(text, params.map(toParam) as postgres.ParameterOrJSON<never>[], { prepare: !options.replan });
      return { rows: r as unknown as R[], rowCount: r.count ?? r.length };
    },
  });
  let savepoints = 0;
  const inTx = (conn: postgres.ReservedSql): Transaction => ({
    ...wrap(conn),
    async savepoint(fn) {
      const name = `tellflow_sp_${++savepoints}`;
      // Sent now and not awaited: what `fn` sends follows it on this connection in the same round trip.
      const opened = conn.unsafe(`savepoint ${name}`).execute();
      opened.catch(() => {}); // its failure is reported below, not as an unhandled rejection meanwhile
      try {
        const out = await fn(inTx(conn));
        await opened;
        // Not released: COMMIT releases every savepoint, one statement less per savepoint.
        return out;
      } catch (e) {
        await opened.catch(() => {});
        await conn.unsafe(`rollback to savepoint ${name}`);
        throw e;
      }
    },
  });
  const db: Database = {
    kind: 'postgres',
    ...wrap(sql),
    transaction: (fn) => reservedTransaction(sql, (conn) => fn(inTx(conn))),
    listen: async (channel, onPayload) => {
      const sub = await sql.listen(channel, onPayload);
      return () => sub.unlisten();
    },
    notify: async (channel, payload = '') => {
      await sql.notify(channel, payload);
    },
    close: () => sql.end({ timeout: 5 }),
  };
  return db;
}

/**
 * A transaction on a connection reserved before BEGIN is written. postgres.js'
 * own `sql.begin` reserves the connection only once BEGIN is on the wire, and
 * skips that when BEGIN fills the connection's pipeline (porsager/postgres
 * #823, #1189): the transaction then shares its connection with other
 * queries, which run inside it. `sql.reserve()` hands over an idle connection
 * that nothing else is sent on until it is released.
 */
async function reservedTransaction<T>(sql: postgres.Sql, fn: (conn: postgres.ReservedSql) => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  // A connection that closed meanwhile must not go back to the pool: postgres.js would hand it out again, dead.
  let usable = true;
  const run = async (statement: string) => {
    try {
      return await conn.unsafe(statement);
    } catch (e) {
      if (isConnectionError(e)) usable = false;
      throw e;
    }
  };
  try {
    await run('begin');
    let out: T;
    try {
      out = await fn(conn);
    } catch (e) {
      if (usable) await run('rollback').catch(() => {});
      throw e;
    }
    // A statement that failed inside `fn` (and was caught there, not in a savepoint) aborted the
    // transaction: PostgreSQL then answers COMMIT with ROLLBACK, and what `fn` did is gone.
    if ((await run('commit')).command === 'ROLLBACK') throw new Error('the transaction was rolled back: a statement in it failed');
    return out;
  } finally {
    if (usable) conn.release();
  }
}

/** postgres.js' errors for a connection that is gone (PostgreSQL's own errors carry a SQLSTATE instead). */
function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('CONNECTION_');
}

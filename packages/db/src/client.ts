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
}

/** Dates travel as ISO text: both drivers then hand PostgreSQL the same thing. */
const toParam = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);
const jsonText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  return options.url ? createPostgres(options.url, options.max ?? 10) : createPglite(options.dataDir);
}

async function createPglite(dataDir: string | undefined): Promise<Database> {
  // Files on disk are for one process at a time (see data-dir-lock.ts).
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let pg: PGlite;
  try {
    pg = await PGlite.create(dataDir ? { dataDir } : {});
  } catch (e) {
    unlock();
    throw e;
  }
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
        await tx.query(`release savepoint ${name}`);
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

async function createPostgres(url: string, max: number): Promise<Database> {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    // JSON parameters travel as JSON text (as with PGlite); postgres.js would stringify them a second time.
    types: {
      json: { to: 114, from: [114, 3802], serialize: jsonText, parse: (x: string) => JSON.parse(x) },
      jsonb: { to: 3802, from: [], serialize: jsonText, parse: (x: string) => JSON.parse(x) },
    },
  });
  const wrap = (q: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<R>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
      // An unnamed statement is planned with its parameters each time it runs.
      const r = await q.unsafe(text, params.map(toParam) as postgres.ParameterOrJSON<never>[], { prepare: !options.replan });
      return { rows: r as unknown as R[], rowCount: r.count ?? r.length };
    },
  });
  const inTx = (tx: postgres.TransactionSql): Transaction => ({
    ...wrap(tx),
    savepoint: (fn) => tx.savepoint((sp) => fn(inTx(sp))) as Promise<never>,
  });
  const db: Database = {
    kind: 'postgres',
    ...wrap(sql),
    transaction: (fn) => sql.begin((tx) => fn(inTx(tx))) as Promise<never>,
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

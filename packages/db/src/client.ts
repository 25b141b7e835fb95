/**
 * One client factory for both databases: PGlite (embedded, files under a
 * data directory) when no URL is given, PostgreSQL through postgres.js when
 * it is. Both are reached through the same small `Database` interface with
 * positional, always-bound parameters; drizzle is on top for typed queries.
 */
import { PGlite, type Transaction as PgliteTx } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { schema } from './schema.ts';

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned or changed by the statement. */
  rowCount: number;
}

export interface Queryable {
  /** `text` uses `$1, $2…`; values are bound, never spliced into the text. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
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

export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  return options.url ? createPostgres(options.url, options.max ?? 10) : createPglite(options.dataDir);
}

async function createPglite(dataDir: string | undefined): Promise<Database> {
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  const wrap = (q: PGlite | PgliteTx): Queryable => ({
    async query<R>(text: string, params: readonly unknown[] = []) {
      const r = await q.query<R>(text, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  });
  return {
    kind: 'pglite',
    orm: drizzlePglite(pg, { schema, casing: 'snake_case' }) as unknown as Orm,
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    listen: async (channel, onPayload) => {
      const stop = await pg.listen(channel, onPayload);
      return () => stop();
    },
    notify: async (channel, payload = '') => {
      await pg.query('select pg_notify($1, $2)', [channel, payload]);
    },
    close: () => pg.close(),
  };
}

async function createPostgres(url: string, max: number): Promise<Database> {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    // Keep int8 and numeric as strings: JavaScript numbers would silently lose precision.
    types: {},
  });
  const wrap = (q: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<R>(text: string, params: readonly unknown[] = []) {
      const r = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
      return { rows: r as unknown as R[], rowCount: r.count ?? r.length };
    },
  });
  const db: Database = {
    kind: 'postgres',
    orm: drizzlePostgres(sql, { schema, casing: 'snake_case' }) as unknown as Orm,
    ...wrap(sql),
    transaction: (fn) => sql.begin((tx) => fn(wrap(tx))) as Promise<never>,
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

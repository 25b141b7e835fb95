/**
 * A fresh database for one benchmark run: on real PostgreSQL a new database
 * (created here, dropped at the end, like packages/db/src/testing.ts does);
 * on PGlite an in-memory instance. The tellflow schema is migrated.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase, migrate, type Database } from '@tellflow/db';

export type Kind = 'postgres' | 'pglite';

export const ADMIN_URL = process.env.TELLFLOW_BENCH_PG_URL ?? process.env.TELLFLOW_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface FreshDatabase {
  kind: Kind;
  /** The runtime's client (postgres.js pool of `pool` connections, or PGlite). */
  db: Database;
  /** postgres:// URL of the fresh database (real PostgreSQL only). */
  url?: string;
  drop(): Promise<void>;
}

export async function postgresReachable(): Promise<boolean> {
  const sql = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function freshDatabase(kind: Kind, pool: number): Promise<FreshDatabase> {
  if (kind === 'pglite') {
    const db = await createDatabase();
    await migrate(db);
    return { kind, db, drop: () => db.close() };
  }
  const name = `tellflow_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await createDatabase({ url: url.toString(), max: pool });
  await migrate(db);
  return {
    kind,
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 1 });
    },
  };
}

/** Empties the execution tables between measurements (scenarios stay). */
export async function resetExecutions(db: Database): Promise<void> {
  await db.query('truncate executions, execution_steps, effects');
  // no ANALYZE here: on empty tables it would record 0 rows, and the cached generic plans would seq-scan
}

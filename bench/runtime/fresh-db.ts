/**
 * A fresh database for one benchmark run (packages/db's test databases: on
 * real PostgreSQL a new database, dropped at the end; on PGlite an in-memory
 * instance), with the tellflow schema migrated.
 */
import postgres from 'postgres';
import type { Database } from '@tellflow/db';
import { createTestDatabase } from '@tellflow/db/testing';

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
  const t = await createTestDatabase(kind, { max: pool, adminUrl: ADMIN_URL, prefix: 'tellflow_bench' });
  return { kind, ...t };
}

/** Empties the execution tables between measurements (scenarios stay). */
export async function resetExecutions(db: Database): Promise<void> {
  await db.query('truncate executions, execution_steps, effects');
  // no ANALYZE here: on empty tables it would record 0 rows, and the cached generic plans would seq-scan
}

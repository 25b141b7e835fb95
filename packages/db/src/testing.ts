/**
 * Test databases: every database test runs on both PGlite (in memory) and the
 * machine's real PostgreSQL, each in a fresh database of its own so runs never
 * collide. Without a PostgreSQL server the real variant is skipped loudly;
 * under CI=true it is required.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase, type Database } from './client.ts';
import { migrate } from './migrate.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export const ADMIN_URL = process.env.TELLFLOW_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let available: Promise<boolean> | undefined;

/** Whether the real PostgreSQL answers; throws under CI when it does not. */
export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const sql = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`CI=true but PostgreSQL at ${ADMIN_URL} is not reachable: ${String(e)}`);
      console.warn(`\n!!! PostgreSQL at ${ADMIN_URL} is not reachable: the real-database test variants are SKIPPED.\n`);
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  })();
  return available;
}

export interface TestDatabase {
  db: Database;
  /** postgres:// URL of the fresh database (real PostgreSQL only), e.g. for child processes. */
  url?: string;
  drop(): Promise<void>;
}

export interface FreshOptions {
  /** postgres.js pool size. */
  max?: number;
  /** Where to create the database (a server's maintenance database). */
  adminUrl?: string;
  /** Start of the database's name; the rest is unique. */
  prefix?: string;
}

/** A fresh, empty database with no migrations applied. */
export async function createEmptyTestDatabase(kind: DatabaseKind, o: FreshOptions = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await createDatabase();
    return { db, drop: () => db.close() };
  }
  const adminUrl = o.adminUrl ?? ADMIN_URL;
  const name = `${o.prefix ?? 'tellflow_test'}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await createDatabase({ url: url.toString(), max: o.max ?? 10 });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 1 });
    },
  };
}

/** A fresh database with the schema migrated. */
export async function createTestDatabase(kind: DatabaseKind, o: FreshOptions = {}): Promise<TestDatabase> {
  const t = await createEmptyTestDatabase(kind, o);
  await migrate(t.db);
  return t;
}

export const DATABASE_KINDS: DatabaseKind[] = ['pglite', 'postgres'];

/** Empties every table (except migrations) so one migrated database can serve many tests. */
export async function truncateAll(db: Database): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables where schemaname = 'public' and tablename <> 'tellflow_migrations'`,
  );
  if (rows.length) await db.query(`truncate ${rows.map((r) => r.name).join(', ')} restart identity cascade`);
}

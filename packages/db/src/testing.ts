/**
 * Test databases: every database test runs on both PGlite (in memory) and the
 * machine's real PostgreSQL, each in a fresh database of its own so runs never
 * collide. Without a PostgreSQL server the real variant is skipped loudly;
 * under CI=true it is required.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase, type Database, type Queryable } from './client.ts';
import { migrate } from './migrate.ts';
import { createEmptyScratchDatabase, createScratchDatabase } from './scratch.ts';

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
  /** postgres.js pipeline depth per connection. */
  maxPipeline?: number;
  /** Where to create the database (a server's maintenance database). */
  adminUrl?: string;
  /** Start of the database's name; the rest is unique. */
  prefix?: string;
}

/** A fresh, empty database with no migrations applied. */
export async function createEmptyTestDatabase(kind: DatabaseKind, o: FreshOptions = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // Loaded from a dump of a fresh cluster: initdb once per machine, not once per test.
    const db = await createEmptyScratchDatabase();
    return { db, drop: () => db.close() };
  }
  const adminUrl = o.adminUrl ?? ADMIN_URL;
  const name = `${o.prefix ?? 'tellflow_test'}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await createDatabase({ url: url.toString(), max: o.max ?? 10, ...(o.maxPipeline !== undefined ? { maxPipeline: o.maxPipeline } : {}) });
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
  if (kind === 'pglite') {
    const db = await createScratchDatabase();
    return { db, drop: () => db.close() };
  }
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

/**
 * Fills `table_out_call` for the due-index test and the callback bench in one
 * statement (through the due_at trigger): every `every`-th row is due at `now`
 * (status 10, "call back in 5 minutes", called 10 minutes before); of the
 * rest, 1 in 20 has a callback date in 2027 (status 10, not due), 9 in 20
 * succeeded (12) and the others are new (null). Task 'bulk' must exist.
 */
export function loadSubscribers(db: Queryable, o: { now: number | Date; every: number; rows: number }) {
  return db.query(SUBSCRIBER_BULK, [new Date(o.now), o.every, o.rows]);
}

const SUBSCRIBER_BULK = `
insert into table_out_call (tel, first_name, task_id, status, callaftermin, date_call, date_callback, time_callback, operator_number)
select '+7900' || lpad(i::text, 7, '0'), 'Subscriber ' || i, 'bulk',
  case when i % $2 = 0 then 10 when i % 20 = 1 then 10 when i % 20 in (2, 4, 6, 8, 10, 12, 14, 16, 18) then 12 end,
  case when i % $2 = 0 then 5 end,
  case when i % $2 = 0 then $1::timestamptz - interval '10 minutes' when i % 20 in (2, 4, 6, 8, 10, 12, 14, 16, 18) then $1::timestamptz - interval '1 day' end,
  case when i % $2 <> 0 and i % 20 = 1 then date '2027-01-01' + i % 300 end,
  case when i % $2 <> 0 and i % 20 = 1 then time '10:30' end,
  (100 + i % 50)::text
from generate_series(1, $3::int) as i`;

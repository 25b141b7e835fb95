/**
 * Applies the drizzle-kit migrations in MIGRATIONS_FOLDER. Several processes may start
 * at once on one PostgreSQL: a transaction-scoped advisory lock makes the
 * second wait and then find nothing left to do.
 */
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database } from './client.ts';
import { MIGRATIONS_FOLDER } from './migrations-folder.ts';

export { MIGRATIONS_FOLDER };
const LOCK_ID = 727_001; // arbitrary, constant: "tellflow migrations"

export async function migrate(db: Database, folder = MIGRATIONS_FOLDER): Promise<{ applied: number }> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [LOCK_ID]);
    await tx.query(`create table if not exists tellflow_migrations (
      hash text primary key, created_at bigint not null, applied_at timestamptz not null default now())`);
    const done = new Set((await tx.query<{ hash: string }>('select hash from tellflow_migrations')).rows.map((r) => r.hash));
    let applied = 0;
    for (const m of migrations) {
      if (done.has(m.hash)) continue;
      for (const statement of m.sql) if (statement.trim()) await tx.query(statement);
      await tx.query('insert into tellflow_migrations (hash, created_at) values ($1, $2)', [m.hash, m.folderMillis]);
      applied++;
    }
    return { applied };
  });
}

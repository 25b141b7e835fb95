import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDatabase, type Database } from './client.ts';
import { migrate } from './migrate.ts';

/**
 * The database the product uses: `DATABASE_URL` when set, otherwise PGlite
 * under `TELLFLOW_DATA_DIR` (default `./data`). Migrations are applied.
 */
export async function openDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  const url = env.DATABASE_URL?.trim();
  let db: Database;
  if (url) db = await createDatabase({ url });
  else {
    const dataDir = embeddedDataDir(env)!;
    mkdirSync(dataDir, { recursive: true });
    db = await createDatabase({ dataDir });
  }
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/** For messages: where the data lives, without credentials. */
export function describeDatabase(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) return `PGlite at ${resolve(env.TELLFLOW_DATA_DIR ?? 'data', 'pglite')}`;
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}

/** PGlite's data directory when the product database is the embedded one (no DATABASE_URL). */
export function embeddedDataDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DATABASE_URL?.trim() ? undefined : resolve(env.TELLFLOW_DATA_DIR ?? 'data', 'pglite');
}

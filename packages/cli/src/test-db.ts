/**
 * Databases for the CLI's tests. Creating a PGlite database is the slow part
 * (seconds), so each test file creates one of each kind once:
 *
 * - the product database (`openDatabase` under TELLFLOW_DATA_DIR): one
 *   migrated data directory, copied to a fresh directory for every test, which
 *   TELLFLOW_DATA_DIR then names. The commands of one test share one open
 *   instance of it (`release()` closes it, so the next command reopens the
 *   directory for real);
 * - the in-memory database `tellflow run` simulates on: one instance, emptied
 *   before each run.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { openDatabase, type Database } from '@tellflow/db';
import { truncateAll } from '@tellflow/db/testing';
import { ScenarioStore } from '@tellflow/runtime';
import { productDatabase, scratchDatabase } from './databases.ts';

/** Gives each test its own product database. */
export function useProductDatabase(): { dataDir: () => string; release: () => Promise<void> } {
  const root = mkdtempSync(join(tmpdir(), 'tellflow-cli-db-'));
  const template = join(root, 'template');
  const saved = { dir: process.env.TELLFLOW_DATA_DIR, url: process.env.DATABASE_URL };
  const original = productDatabase.open;
  let n = 0;
  let current = '';
  let open: { dir: string; db: Promise<Database> } | undefined;
  const release = async () => {
    const db = open?.db;
    open = undefined;
    await db?.then((d) => d.close()).catch(() => {});
  };
  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    const db = await openDatabase({ TELLFLOW_DATA_DIR: template });
    await db.close();
    productDatabase.open = async (env) => {
      const dir = env.TELLFLOW_DATA_DIR ?? '';
      if (open?.dir !== dir) {
        await release();
        open = { dir, db: original(env) };
      }
      return { ...(await open.db), close: async () => {} };
    };
  }, 120_000);
  beforeEach(() => {
    current = join(root, `test-${++n}`);
    cpSync(template, current, { recursive: true });
    process.env.TELLFLOW_DATA_DIR = current;
  });
  afterEach(release);
  afterAll(async () => {
    await release();
    productDatabase.open = original;
    restore('TELLFLOW_DATA_DIR', saved.dir);
    restore('DATABASE_URL', saved.url);
    rmSync(root, { recursive: true, force: true });
  });
  return { dataDir: () => current, release };
}

/** A look inside the current test's product database. */
export async function withProductStore<T>(fn: (store: ScenarioStore, db: Database) => Promise<T>): Promise<T> {
  const db = await productDatabase.open(process.env);
  try {
    return await fn(new ScenarioStore(db), db);
  } finally {
    await db.close();
  }
}

/** Makes `tellflow run` reuse one in-memory database, emptied before each run. */
export function useScratchDatabase(): void {
  const original = scratchDatabase.open;
  let shared: Database | undefined;
  beforeAll(async () => {
    shared = await original();
    scratchDatabase.open = async () => {
      await truncateAll(shared!);
      return { ...shared!, close: async () => {} };
    };
  }, 120_000);
  afterAll(async () => {
    scratchDatabase.open = original;
    await shared?.close();
  });
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/**
 * Makes the product database the one `db()` returns (e.g. a runtime test
 * harness's, on PGlite or PostgreSQL), so a verb's tests run on both kinds.
 * The verbs do not close it: the harness owns it.
 */
export function useProductDatabaseOf(db: () => Database): void {
  const original = productDatabase.open;
  beforeAll(() => {
    productDatabase.open = async () => ({ ...db(), close: async () => {} });
  });
  afterAll(() => {
    productDatabase.open = original;
  });
}

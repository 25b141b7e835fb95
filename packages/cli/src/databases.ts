/**
 * The databases the CLI works on: the product database (what `tellflow
 * serve` uses: DATABASE_URL, or PGlite under TELLFLOW_DATA_DIR) and the
 * throwaway in-memory one `tellflow run` simulates on.
 */
import { existsSync } from 'node:fs';
import { heldByServer, runningServer } from './running-server.ts';
import { createScratchDatabase, describeDatabase, embeddedDataDir, openDatabase, type Database, type QueryOptions } from '@tellflow/db';

export type Opened =
  | { ok: true; db: Database; where: string }
  | { ok: false; error: string /** The embedded database was never created. */; missing?: boolean };

/**
 * Opens (and migrates) the product database. With `existing`, an embedded
 * database that was never created is reported instead of created: reading
 * from a database that is not there should not leave an empty one behind.
 */
export async function openProductDatabase(options: { existing?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): Promise<Opened> {
  const where = describeDatabase(env);
  const embedded = embeddedDataDir(env);
  // Said before trying: the lock's own message does not know that it is a server, nor where it answers.
  const server = runningServer(env);
  if (server) return { ok: false, error: heldByServer(server) };
  if (options.existing && embedded !== undefined && !existsSync(embedded)) {
    return { ok: false, error: `there is no database at ${embedded} (set TELLFLOW_DATA_DIR or DATABASE_URL, or import scenarios first)`, missing: true };
  }
  try {
    return { ok: true, db: await productDatabase.open(env), where };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `cannot open the database (${where}): ${message.split('\n')[0]}` };
  }
}

/** How the product database is opened: `openDatabase`. A seam for tests, which keep it open between commands. */
export const productDatabase = {
  open: (env: NodeJS.ProcessEnv): Promise<Database> => openDatabase(env),
};

/**
 * Where `tellflow run` gets its fresh, migrated in-memory database: loaded
 * from a cached dump of one (see createScratchDatabase). A seam for tests,
 * which reuse one instance.
 */
export const scratchDatabase = {
  open: (): Promise<Database> => createScratchDatabase(),
};

/**
 * Runs `fn` in one transaction of `db`, handing it a `Database` whose every
 * query (and nested transaction) runs in that transaction: stores built on
 * it (e.g. a ScenarioStore) then commit or roll back all together.
 */
export function inOneTransaction<T>(db: Database, fn: (scoped: Database) => Promise<T>): Promise<T> {
  return db.transaction((tx) => {
    const unsupported = (what: string) => () => Promise.reject(new Error(`${what} is not available inside a transaction`));
    return fn({
      kind: db.kind,
      query: <R>(text: string, params?: readonly unknown[], options?: QueryOptions) => tx.query<R>(text, params, options),
      transaction: (inner) => inner(tx),
      listen: unsupported('listen'),
      notify: unsupported('notify'),
      close: unsupported('close'),
    });
  });
}

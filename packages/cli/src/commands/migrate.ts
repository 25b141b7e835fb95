import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Io } from '../io.ts';
import { EXIT, parseCommandArgs, plural, type Command } from './command.ts';

export const migrate: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations (serve also does this)',
  usage: `Usage: tellflow migrate

Applies the pending migrations to the database and says how many it applied,
or that it is up to date. "tellflow serve" migrates at start-up too; run this
to migrate ahead of a deployment. Safe to run from several processes at once.

Environment:
  DATABASE_URL        PostgreSQL to migrate; without it, the embedded PGlite
  TELLFLOW_DATA_DIR   where PGlite keeps its files (default ./data)

Options:
  -h, --help   show this help

Exit status:
  0  migrated, or already up to date
  1  the database could not be reached or a migration failed
  2  bad arguments
`,
  async run(args, io) {
    if (!parseCommandArgs(migrate, args, {}, io, { positionals: false })) return EXIT.usage;
    return runMigrate(process.env, io);
  },
};

/** `tellflow migrate` with a given environment (tests pass their own). */
export async function runMigrate(env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const { createDatabase, describeDatabase, migrate: applyMigrations } = await import('@tellflow/db');
  const where = describeDatabase(env);
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined;
  try {
    // The same choice as openDatabase() (which migrates without saying how many it applied).
    const url = env.DATABASE_URL?.trim();
    if (url) db = await createDatabase({ url });
    else {
      const dataDir = resolve(env.TELLFLOW_DATA_DIR ?? 'data', 'pglite');
      mkdirSync(dataDir, { recursive: true });
      db = await createDatabase({ dataDir });
    }
    const { applied } = await applyMigrations(db);
    io.stdout(applied ? `Applied ${plural(applied, 'migration')} to ${where}\n` : `The database is up to date (${where})\n`);
    return EXIT.ok;
  } catch (error) {
    io.stderr(`tellflow migrate: ${where}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  } finally {
    await db?.close();
  }
}

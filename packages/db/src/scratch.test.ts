import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { MIGRATIONS_FOLDER } from './migrate.ts';
import { createScratchDatabase, type ScratchTiming } from './scratch.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'tellflow-scratch-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function open(): Promise<{ timing: ScratchTiming; migrations: number; rows: number }> {
  let timing: ScratchTiming | undefined;
  const db = await createScratchDatabase({ cacheDir }, (t) => {
    timing = t;
  });
  try {
    const migrations = (await db.query<{ n: number }>('select count(*)::int as n from tellflow_migrations')).rows[0]!.n;
    // Each database is its own: what one writes, the next does not see.
    await db.query("insert into scenarios (id, name, kind, latest_version) values ('mine', 'mine', 'service', 1)");
    const rows = (await db.query<{ n: number }>('select count(*)::int as n from scenarios')).rows[0]!.n;
    return { timing: timing!, migrations, rows };
  } finally {
    await db.close();
  }
}

describe('the scratch database of tellflow run', { timeout: 120_000 }, () => {
  const all = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;

  it('is created and migrated once, then loaded from the cached dump, fresh each time', async () => {
    const first = await open();
    expect(first).toMatchObject({ timing: { source: 'created' }, migrations: all, rows: 1 });
    const [dump] = readdirSync(cacheDir);
    expect(dump).toMatch(/^pglite-migrated-[0-9a-f]{16}\.tar$/);
    // Owner only, like anything else in a cache directory.
    expect(statSync(join(cacheDir, dump!)).mode & 0o777).toBe(0o600);

    const second = await open();
    expect(second).toMatchObject({ timing: { source: 'cached dump' }, migrations: all, rows: 1 });
  });

  it('drops a damaged dump and creates the database the slow way', async () => {
    const [dump] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, dump!), 'not a tar file');
    const again = await open();
    expect(again).toMatchObject({ timing: { source: 'created' }, migrations: all, rows: 1 });
    expect(readdirSync(cacheDir)).toEqual([dump]);
    expect((await open()).timing.source).toBe('cached dump');
  });
});

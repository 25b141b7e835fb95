import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmptyTestDatabase, postgresAvailable } from '@tellflow/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { fakeIo } from '../test-io.ts';
import { runMigrate } from './migrate.ts';

const dir = mkdtempSync(join(tmpdir(), 'tellflow-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasPostgres = await postgresAvailable();

describe('tellflow migrate', () => {
  it('applies the migrations to PGlite once, then says it is up to date', { timeout: 180_000 }, async () => {
    const env = { TELLFLOW_DATA_DIR: dir };
    const first = fakeIo();
    expect(await runMigrate(env, first)).toBe(0);
    expect(first.out).toMatch(new RegExp(`^Applied \\d+ migrations? to PGlite at ${join(dir, 'pglite')}\\n$`));
    expect(first.err).toBe('');
    const second = fakeIo();
    expect(await runMigrate(env, second)).toBe(0);
    expect(second.out).toBe(`The database is up to date (PGlite at ${join(dir, 'pglite')})\n`);
  });

  it.skipIf(!hasPostgres)('migrates PostgreSQL from DATABASE_URL', { timeout: 60_000 }, async () => {
    const t = await createEmptyTestDatabase('postgres');
    try {
      const io = fakeIo();
      expect(await runMigrate({ DATABASE_URL: t.url }, io)).toBe(0);
      expect(io.out).toMatch(/^Applied \d+ migrations? to PostgreSQL at /);
      expect(io.out).not.toContain('postgres@'); // no credentials in messages
      const again = fakeIo();
      await runMigrate({ DATABASE_URL: t.url }, again);
      expect(again.out).toMatch(/^The database is up to date/);
    } finally {
      await t.drop();
    }
  });

  it('exits 1 with one line when the database cannot be reached', async () => {
    const io = fakeIo();
    expect(await runMigrate({ DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' }, io)).toBe(1);
    expect(io.err).toMatch(/^tellflow migrate: PostgreSQL at 127\.0\.0\.1:1\/none: .+\n$/);
    expect(io.err).not.toContain('secret');
  });

  it('takes no arguments', async () => {
    const io = fakeIo();
    expect(await main(['migrate', 'now'], io)).toBe(2);
    expect(io.err).toContain("unexpected argument 'now'");
  });
});

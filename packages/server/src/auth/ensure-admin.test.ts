import { createTestDatabase, DATABASE_KINDS, postgresAvailable, truncateAll, type TestDatabase } from '@tellflow/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHEAP_SCRYPT } from '../test-support.ts';
import { ensureAdmin } from './ensure-admin.ts';
import { verifyPassword } from './password.ts';

const hasPostgres = await postgresAvailable();

describe.each(DATABASE_KINDS)('ensureAdmin on %s', (kind) => {
  const skip = kind === 'postgres' && !hasPostgres;
  let t: TestDatabase;
  beforeAll(async () => {
    if (!skip) t = await createTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    if (!skip) await truncateAll(t.db);
  });
  const storedHash = async () =>
    (await t.db.query<{ password_hash: string; role: string }>("select password_hash, role from users where username = 'admin'")).rows[0];

  it.skipIf(skip)('creates admin with a generated password printed once, then does nothing', async () => {
    const printed: string[] = [];
    expect(await ensureAdmin(t.db, {}, (s) => printed.push(s), CHEAP_SCRYPT)).toEqual({ created: true, generated: true });
    expect(printed).toHaveLength(1);
    const password = /generated password:\s+(\S+)/.exec(printed[0]!)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const row = await storedHash();
    expect(row?.role).toBe('admin');
    expect(await verifyPassword(password!, row!.password_hash)).toBe(true);

    expect(await ensureAdmin(t.db, {}, (s) => printed.push(s), CHEAP_SCRYPT)).toEqual({ created: false });
    expect(printed).toHaveLength(1);
  });

  it.skipIf(skip)('uses TELLFLOW_ADMIN_PASSWORD without printing it, and refuses a weak one naming the rule', async () => {
    await expect(ensureAdmin(t.db, { TELLFLOW_ADMIN_PASSWORD: 'short' }, () => {}, CHEAP_SCRYPT)).rejects.toThrow(/at least 10/);
    await expect(ensureAdmin(t.db, { TELLFLOW_ADMIN_PASSWORD: '12345678' }, () => {}, CHEAP_SCRYPT)).rejects.toThrow(
      'TELLFLOW_ADMIN_PASSWORD must be at least 10 characters',
    );
    await expect(ensureAdmin(t.db, { TELLFLOW_ADMIN_PASSWORD: 'qwertyuiop' }, () => {}, CHEAP_SCRYPT)).rejects.toThrow(/most common passwords/);
    await expect(ensureAdmin(t.db, { TELLFLOW_ADMIN_PASSWORD: 'admin-admin-admin' }, () => {}, CHEAP_SCRYPT)).rejects.toThrow(/username/);
    expect((await t.db.query('select 1 from users')).rows).toHaveLength(0);
    const printed: string[] = [];
    await ensureAdmin(t.db, { TELLFLOW_ADMIN_PASSWORD: 'from-the-env' }, (s) => printed.push(s), CHEAP_SCRYPT);
    expect(printed.join('')).not.toContain('from-the-env');
    expect(printed.join('')).toContain('TELLFLOW_ADMIN_PASSWORD');
    expect(await verifyPassword('from-the-env', (await storedHash())!.password_hash)).toBe(true);
  });

  it.skipIf(skip)('creates one admin when two processes start at once', async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureAdmin(t.db, { TELLFLOW_ADMIN_PASSWORD: 'racing-processes' }, () => {}, CHEAP_SCRYPT)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await t.db.query('select 1 from users')).rows).toHaveLength(1);
  });
});

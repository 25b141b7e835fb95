import { createHash } from 'node:crypto';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { useHarness } from '@tellflow/runtime/testing';
import { describe, expect, it } from 'vitest';
import { useProductDatabaseOf } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { apiKeys } from './api-keys.ts';

describe.each(DATABASE_KINDS)('tellflow api-keys on %s', (kind) => {
  const { h, skip } = useHarness(kind);
  useProductDatabaseOf(() => h().t.db);
  const run = async (...args: string[]) => {
    const io = fakeIo();
    const code = await apiKeys.run(args, io);
    return { code, out: io.out, err: io.err };
  };

  it.skipIf(skip)('creates a key and prints it once, lists keys by prefix and revokes one', async () => {
    const created = await run('create', 'shop backend');
    expect(created.code).toBe(0);
    const secret = /^(tfk_[A-Za-z0-9_-]{43})$/m.exec(created.out)?.[1];
    expect(secret, created.out).toBeDefined();
    const { rows } = await h().t.db.query<{ id: string; secret_hash: string; scopes: string[] }>('select id, secret_hash, scopes from api_keys');
    expect(rows).toEqual([{ id: expect.any(String), secret_hash: createHash('sha256').update(secret!).digest('hex'), scopes: ['customer-tokens'] }]);

    const listed = await run('list');
    expect(listed.out).toMatch(
      new RegExp(`^ID +NAME +PREFIX +SCOPES +CREATED +REVOKED\\n${rows[0]!.id}  shop backend  ${secret!.slice(0, 12)}  customer-tokens  \\S+\\n$`),
    );
    expect(listed.out).not.toContain(secret!.slice(12));

    const revoked = await run('revoke', rows[0]!.id);
    expect(revoked.code).toBe(0);
    expect((await h().t.db.query<{ revoked: boolean }>('select revoked_at is not null as revoked from api_keys')).rows).toEqual([{ revoked: true }]);
    expect((await run('list')).out).toMatch(/customer-tokens +\S+ +\S+\n$/);
  });

  it.skipIf(skip)('refuses a missing name, an unknown scope, a bad or unknown id, creating nothing', async () => {
    expect(await run('create')).toMatchObject({ code: 2, err: expect.stringContaining('name: must not be empty') });
    expect(await run('create', 'x', '--scope', 'everything')).toMatchObject({
      code: 2,
      err: expect.stringContaining('scopes.0: must be one of: customer-tokens'),
    });
    expect(await run('revoke', 'nope')).toMatchObject({ code: 2, err: expect.stringContaining('"nope" is not an API key id') });
    expect(await run('revoke', '00000000-0000-4000-8000-000000000000')).toEqual({
      code: 1,
      out: '',
      err: 'tellflow api-keys: API key "00000000-0000-4000-8000-000000000000" not found\n',
    });
    expect(await run('list')).toEqual({ code: 0, out: 'no API keys\n', err: '' });
    expect(await run('rotate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown action "rotate"') });
  });
});

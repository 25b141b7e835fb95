/**
 * API keys (/api/api-keys), customer tokens minted with them
 * (/api/customer-tokens) and the customer route that proves them
 * (/api/customer/me), on both databases.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createDatabase, type Database } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { T0, useServer, type CallInit, type ServerHarness } from '../test-support.ts';

const REFRESH_MS = 5000;
const bearer = (value: string): CallInit => ({ headers: { authorization: `Bearer ${value}` } });

async function createKey(h: ServerHarness, name = 'shop backend'): Promise<{ id: string; secret: string }> {
  const r = await h.call('POST', '/api/api-keys', { as: 'admin', body: { name } });
  expect(r.status).toBe(201);
  return { id: r.body.apiKey.id, secret: r.body.secret };
}

async function mint(h: ServerHarness, secret: string, body: Record<string, unknown> = { subject: 'cust-42', name: 'Ivan' }) {
  return h.call('POST', '/api/customer-tokens', { ...bearer(secret), body });
}

/** The token with its payload changed and the signature kept. */
function withPayload(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  change(claims);
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}

describe.each(DATABASE_KINDS)('API keys and customer tokens on %s', (kind) => {
  const { h, skip } = useServer(kind, { customerKeysRefreshMs: REFRESH_MS });

  it.skipIf(skip)('an admin creates a key whose secret is shown once, lists keys without secrets and revokes one', async () => {
    const created = await h().call('POST', '/api/api-keys', { as: 'admin', body: { name: 'shop backend' } });
    expect(created.status).toBe(201);
    const { apiKey, secret } = created.body;
    expect(secret).toMatch(/^tfk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toEqual({
      id: expect.any(String),
      name: 'shop backend',
      prefix: secret.slice(0, 12),
      scopes: ['customer-tokens'],
      createdBy: h().userIds.admin,
      createdAt: new Date(T0).toISOString(),
      revokedAt: null,
    });

    const listed = await h().call('GET', '/api/api-keys', { as: 'admin' });
    expect(listed.body).toEqual({ apiKeys: [apiKey] });
    expect(listed.text).not.toContain(secret.slice(12));
    // Stored: the hash, never the secret.
    const { rows } = await h().t.db.query<Record<string, unknown>>('select * from api_keys');
    expect(rows[0]!.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(secret.slice(12));
    expect(h().logged.join('\n')).not.toContain(secret.slice(12));

    await h().clock.advance(60_000);
    expect((await h().call('DELETE', `/api/api-keys/${apiKey.id}`, { as: 'admin' })).status).toBe(204);
    await h().clock.advance(60_000);
    // A second revoke changes nothing (the first time stays).
    expect((await h().call('DELETE', `/api/api-keys/${apiKey.id}`, { as: 'admin' })).status).toBe(204);
    expect((await h().call('GET', '/api/api-keys', { as: 'admin' })).body.apiKeys).toEqual([{ ...apiKey, revokedAt: new Date(T0 + 60_000).toISOString() }]);
    const unknown = await h().call('DELETE', '/api/api-keys/00000000-0000-4000-8000-000000000000', { as: 'admin' });
    expect([unknown.status, unknown.body.error]).toEqual([404, 'API key "00000000-0000-4000-8000-000000000000" not found']);
  });

  it.skipIf(skip)('refuses a bad key description with a 400 naming the field, creating nothing', async () => {
    for (const [body, path] of [
      [{ name: '' }, 'name'],
      [{ name: 'x', scopes: ['everything'] }, 'scopes[0]'],
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'x', secret: 'mine' }, ''],
    ] as const) {
      const r = await h().call('POST', '/api/api-keys', { as: 'admin', body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await h().call('GET', '/api/api-keys', { as: 'admin' })).body.apiKeys).toEqual([]);
  });

  it.skipIf(skip)('a good key mints a token that makes its bearer the customer it names, for the lifetime asked', async () => {
    const key = await createKey(h());
    const minted = await mint(h(), key.secret);
    expect(minted.status).toBe(201);
    expect(minted.body.expiresAt).toBe(new Date(T0 + 15 * 60_000).toISOString());
    const me = await h().call('GET', '/api/customer/me', bearer(minted.body.token));
    expect([me.status, me.body]).toEqual([200, { subject: 'cust-42', name: 'Ivan', expiresAt: minted.body.expiresAt }]);

    const long = await mint(h(), key.secret, { subject: 'cust-43', ttlSeconds: 24 * 3600 });
    expect(long.body.expiresAt).toBe(new Date(T0 + 24 * 3600_000).toISOString());
    expect((await h().call('GET', '/api/customer/me', bearer(long.body.token))).body).toEqual({
      subject: 'cust-43',
      name: null,
      expiresAt: long.body.expiresAt,
    });
    expect(h().logged.join('\n')).not.toContain(key.secret.slice(12));
    expect(h().logged.join('\n')).not.toContain(minted.body.token);
  });

  it.skipIf(skip)('refuses a bad mint request with a 400 naming the field', async () => {
    const key = await createKey(h());
    for (const [body, path] of [
      [{}, 'subject'],
      [{ subject: '' }, 'subject'],
      [{ subject: 'c', ttlSeconds: 24 * 3600 + 1 }, 'ttlSeconds'],
      [{ subject: 'c', ttlSeconds: 10 }, 'ttlSeconds'],
      [{ subject: 'c', ttlSeconds: 90.5 }, 'ttlSeconds'],
      [{ subject: 'c', name: 7 }, 'name'],
    ] as const) {
      const r = await mint(h(), key.secret, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.details.issues.map((i: { path: string }) => i.path)).toEqual([path]);
    }
  });

  it.skipIf(skip)('only a valid, unrevoked API key mints: not an unknown or revoked key, a session or a customer token', async () => {
    const key = await createKey(h());
    const token = (await mint(h(), key.secret)).body.token;

    const unknown = await mint(h(), `tfk_${randomBytes(32).toString('base64url')}`);
    expect([unknown.status, unknown.body.error]).toEqual([401, 'the API key is not valid']);
    const asAdmin = await h().call('POST', '/api/customer-tokens', { as: 'admin', body: { subject: 'c' } });
    expect([asAdmin.status, asAdmin.body.error]).toEqual([401, 'send an API key as "Authorization: Bearer tfk_…"']);
    const asCustomer = await mint(h(), token);
    expect([asCustomer.status, asCustomer.body.error]).toEqual([401, 'send an API key as "Authorization: Bearer tfk_…"']);

    await h().call('DELETE', `/api/api-keys/${key.id}`, { as: 'admin' });
    const revoked = await mint(h(), key.secret);
    expect([revoked.status, revoked.body.error]).toEqual([401, 'the API key has been revoked']);
    // An API key opens nothing else.
    const elsewhere = await h().call('GET', '/api/customer/me', bearer((await createKey(h(), 'other')).secret));
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.error).toMatch(/^an API key only mints customer tokens/);
  });

  it.skipIf(skip)('an expired, altered, malformed or unsigned token is a 401 that says why', async () => {
    const key = await createKey(h());
    const { token, expiresAt } = (await mint(h(), key.secret, { subject: 'cust-42', ttlSeconds: 60 })).body;
    const me = (t: string) => h().call('GET', '/api/customer/me', bearer(t));

    const altered = await me(withPayload(token, (c) => Object.assign(c, { sub: 'cust-1' })));
    expect([altered.status, altered.body.error]).toEqual([401, 'the customer token is not signed by this server (or was altered)']);
    expect(altered.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const [head, payload] = token.split('.') as [string, string];
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: '1' })).toString('base64url')}.${payload}.`;
    expect((await me(unsigned)).body.error).toBe('the customer token is malformed');
    const foreignKid = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: '9' })).toString('base64url')}.${payload}.${token.split('.')[2]}`;
    expect((await me(foreignKid)).body.error).toBe('the customer token is not signed by this server (or was altered)');
    expect((await me(`${head}.${payload}`)).body.error).toBe('the customer token is malformed');
    expect((await me('not-a-token')).body.error).toBe('the customer token is malformed');
    const basic = await h().call('GET', '/api/customer/me', { headers: { authorization: 'Basic YTpi' } });
    expect([basic.status, basic.body.error]).toEqual([401, 'the Authorization header must be "Bearer " and an API key or a customer token']);

    expect((await me(token)).status).toBe(200);
    await h().clock.advance(60_000);
    const expired = await me(token);
    expect([expired.status, expired.body.error]).toEqual([401, `the customer token expired at ${expiresAt}: ask for a new one`]);
  });

  it.skipIf(skip)('a bearer request is judged by its token alone: a session cookie sent along lends it nothing', async () => {
    const key = await createKey(h());
    const { token } = (await mint(h(), key.secret)).body;
    const cookie = await h().cookieFor('admin');
    const users = await h().call('GET', '/api/users', { cookie, ...bearer(token) });
    expect([users.status, users.body.error]).toEqual([403, 'a customer token may not do this (allowed: admin)']);
    const bad = await h().call('GET', '/api/users', { cookie, ...bearer('garbage') });
    expect(bad.status).toBe(401);
    expect((await h().call('GET', '/api/users', { cookie })).status).toBe(200);
  });

  it.skipIf(skip)("revoking a key ends its tokens: at once on this process, within the refresh interval on another; other keys' tokens live on", async () => {
    const other = await openSecondApp(h());
    try {
      const key = await createKey(h());
      const spare = await createKey(h(), 'spare');
      const { token } = (await mint(h(), key.secret)).body;
      const { token: spareToken } = (await mint(h(), spare.secret)).body;
      // The second process verifies tokens the first minted (same signing key, from the database).
      expect((await other.me(token)).status).toBe(200);

      expect((await h().call('DELETE', `/api/api-keys/${key.id}`, { as: 'admin' })).status).toBe(204);
      const here = await h().call('GET', '/api/customer/me', bearer(token));
      expect([here.status, here.body.error]).toEqual([401, 'the customer token was minted with an API key that has been revoked']);
      // The other process still has its copy of the revocation list …
      expect((await other.me(token)).status).toBe(200);
      await h().clock.advance(REFRESH_MS);
      // … until it reloads it.
      const there = await other.me(token);
      expect([there.status, await there.json()]).toEqual([401, { error: 'the customer token was minted with an API key that has been revoked' }]);
      expect((await other.me(spareToken)).status).toBe(200);
      expect((await h().call('GET', '/api/customer/me', bearer(spareToken))).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it.skipIf(skip)('a second process mints with the same signing key: tokens from either verify on both', async () => {
    const other = await openSecondApp(h());
    try {
      const key = await createKey(h());
      const fromOther = await other.request('/api/customer-tokens', { method: 'POST', ...bearer(key.secret), body: { subject: 'cust-7' } });
      expect(fromOther.status).toBe(201);
      const { token } = (await fromOther.json()) as { token: string };
      expect((await h().call('GET', '/api/customer/me', bearer(token))).body.subject).toBe('cust-7');
      const { token: fromHere } = (await mint(h(), key.secret)).body;
      expect((await other.me(fromHere)).status).toBe(200);
      expect((await h().t.db.query('select kid from token_signing_keys')).rows).toEqual([{ kid: 1 }]);
    } finally {
      await other.close();
    }
  });
});

describe.each(DATABASE_KINDS)('minting customer tokens is rate-limited per API key on %s', (kind) => {
  const { h, skip } = useServer(kind, { customerTokenMintBurst: 3, customerTokenMintsPerMinute: 60 });

  it.skipIf(skip)('a key mints its burst, then waits for its bucket to drain; another key is not held up', async () => {
    const key = await createKey(h());
    const spare = await createKey(h(), 'spare');
    for (let i = 0; i < 3; i++) expect((await mint(h(), key.secret)).status).toBe(201);
    const refused = await mint(h(), key.secret);
    expect([refused.status, refused.body.error, refused.headers.get('retry-after')]).toEqual([
      429,
      'too many customer tokens minted with this API key; try again in 1 s',
      '1',
    ]);
    expect((await mint(h(), spare.secret)).status).toBe(201);
    // A refused mint is not counted: one second later there is room for exactly one more.
    await h().clock.advance(1000);
    expect((await mint(h(), key.secret)).status).toBe(201);
    expect((await mint(h(), key.secret)).status).toBe(429);
  });
});

/** Another app (another process's caches) on the same database; on PostgreSQL through its own connections. */
async function openSecondApp(h: ServerHarness) {
  let db: Database = h.t.db;
  if (h.t.url) db = await createDatabase({ url: h.t.url, max: 2 });
  const app = createApp({ runtime: h.runtime, db, clock: h.clock, options: { log: () => {}, customerKeysRefreshMs: REFRESH_MS } });
  const request = (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
    app.request(path, {
      method: init.method ?? 'GET',
      headers: { ...init.headers, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  return {
    request,
    me: (token: string) => request('/api/customer/me', bearer(token)),
    close: async () => {
      if (db !== h.t.db) await db.close();
    },
  };
}

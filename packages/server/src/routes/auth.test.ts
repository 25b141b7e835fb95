import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { PASSWORD, useServer } from '../test-support.ts';

describe.each(DATABASE_KINDS)('auth on %s', (kind) => {
  const { h, skip } = useServer(kind, { trustProxy: true });
  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    h().call('POST', '/api/auth/login', { body: { username, password }, headers });

  it.skipIf(skip)('signs in with a session cookie, tells who is signed in, signs out', async () => {
    const r = await login('supervisor', PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'supervisor', role: 'supervisor', extensions: ['200'], disabled: false });
    expect(r.body.user).not.toHaveProperty('passwordHash');
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^tellflow_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // plain http
    const cookie = setCookie.split(';')[0]!;

    // Only the token's SHA-256 is stored, with a 12 h expiry.
    const token = cookie.split('=')[1]!;
    const stored = await h().t.db.query<{ token_hash: string; expires_at: Date }>('select token_hash, expires_at from sessions');
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.token_hash).not.toContain(token);
    expect(stored.rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0]!.expires_at.getTime()).toBe(h().clock.now() + 12 * 3600_000);

    const me = await h().call('GET', '/api/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('supervisor');
    const session = await h().call('GET', '/api/auth/session', { cookie });
    expect(session.body.user).toMatchObject({ username: 'supervisor', role: 'supervisor' });

    const out = await h().call('POST', '/api/auth/logout', { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^tellflow_session=;.*Max-Age=0/);
    expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(401);
    // The session probe answers 200 without a session, so the web app's first request is no error.
    expect(await h().call('GET', '/api/auth/session', { cookie })).toMatchObject({ status: 200, body: { user: null } });
  });

  it.skipIf(skip)('marks the cookie Secure when the request came over https', async () => {
    const direct = await h().app.request('https://tellflow.example/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'agent', password: PASSWORD }),
    });
    expect(direct.headers.get('set-cookie')).toContain('Secure');
    const proxied = await login('agent', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toContain('Secure');
  });

  it.skipIf(skip)('refuses a wrong password, an unknown user and a disabled user with the same 401', async () => {
    const wrong = await login('agent', 'not the password');
    const unknown = await login('nobody', PASSWORD);
    await h().t.db.query("update users set disabled = true where username = 'agent2'");
    const disabled = await login('agent2', PASSWORD);
    for (const r of [wrong, unknown, disabled]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: 'wrong username or password' });
      expect(r.headers.get('set-cookie')).toBeNull();
    }
  });

  it.skipIf(skip)('ends sessions when they expire and when the user is disabled', async () => {
    const cookie = await h().cookieFor('agent');
    // Used every 20 minutes (under the idle timeout) up to the absolute expiry.
    for (let left = 12 * 3600_000 - 1; left > 0; left -= 20 * 60_000) {
      await h().clock.advance(Math.min(left, 20 * 60_000));
      expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(200);
    }
    await h().clock.advance(1);
    expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(401);

    const other = (await login('agent2', PASSWORD)).headers.get('set-cookie')!.split(';')[0]!;
    const patch = await h().call('PATCH', `/api/users/${h().userIds.agent2}`, { as: 'admin', body: { disabled: true } });
    expect(patch.status).toBe(200);
    expect((await h().call('GET', '/api/auth/me', { cookie: other })).status).toBe(401);
    expect((await h().t.db.query('select 1 from sessions where user_id = $1', [h().userIds.agent2])).rows).toHaveLength(0);
  });

  it.skipIf(skip)('ends a session idle for 30 minutes, and marks it seen at most once a minute', async () => {
    const cookie = await h().cookieFor('agent');
    const seen = async () => (await h().t.db.query<{ at: Date }>('select last_seen_at as at from sessions')).rows[0]!.at.getTime();
    const signedInAt = h().clock.now();
    await h().clock.advance(59_000);
    expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(200);
    expect(await seen()).toBe(signedInAt); // less than a minute old: not written
    await h().clock.advance(2_000);
    expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(200);
    expect(await seen()).toBe(h().clock.now());
    const lastUse = h().clock.now();
    await h().clock.advance(30 * 60_000 - 1);
    expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(200);
    expect(await seen()).toBe(lastUse + 30 * 60_000 - 1);
    await h().clock.advance(30 * 60_000);
    expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(401);
    // Signing in again works; the idle session stays dead.
    expect((await login('agent', PASSWORD)).status).toBe(200);
    expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(401);
  });

  it.skipIf(skip)('ignores forged and malformed cookies', async () => {
    for (const cookie of ['tellflow_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'tellflow_session=../../etc', 'tellflow_session=']) {
      expect((await h().call('GET', '/api/auth/me', { cookie })).status).toBe(401);
    }
  });

  it.skipIf(skip)('delays failed sign-ins per username and address in the database: 429 with Retry-After, lifted after the delay', async () => {
    for (let i = 0; i < 3; i++) expect((await login('agent', `wrong-${i}`)).status).toBe(401);
    // Now the pair waits, even with the right password, and regardless of the username's case.
    const blocked = await login('AGENT', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatch(/too many failed sign-ins/);
    expect(blocked.headers.get('retry-after')).toBe('1');
    expect(blocked.body.details).toEqual({ retryAfterSeconds: 1 });
    // Another user is not affected.
    expect((await login('agent2', PASSWORD)).status).toBe(200);
    // A second server process sees the same count (it lives in the database).
    expect((await h().t.db.query<{ n: number }>("select failures as n from login_delays where username = 'agent'")).rows[0]!.n).toBe(3);

    await h().clock.advance(999);
    expect((await login('agent', PASSWORD)).status).toBe(429);
    await h().clock.advance(1);
    expect((await login('agent', PASSWORD)).status).toBe(200);
    // Success clears the pair's failures.
    expect((await h().t.db.query("select 1 from login_delays where username = 'agent'")).rows).toHaveLength(0);
  });

  it.skipIf(skip)('rate limits failed sign-ins per client address across usernames', async () => {
    const from = { 'x-forwarded-for': '203.0.113.9' };
    for (let i = 0; i < 300; i++) expect((await login(`guess${i}`, 'x', from)).status).toBe(401);
    expect((await login('agent', PASSWORD, from)).status).toBe(429);
    expect((await login('agent', PASSWORD, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
  });

  it.skipIf(skip)('lets a user change their own password, ending their other sessions', async () => {
    const first = await h().cookieFor('agent');
    const second = (await login('agent', PASSWORD)).headers.get('set-cookie')!.split(';')[0]!;
    const wrong = await h().call('POST', '/api/auth/password', { cookie: first, body: { currentPassword: 'nope', newPassword: 'a new password' } });
    expect(wrong.status).toBe(403);
    const weak = await h().call('POST', '/api/auth/password', { cookie: first, body: { currentPassword: PASSWORD, newPassword: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.details.issues).toEqual([{ path: 'newPassword', message: 'must be at least 10 characters' }]);
    for (const [newPassword, message] of [
      ['12345678', 'must be at least 10 characters'],
      ['1234567890', 'is one of the 10,000 most common passwords: choose another'],
      ['agent-password', 'must not contain the username'],
    ]) {
      const refused = await h().call('POST', '/api/auth/password', { cookie: first, body: { currentPassword: PASSWORD, newPassword } });
      expect(refused.status).toBe(400);
      expect(refused.body.details.issues).toEqual([{ path: 'newPassword', message }]);
    }
    expect((await h().call('POST', '/api/auth/password', { cookie: first, body: { currentPassword: PASSWORD, newPassword: 'a new password' } })).status).toBe(
      204,
    );
    expect((await h().call('GET', '/api/auth/me', { cookie: first })).status).toBe(200);
    expect((await h().call('GET', '/api/auth/me', { cookie: second })).status).toBe(401);
    expect((await login('agent', PASSWORD)).status).toBe(401);
    expect((await login('agent', 'a new password')).status).toBe(200);
  });

  it.skipIf(skip)('never logs passwords, tokens or cookies', async () => {
    await login('agent', 'hunter2-secret');
    const cookie = await h().cookieFor('admin');
    await h().call('POST', '/api/users', { cookie, body: { username: 'new', password: 'another-secret-1', role: 'agent' } });
    const all = h().logged.join('\n');
    for (const secret of ['hunter2-secret', 'another-secret-1', PASSWORD, cookie.split('=')[1]!]) expect(all).not.toContain(secret);
  });
});

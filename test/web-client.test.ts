/**
 * The web app's API client against the real server app (routes, sessions,
 * database; called through `app.request`, no port): typed calls, decoded
 * replies, errors as ApiError.
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { PASSWORD, useServer, waitingScenario } from '../packages/server/src/test-support.ts';
import { ApiError, createClient } from '../web/src/shared/api.ts';

describe.each(DATABASE_KINDS)('the web API client on %s', (kind) => {
  const { h, skip } = useServer(kind);

  /** A client whose fetch is the app, keeping the session cookie as a browser would. */
  function client() {
    let cookie = '';
    return createClient({
      baseUrl: 'http://localhost',
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        if (cookie) headers.set('cookie', cookie);
        const res = await h().app.request(String(input), { ...init, headers });
        const set = res.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0]!;
        return res;
      },
    });
  }

  it.skipIf(skip)('checks health, signs in, reads and writes typed resources', async () => {
    const api = client();
    expect(await api.get('/api/health')).toEqual({ status: 'ok', database: kind, version: expect.any(String) });

    const unauthorized = await api.get('/api/scenarios').catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(ApiError);
    expect(unauthorized).toMatchObject({ status: 401, message: 'sign in first' });

    const { user } = await api.post('/api/auth/login', { body: { username: 'admin', password: PASSWORD } });
    expect(user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(user.createdAt).toBeInstanceOf(Date);

    const saved = await api.post('/api/scenarios', { body: waitingScenario(), query: { publish: 'true' } });
    expect(saved).toMatchObject({ published: true, version: { scenarioId: 'waiter', version: 1 } });
    const { id } = await api.post('/api/executions', { body: { scenarioId: 'waiter', input: { n: 7 } } });
    const detail = await api.get('/api/executions/{id}', { params: { id } });
    expect(detail).toMatchObject({ id, scenarioId: 'waiter', status: expect.stringMatching(/running|waiting/) });
    expect(detail.createdAt).toBeInstanceOf(Date);
    const { executions } = await api.get('/api/executions', { query: { scenarioId: 'waiter', limit: 5 } });
    expect(executions.map((x) => x.id)).toEqual([id]);
    expect(await api.post('/api/executions/{id}/cancel', { params: { id }, body: { reason: 'test' } })).toEqual({ id, cancelling: true });

    const missing = await api.get('/api/scenarios/{id}', { params: { id: 'ghost' } }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, message: 'scenario "ghost" not found' });
    expect(await api.post('/api/auth/logout')).toBeUndefined();
  });
});

import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { LOCAL_SOCKET_ENV } from '../local-socket.ts';
import { useServer } from '../test-support.ts';

describe.each(DATABASE_KINDS)('requests through the local socket on %s', (kind) => {
  const { h, skip } = useServer(kind);
  // What local-socket.ts hands the app for every request it accepted; TCP requests never carry it.
  const viaSocket = (method: string, path: string) =>
    h().app.request(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? null : '{}' }, { [LOCAL_SOCKET_ENV]: true });

  it.skipIf(skip)('read as an admin without a session', async () => {
    const res = await viaSocket('GET', '/api/outbound-tasks');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tasks: [] });
    expect((await viaSocket('GET', '/api/users')).status).toBe(200);
    // Over TCP the same request needs a session.
    expect((await h().call('GET', '/api/outbound-tasks')).status).toBe(401);
  });

  it.skipIf(skip)('change nothing, and have no session to show or end', async () => {
    const post = await viaSocket('POST', '/api/service-tasks');
    expect(post.status).toBe(403);
    expect(await post.json()).toEqual({ error: 'the local socket only reads: sign in over HTTP (the web app or the API) to change anything' });
    for (const method of ['PATCH', 'DELETE', 'PUT']) expect((await viaSocket(method, '/api/service-tasks/callback-monitor')).status).toBe(403);
    const me = await viaSocket('GET', '/api/auth/me');
    expect(me.status).toBe(403);
    expect(await me.json()).toEqual({ error: 'the local socket has no session' });
  });
});

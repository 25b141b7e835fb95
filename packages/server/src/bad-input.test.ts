/** Bad input of every kind is a 4xx with `{ error, details }` — never a 500 — and changes nothing. */
import { randomUUID } from 'node:crypto';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { useServer, waitingScenario } from './test-support.ts';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe.each(DATABASE_KINDS)('bad input on %s', (kind) => {
  const { h, skip } = useServer(kind, { maxBodyBytes: 64 * 1024 });

  it.skipIf(skip)('malformed JSON is a 400 that says where', async () => {
    const r = await h().call('POST', '/api/executions', { as: 'admin', body: '{"scenarioId": "x",', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^the request body is not valid JSON: .* at line 1, column \d+$/);
    const scenario = await h().call('POST', '/api/scenarios', { as: 'admin', body: '{\n  "format": "tellflow.scenario/v1",\n  "id": "x" "name": "y"\n}' });
    expect(scenario.status).toBe(400);
    expect(scenario.body.error).toBe('the request body is not valid JSON: comma expected at line 3, column 13');
    const login = await h().call('POST', '/api/auth/login', {
      body: 'username=admin&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(login.status).toBe(400);
  });

  it.skipIf(skip)('wrong types are a 400 with one issue per field', async () => {
    const r = await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 42, version: 'latest', input: [1] } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('the request body is not valid');
    expect(r.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['scenarioId', 'version', 'input']);
    const q = await h().call('GET', '/api/executions?status=sleeping&limit=0&before=yesterday&parentId=42', { as: 'admin' });
    expect(q.status).toBe(400);
    expect(q.body.error).toBe('the request query is not valid');
    expect(q.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['before', 'limit', 'parentId', 'status']);
    for (const body of ['null', '[]', '"text"', '12']) {
      const x = await h().call('POST', '/api/executions', { as: 'admin', body, headers: { 'content-type': 'application/json' } });
      expect(x.status, body).toBe(400);
    }
  });

  it.skipIf(skip)('a body over the limit is a 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ ...waitingScenario('big'), description: 'x'.repeat(100 * 1024) });
    const r = await h().call('POST', '/api/scenarios', { as: 'admin', body: big });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ error: 'the request body is larger than 65536 bytes', details: { maxBytes: 65536 } });
    const streamed = await h().app.request('/api/scenarios', {
      method: 'POST',
      headers: { cookie: await h().cookieFor('admin') },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await h().call('GET', '/api/scenarios', { as: 'admin' })).body.scenarios).toEqual([]);
  });

  it.skipIf(skip)('unknown ids are 404, malformed ids too', async () => {
    for (const path of [`/api/executions/${randomUUID()}`, '/api/executions/123', '/api/executions/%20']) {
      expect((await h().call('GET', path, { as: 'admin' })).status, path).toBe(404);
    }
    expect((await h().call('POST', `/api/executions/${randomUUID()}/cancel`, { as: 'admin' })).status).toBe(404);
    const start = await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'ghost' } });
    expect(start.status).toBe(404);
    expect(start.body.error).toBe('scenario "ghost" not found');
    const route = await h().call('GET', '/api/nothing-here', { as: 'admin' });
    expect(route.status).toBe(404);
    expect(route.body).toEqual({ error: 'GET /api/nothing-here not found' });
  });

  it.skipIf(skip)('text the database cannot store (NUL, lone surrogates) and absurd nesting are 400s', async () => {
    await h().importScenario(waitingScenario('flow'));
    const bodies = [
      '{"scenarioId": "flow", "input": {"n": "a\\u0000b"}}',
      '{"scenarioId": "flow", "input": {"n": "\\ud800"}}',
      '{"scenarioId": "flow", "input": {"a\\u0000": 1}}',
      `{"scenarioId": "flow", "input": {"n": ${deep(5000)}}}`,
    ];
    for (const body of bodies) {
      const r = await h().call('POST', '/api/executions', { as: 'admin', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, body.slice(0, 60)).toBe(400);
    }
    for (const path of ['/api/scenarios/a%00b', '/api/executions?scenarioId=%00', '/api/scenarios/%E0%A4%A']) {
      expect((await h().call('GET', path, { as: 'admin' })).status, path).toBe(400);
    }
    expect((await h().call('POST', '/api/auth/login', { body: { username: 'ad\u0000min', password: 'x' } })).status).toBe(400);
    expect((await h().call('POST', '/api/scenarios', { as: 'admin', body: deep(30_000) })).status).toBe(400);
    expect((await h().call('GET', '/api/executions', { as: 'admin' })).body.executions).toEqual([]);
  });

  it.skipIf(skip)('a cross-site browser request is refused before it does anything', async () => {
    const r = await h().call('POST', '/api/users', {
      as: 'admin',
      headers: { origin: 'https://evil.example' },
      body: { username: 'evil', password: 'evil-password', role: 'admin' },
    });
    expect(r.status).toBe(403);
    const fetchMeta = await h().call('POST', '/api/auth/logout', { as: 'admin', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchMeta.status).toBe(403);
    const sameOrigin = await h().call('POST', '/api/users', {
      as: 'admin',
      headers: { origin: 'http://localhost' },
      body: { username: 'fine', password: 'sunny passphrase 9', role: 'agent' },
    });
    expect(sameOrigin.status).toBe(201);
  });

  it.skipIf(skip)('no operation answers 500 to garbage, for any role', async () => {
    await h().importScenario(waitingScenario('flow'));
    const garbage = [
      '',
      '{',
      'null',
      '[]',
      '"x"',
      '{"values": null, "version": -1, "input": "x", "role": 1}',
      deep(200),
      '\u0000',
      '{"username": {"$gt": ""}}',
    ];
    await h().runtime.outboundTasks.create({
      id: 'flow',
      name: 'Flow',
      dialogScenarioId: 'flow',
      routingScenarioId: 'flow',
      operatorCallScenarioId: 'flow',
      operators: ['101'],
    });
    await h().runtime.serviceTasks.create({ id: 'flow', name: 'Flow', scenarioId: 'flow', schedule: '0 0 * * *' });
    const ids: Record<string, string> = { id: randomUUID(), executionId: randomUUID(), version: '1', step: '1', subscriberId: '1', callId: randomUUID() };
    const named = (path: string) => ['/api/scenarios', '/api/service-tasks', '/api/outbound-tasks'].some((p) => path.startsWith(p));
    // Signing out would end the session the other requests use.
    for (const op of h().app.operations.filter((o) => o.path !== '/api/auth/logout')) {
      for (const pathId of ['flow', "'; drop table users; --"]) {
        const path = op.path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(named(op.path) && k === 'id' ? pathId : ids[k]!));
        // A file upload gets the garbage as JSON and as the file itself.
        const contentTypes = op.spec.rawBody ? ['application/json', ...op.spec.rawBody.mediaTypes] : ['application/json'];
        for (const body of garbage) {
          for (const contentType of contentTypes) {
            const r = await h().call(
              op.method.toUpperCase(),
              op.method === 'get' ? `${path}?limit=${encodeURIComponent(body)}&before=${encodeURIComponent(body)}` : path,
              {
                as: 'admin',
                ...(op.method === 'get' ? {} : { body, headers: { 'content-type': contentType } }),
              },
            );
            expect(r.status, `${op.method} ${path} ${contentType} ${JSON.stringify(body).slice(0, 40)}: ${r.text}`).toBeLessThan(500);
            expect(typeof r.body === 'object' || r.status < 300, `${op.method} ${path}: JSON error body`).toBe(true);
          }
        }
      }
    }
    expect(h().logged.filter((l) => l.startsWith('request failed'))).toEqual([]);
    expect((await h().call('GET', '/api/auth/me', { as: 'admin' })).status).toBe(200);
    expect((await h().t.db.query<{ n: number }>('select count(*)::int as n from users')).rows[0]!.n).toBe(4);
  });
});

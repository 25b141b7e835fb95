import { DateTime } from '@tellflow/api';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { errorHandler } from '../middleware/error-handler.ts';
import { assertDeclaredResponse, operationFor, responseProblem } from './response-check.ts';
import { routeGroup } from './route-group.ts';

const Thing = z.object({ id: z.string(), size: z.number().int(), seenAt: DateTime });
const Rejected = z.object({ error: z.string(), rows: z.number().int() });

/** A route group whose handlers send what they are told to, right or wrong. */
function app(send: { status: number; body: unknown }) {
  const api = routeGroup('/api/things', 'things');
  api.get('/:id', { summary: 'A thing', access: 'public', params: z.object({ id: z.string() }), response: z.object({ thing: Thing }) }, (c) =>
    c.json(send.body, send.status as 200),
  );
  api.get('/special', { summary: 'The special thing', access: 'public', response: Thing }, (c) => c.json(send.body, send.status as 200));
  api.post(
    '/',
    { summary: 'Make a thing', access: 'public', status: 201, response: Thing, responses: { 422: { description: 'rows rejected', schema: Rejected } } },
    (c) => c.json(send.body, send.status as 201),
  );
  api.delete('/:id', { summary: 'Delete a thing', access: 'public', status: 204 }, (c) => (send.status === 204 ? c.body(null, 204) : c.json(send.body, 200)));
  api.get('/:id/fails', { summary: 'Always fails', access: 'public', response: Thing, errors: [409] }, () => {
    throw new ApiError(409, 'it conflicts', { with: 'x' });
  });
  const hono = new Hono<AppEnv>();
  hono.onError(errorHandler({ log: () => {} }));
  hono.route(api.group.prefix, api.group.app);
  return { hono, operations: api.group.operations };
}

/** Calls the app and checks its response as the server's test support does. */
async function check(send: { status: number; body: unknown }, method: string, path: string): Promise<string | undefined> {
  const { hono, operations } = app(send);
  const res = await hono.request(path, { method });
  return responseProblem(operations, { method, path, status: res.status, contentType: res.headers.get('content-type'), text: await res.text() });
}

const thing = { id: 'a', size: 3, seenAt: new Date(Date.UTC(2026, 0, 2)) };

describe('responseProblem', () => {
  it('accepts responses that match their declaration (a Date sent as its ISO string)', async () => {
    expect(await check({ status: 200, body: { thing } }, 'GET', '/api/things/a?x=1')).toBeUndefined();
    expect(await check({ status: 201, body: thing }, 'POST', '/api/things')).toBeUndefined();
    expect(await check({ status: 422, body: { error: 'bad rows', rows: 2 } }, 'POST', '/api/things')).toBeUndefined();
    expect(await check({ status: 204, body: null }, 'DELETE', '/api/things/a')).toBeUndefined();
    expect(await check({ status: 200, body: null }, 'GET', '/api/things/a/fails')).toBeUndefined();
  });

  it('names the route and the zod issue when a body violates the declared schema', async () => {
    const problem = await check({ status: 200, body: { thing: { ...thing, size: 'big' } } }, 'GET', '/api/things/a');
    expect(problem).toContain('GET /api/things/{id} answered 200: the body does not match the declared schema');
    expect(problem).toContain('thing.size');
    expect(problem).toMatch(/expected number/);
    expect(await check({ status: 200, body: { thing: { ...thing, seenAt: 'yesterday' } } }, 'GET', '/api/things/a')).toContain('thing.seenAt');
  });

  it('reports a field the schema does not declare', async () => {
    expect(await check({ status: 200, body: { thing: { ...thing, secret: 'hash' } } }, 'GET', '/api/things/a')).toBe(
      'GET /api/things/{id} answered 200: the body has "thing.secret", which the declared schema does not have',
    );
  });

  it('reports a status other than the declared one, and a 204 with a body', async () => {
    expect(await check({ status: 200, body: thing }, 'POST', '/api/things')).toBe('POST /api/things answered 200: the operation declares status 201');
    expect(await check({ status: 200, body: {} }, 'DELETE', '/api/things/a')).toBe('DELETE /api/things/{id} answered 200: the operation declares status 204');
  });

  it('holds error bodies to ErrorBody, or to the status’s own declared schema', async () => {
    expect(await check({ status: 400, body: { message: 'no' } }, 'GET', '/api/things/a')).toContain(
      'GET /api/things/{id} answered 400: the body does not match',
    );
    expect(await check({ status: 422, body: { error: 'bad rows' } }, 'POST', '/api/things')).toContain('rows');
    // Unrouted paths under /api are errors too.
    expect(await check({ status: 200, body: thing }, 'GET', '/api/nothing-here')).toBe(
      'GET /api/nothing-here answered 404: the body is text/plain; charset=UTF-8, not JSON: 404 Not Found',
    );
  });

  it('matches static segments before parameters, as the router does', () => {
    const { operations } = app({ status: 200, body: null });
    expect(operationFor(operations, 'GET', '/api/things/special')?.path).toBe('/api/things/special');
    expect(operationFor(operations, 'GET', '/api/things/other')?.path).toBe('/api/things/{id}');
    expect(operationFor(operations, 'PUT', '/api/things/other')).toBeUndefined();
  });

  it('fails the caller through assertDeclaredResponse, as every server route test does', async () => {
    const { hono, operations } = app({ status: 200, body: { thing: { id: 'a' } } });
    const res = await hono.request('/api/things/a');
    const seen = { method: 'GET', path: '/api/things/a', status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
    expect(() => assertDeclaredResponse(operations, seen)).toThrow(
      /GET \/api\/things\/\{id\} answered 200: the body does not match the declared schema[\s\S]*thing\.size/,
    );
  });
});

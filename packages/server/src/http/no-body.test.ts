/**
 * A body sent to a route that takes none, through a real server on
 * 127.0.0.1 and a keep-alive client with one socket: the route answers 400
 * naming that it takes no body, and the next request goes over the same
 * connection. A body that arrives slowly (over more than the half second
 * @hono/node-server waits for an unread body before destroying the socket)
 * is the case that broke the connection before; a body sent with a request
 * the server refuses early (401) is read as well.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useServer } from '../test-support.ts';

interface Sent {
  status: number;
  text: string;
  socket: unknown;
  reused: boolean;
}

describe.each(DATABASE_KINDS)('bodies sent to routes that take none, over keep-alive, on %s', (kind) => {
  const { h, skip } = useServer(kind);
  let server: ServerType | undefined;
  let agent: http.Agent | undefined;
  let port = 0;

  beforeEach(async () => {
    if (skip) return;
    server = serve({ fetch: h().app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  });
  afterEach(async () => {
    agent?.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** One request; `parts` of the body are written `pause` ms apart (Content-Length declared up front). */
  const send = (method: string, path: string, parts: string[] = [], pause = 0, headers: Record<string, string> = {}) =>
    new Promise<Sent>((resolve, reject) => {
      const length = parts.reduce((n, p) => n + Buffer.byteLength(p), 0);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: { ...headers, ...(parts.length ? { 'content-type': 'application/json', 'content-length': String(length) } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, text, socket: req.socket, reused: req.reusedSocket }));
        },
      );
      req.on('error', reject);
      void (async () => {
        for (const [i, p] of parts.entries()) {
          if (i > 0 && pause) await new Promise((r) => setTimeout(r, pause));
          req.write(p);
        }
        req.end();
      })();
    });

  /** The body's request, then a GET on the same socket. */
  async function thenHealth(first: Sent) {
    const next = await send('GET', '/api/health');
    expect(next.status).toBe(200);
    expect(next.reused).toBe(true);
    expect(next.socket).toBe(first.socket);
  }

  it.skipIf(skip)('a GET with a body: 400, and the connection carries the next request', async () => {
    const first = await send('GET', '/api/health', ['{"ping":true}']);
    expect(first.status).toBe(400);
    expect(JSON.parse(first.text)).toEqual({ error: 'GET /api/health takes no request body' });
    await thenHealth(first);
  });

  it.skipIf(skip)('a body arriving slowly to POST /api/auth/logout: 400 once it is all read, same connection after', async () => {
    const first = await send('POST', '/api/auth/logout', ['{"every', 'thing":', 'true}'], 400);
    expect(first.status).toBe(400);
    expect(JSON.parse(first.text)).toEqual({ error: 'POST /api/auth/logout takes no request body' });
    await thenHealth(first);
  });

  it.skipIf(skip)('a slow body refused before any route reads it (no session: 401) leaves the connection usable', async () => {
    const first = await send('POST', '/api/executions', ['{"scenarioId":', '"flow"}'], 700);
    expect(first.status).toBe(401);
    await thenHealth(first);
  });

  it.skipIf(skip)('a blank body is accepted where none is taken', async () => {
    const cookie = await h().cookieFor('admin');
    const first = await send('POST', '/api/auth/logout', ['  \n'], 0, { cookie });
    expect(first.status).toBe(204);
    await thenHealth(first);
  });
});

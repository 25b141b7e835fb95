/**
 * The listening server cuts off slow clients: a raw socket on 127.0.0.1
 * sends its headers, or its body, a few bytes at a time and sees the
 * connection closed within the (small, test-sized) limits.
 */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, sessionIdleMs, testRunWallMs } from '../boot.ts';
import { httpServerOptions, httpTimeoutsFromEnv } from './timeouts.ts';

const LIMITS = { headersTimeoutMs: 400, requestTimeoutMs: 1000 };

/** Writes `first`, then `drip` every 50 ms until the server closes; resolves with how long that took and what came back. */
function trickle(port: number, first: string, drip: string): Promise<{ ms: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(first));
    let reply = '';
    const timer = setInterval(() => socket.writable && socket.write(drip), 50);
    socket.on('data', (d) => {
      reply += d.toString();
    });
    socket.on('error', () => {}); // a write racing the close: the close is what is measured
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, reply });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept the slow connection open for 10 s'));
    }, 10_000);
  });
}

describe('request and header timeouts', () => {
  let server: ServerType;
  let port: number;
  beforeAll(async () => {
    const app = new Hono().post('/', async (c) => c.text(`got ${(await c.req.text()).length} bytes`));
    server = await listen(app, 0, '127.0.0.1', LIMITS);
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('closes a connection whose headers come too slowly (slowloris)', async () => {
    const { ms, reply } = await trickle(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n');
    expect(ms).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + 800);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose body stalls or crawls, at the request timeout', async () => {
    const head = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n';
    const { ms } = await trickle(port, head, 'x');
    expect(ms).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.requestTimeoutMs + 1000);
  });

  it('still answers a request that arrives in time', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(50_000) });
    expect(await r.text()).toBe('got 50000 bytes');
  });

  it('reads its limits from the environment, naming a bad value', () => {
    expect(httpTimeoutsFromEnv({})).toEqual({ headersTimeoutMs: 20_000, requestTimeoutMs: 120_000 });
    expect(httpTimeoutsFromEnv({ TELLFLOW_HEADERS_TIMEOUT_SECONDS: '5', TELLFLOW_REQUEST_TIMEOUT_SECONDS: '600' })).toEqual({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 600_000,
    });
    expect(() => httpTimeoutsFromEnv({ TELLFLOW_REQUEST_TIMEOUT_SECONDS: '0' })).toThrow(
      'TELLFLOW_REQUEST_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 3600, not "0"',
    );
    expect(() => httpTimeoutsFromEnv({ TELLFLOW_HEADERS_TIMEOUT_SECONDS: '300', TELLFLOW_REQUEST_TIMEOUT_SECONDS: '60' })).toThrow(/must not exceed/);
    expect(httpServerOptions({ headersTimeoutMs: 20_000, requestTimeoutMs: 120_000 })).toEqual({
      headersTimeout: 20_000,
      requestTimeout: 120_000,
      connectionsCheckingInterval: 1000,
    });
    expect(sessionIdleMs({})).toEqual({});
    expect(sessionIdleMs({ TELLFLOW_SESSION_IDLE_MINUTES: '45' })).toEqual({ sessionIdleMs: 45 * 60_000 });
    expect(() => sessionIdleMs({ TELLFLOW_SESSION_IDLE_MINUTES: 'soon' })).toThrow(
      'TELLFLOW_SESSION_IDLE_MINUTES must be a whole number of minutes from 1 to 1440, not "soon"',
    );
    expect(testRunWallMs({})).toEqual({});
    expect(testRunWallMs({ TELLFLOW_TEST_RUN_SECONDS: '120' })).toEqual({ testRunWallMs: 120_000 });
    expect(() => testRunWallMs({ TELLFLOW_TEST_RUN_SECONDS: '0' })).toThrow(
      'TELLFLOW_TEST_RUN_SECONDS must be a whole number of seconds from 1 to 600, not "0"',
    );
  });
});

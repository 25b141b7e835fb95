/**
 * The real server on a port: PGlite under a temporary data directory. (The
 * CLI's serve test covers restarts of the real process.) Creating a PGlite
 * database takes seconds, so the cases share one data directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeTuning, startServer, type ServerProcessOptions } from './boot.ts';
import { CHEAP_SCRYPT } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'tellflow-boot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { TELLFLOW_DATA_DIR: dir, TELLFLOW_ADMIN_PASSWORD: 'boot-test-password' };
const quiet: ServerProcessOptions = { port: 0, print: () => {}, log: () => {}, app: { scrypt: CHEAP_SCRYPT } };

describe('startServer', () => {
  it('opens the database, creates the admin, listens, answers and closes', { timeout: 180_000 }, async () => {
    const printed: string[] = [];
    const server = await startServer(env, { ...quiet, print: (s) => printed.push(s) });
    try {
      expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(printed.at(-1)).toBe(`Tellflow listening on ${server.url} (database: PGlite at ${join(dir, 'pglite')})\n`);
      expect(printed.join('')).not.toContain('boot-test-password');
      const health = await fetch(`${server.url}/api/health`);
      expect(await health.json()).toEqual({ status: 'ok', database: 'pglite', version: expect.any(String) });
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'admin', password: 'boot-test-password' }),
      });
      expect(login.status).toBe(200);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it('fails clearly for a port in use and for a bad simulator rules file, closing the database each time', { timeout: 180_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(startServer(env, { ...quiet, port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use: set PORT to another port`);
    } finally {
      blocker.close();
    }
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ customers: { rules: [{ match: '*' }] } }));
    await expect(startServer({ ...env, TELLFLOW_SIM_RULES: rules }, quiet)).rejects.toThrow(/invalid simulator rules file/);
    // Each failure closed the database: the directory opens again.
    writeFileSync(rules, JSON.stringify({ customers: { rules: [{ match: '*', outcome: 'busy' }] } }));
    const ok = await startServer({ ...env, TELLFLOW_SIM_RULES: rules }, quiet);
    await ok.close();
  });
});

describe('runtimeTuning', () => {
  it('reads the lease, the polling period and how long finished executions are kept, naming a bad value', () => {
    expect(runtimeTuning({})).toEqual({});
    expect(runtimeTuning({ TELLFLOW_LEASE_MS: '5000', TELLFLOW_POLL_MS: '200', TELLFLOW_KEEP_DAYS: '7' })).toEqual({
      leaseMs: 5000,
      pollMs: 200,
      keepFinishedMs: 7 * 86_400_000,
    });
    expect(runtimeTuning({ TELLFLOW_KEEP_DAYS: 'forever' })).toEqual({ keepFinishedMs: null });
    expect(() => runtimeTuning({ TELLFLOW_KEEP_DAYS: '0' })).toThrow('TELLFLOW_KEEP_DAYS must be a number of days (1 or more) or "forever", not "0"');
    expect(() => runtimeTuning({ TELLFLOW_KEEP_DAYS: '2 weeks' })).toThrow(/not "2 weeks"/);
    expect(runtimeTuning({ TELLFLOW_KEEP_IDLE_MINUTES: '10' })).toEqual({ keepIdleMs: 600_000 });
    expect(runtimeTuning({ TELLFLOW_KEEP_IDLE_MINUTES: 'forever' })).toEqual({ keepIdleMs: null });
    expect(() => runtimeTuning({ TELLFLOW_KEEP_IDLE_MINUTES: '1h' })).toThrow(
      'TELLFLOW_KEEP_IDLE_MINUTES must be a number of minutes (1 or more) or "forever", not "1h"',
    );
    expect(() => runtimeTuning({ TELLFLOW_LEASE_MS: '5' })).toThrow('TELLFLOW_LEASE_MS must be milliseconds between 10 and 3600000, not "5"');
  });

  it('turns the metrics on with a token of at least 16 characters', { timeout: 180_000 }, async () => {
    await expect(startServer({ ...env, TELLFLOW_METRICS_TOKEN: 'short' }, quiet)).rejects.toThrow('TELLFLOW_METRICS_TOKEN must be at least 16 characters');
    const server = await startServer({ ...env, TELLFLOW_METRICS_TOKEN: 'a-long-enough-metrics-token' }, quiet);
    try {
      const r = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer a-long-enough-metrics-token' } });
      expect(r.status).toBe(200);
      expect(await r.text()).toMatch(/^tellflow_executions\{status="running"\} \d+$/m);
    } finally {
      await server.close();
    }
  });
});

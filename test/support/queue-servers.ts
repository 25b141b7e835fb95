/**
 * Queues through real `tellflow serve` processes, for the process tests:
 * start several servers on one database, and talk to them over HTTP as the
 * admin, agents (session cookies) and customers (customer tokens minted with
 * an API key) do. Each request goes to a server of the caller's choosing,
 * so the work of one agent or customer is spread over the processes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from './server-process.ts';

export const ADMIN_PASSWORD = 'queue-processes-supervising-password';

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

/** Who is asking: a session cookie (admin, agents) or a bearer token (API key, customer token). */
export type Credentials = { cookie: string } | { bearer: string };

/** A JSON request to one server; the body is parsed when there is one. */
export async function request<T = unknown>(base: string, method: string, path: string, as?: Credentials, body?: unknown): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (as && 'cookie' in as) headers.cookie = as.cookie;
  if (as && 'bearer' in as) headers.authorization = `Bearer ${as.bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

/** Like `request`, but anything other than the expected status is an error that names the call and what came back. */
export async function expectStatus<T = unknown>(status: number, base: string, method: string, path: string, as?: Credentials, body?: unknown): Promise<T> {
  const r = await request<T>(base, method, path, as, body);
  if (r.status !== status) throw new Error(`${method} ${path} on ${base}: ${r.status} (expected ${status}) ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Signs in; the session cookie. A 503 (too many passwords checked at once) is tried again. */
export async function signIn(base: string, username: string, password: string): Promise<Credentials> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status === 503 && attempt < 20) {
      await res.text();
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (res.status !== 200) throw new Error(`cannot sign in as ${username}: ${res.status} ${await res.text()}`);
    await res.text();
    return { cookie: res.headers.get('set-cookie')!.split(';')[0]! };
  }
}

export interface QueueServersOptions {
  /** postgres:// URL; without it, PGlite in `dataDir` (one process only: a PGlite data directory has one owner). */
  databaseUrl?: string;
  dataDir?: string;
  /** What the simulated operators do when rung (default: they answer from the agent page). */
  operatorRules?: { match: string; outcome: string; afterMs: number }[];
}

/** The environment of a server process: short polling and leases, so a killed process's work is taken over quickly. */
export function serverEnv(o: QueueServersOptions): Record<string, string> {
  const dir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'tellflow-queues-'));
  const rules = join(dir, 'sim.json');
  writeFileSync(rules, JSON.stringify({ customers: { rules: [] }, ...(o.operatorRules ? { operators: { rules: o.operatorRules } } : {}) }));
  return {
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    TELLFLOW_DATA_DIR: dir,
    TELLFLOW_SIM_RULES: rules,
    TELLFLOW_LEASE_MS: '3000',
    TELLFLOW_POLL_MS: '200',
    TELLFLOW_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
}

/** Starts `n` server processes on one database at once. */
export async function startServers(env: Record<string, string>, n: number): Promise<ServerProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: n }, () => startServer(env)));
  const failed = started.find((s) => s.status === 'rejected');
  if (!failed) return started.map((s) => (s as PromiseFulfilledResult<ServerProcess>).value);
  // None is left running behind a failed start.
  for (const s of started) if (s.status === 'fulfilled') await s.value.stop();
  throw failed.reason;
}

/**
 * Customer tokens for `subjects`, minted with as many API keys (scope
 * customer-tokens) as the per-key mint burst needs: as an integrator's
 * backends would, each key under its rate limit.
 */
export async function mintCustomerTokens(base: string, admin: Credentials, subjects: string[], perKey = 100): Promise<Map<string, Credentials>> {
  const tokens = new Map<string, Credentials>();
  for (let k = 0; k * perKey < subjects.length; k++) {
    const { secret } = await expectStatus<{ secret: string }>(201, base, 'POST', '/api/api-keys', admin, { name: `backend ${k}`, scopes: ['customer-tokens'] });
    const batch = subjects.slice(k * perKey, (k + 1) * perKey);
    await inBatches(batch, 16, async (subject) => {
      const { token } = await expectStatus<{ token: string }>(201, base, 'POST', '/api/customer-tokens', { bearer: secret }, { subject });
      tokens.set(subject, { bearer: token });
    });
  }
  return tokens;
}

/** Runs `work` over `items`, `width` at a time. */
export async function inBatches<T>(items: readonly T[], width: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

/** Polls until `check` gives a value (not undefined), or fails naming what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

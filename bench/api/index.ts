/**
 * The HTTP API under load, on real PostgreSQL: requests per second and
 * latency p50/p99 per route class, at 50 and 200 concurrent clients, against
 * one and two `tellflow serve` processes on one database.
 *
 *   npm run bench:api
 *   npm run bench:api -- --seconds 5 --clients 50,200 --servers 1,2
 *
 * Route classes (each run alone, clients looping for --seconds after a 1 s warm-up):
 *   trivial  GET /api/health (public; one `select 1`): the peer every other figure is read against
 *   reads    GET /api/scenarios and GET /api/executions?limit=20, alternating (signed in)
 *   starts   POST /api/executions of a start → end scenario (signed in; the executions run too)
 *   sign-in  POST /api/auth/login with the right password (scrypt at its production cost)
 *
 * Servers are child processes (TELLFLOW_BENCH_PG_URL or TELLFLOW_TEST_PG_URL
 * names the PostgreSQL server; a fresh database is created and dropped); with
 * two, clients alternate between them. The clients run in this process, on
 * the same 2 cores as the servers and the database: figures are for comparing
 * classes within one run, not absolute capacity.
 */
import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '@tellflow/db/testing';
import { startServer, type ServerProcess } from '../../test/support/server-process.ts';

interface Options {
  seconds: number;
  clients: number[];
  servers: number[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 5, clients: [50, 200], servers: [1, 2] };
  const list = (v: string | undefined, name: string) => {
    const xs = (v ?? '').split(',').map(Number);
    if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`${name} takes whole numbers, e.g. 50,200`);
    return xs;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seconds') o.seconds = Number(argv[++i]);
    else if (arg === '--clients') o.clients = list(argv[++i], '--clients');
    else if (arg === '--servers') o.servers = list(argv[++i], '--servers');
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!(o.seconds > 0)) throw new Error('--seconds must be positive');
  return o;
}

const PASSWORD = 'bench-passphrase-long-enough';

interface Target {
  url: string;
  cookie: string;
}

type Request = (t: Target, i: number) => Promise<Response>;

const CLASSES: Record<string, Request> = {
  trivial: (t) => fetch(`${t.url}/api/health`),
  reads: (t, i) => fetch(`${t.url}${i % 2 ? '/api/scenarios' : '/api/executions?limit=20'}`, { headers: { cookie: t.cookie } }),
  starts: (t) =>
    fetch(`${t.url}/api/executions`, {
      method: 'POST',
      headers: { cookie: t.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioId: 'bench-api' }),
    }),
  'sign-in': (t) =>
    fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    }),
};

async function signIn(url: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${await r.text()}`);
  return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function publishScenario(t: Target): Promise<void> {
  const doc = {
    format: 'tellflow.scenario/v1',
    id: 'bench-api',
    name: 'Bench: start and end',
    kind: 'service',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'end', type: 'end' },
    ],
    edges: [{ source: 'start', sourceHandle: 'next', target: 'end' }],
  };
  const r = await fetch(`${t.url}/api/scenarios?publish=true`, {
    method: 'POST',
    headers: { cookie: t.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(doc),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`publishing failed: ${r.status} ${await r.text()}`);
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: Record<string, number>;
}

/** `clients` loops of `request` for `seconds` (after a warm-up second): throughput and latency of the 2xx answers, other statuses counted. */
async function load(targets: Target[], clients: number, seconds: number, request: Request): Promise<Figures> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const warmUntil = performance.now() + 1_000;
  const stopAt = warmUntil + seconds * 1_000;
  let i = 0;
  const client = async (n: number) => {
    const target = targets[n % targets.length]!;
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      let status: string;
      try {
        const r = await request(target, i++);
        await r.arrayBuffer();
        status = r.status < 300 ? 'ok' : String(r.status);
      } catch (e) {
        status = (e as { cause?: { code?: string } }).cause?.code ?? 'network error';
      }
      const t1 = performance.now();
      if (t0 < warmUntil) continue;
      if (status === 'ok') latencies.push(t1 - t0);
      else errors[status] = (errors[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const adminUrl = process.env.TELLFLOW_BENCH_PG_URL ?? process.env.TELLFLOW_TEST_PG_URL;
  const db = await createTestDatabase('postgres', { prefix: 'tellflow_bench_api', ...(adminUrl ? { adminUrl } : {}) });
  const env = { DATABASE_URL: db.url!, TELLFLOW_ADMIN_PASSWORD: PASSWORD, TELLFLOW_KEEP_DAYS: 'forever' };
  const rows: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`bench:api — ${o.seconds} s per figure after 1 s warm-up; PostgreSQL ${db.url!.replace(/\/\/[^@]*@/, '//')}`);
  const servers: ServerProcess[] = [];
  try {
    for (const count of o.servers) {
      while (servers.length < count) servers.push(await startServer(env));
      const targets: Target[] = [];
      for (const s of servers.slice(0, count)) targets.push({ url: s.url, cookie: await signIn(s.url) });
      await publishScenario(targets[0]!);
      for (const clients of o.clients) {
        for (const [name, request] of Object.entries(CLASSES)) {
          const f = await load(targets, clients, o.seconds, request);
          const errors = Object.entries(f.errors)
            .map(([k, v]) => `${k}×${v}`)
            .join(' ');
          rows.push(
            `${pad(`${count} server${count > 1 ? 's' : ''}`, 10)}${pad(String(clients), 9)}${pad(name, 9)}${f.rps.toFixed(0).padStart(8)}${f.p50.toFixed(1).padStart(10)}${f.p99.toFixed(1).padStart(10)}  ${errors}`,
          );
          console.log(rows.at(-1));
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
    await db.drop();
  }
  console.log(`\n${pad('servers', 10)}${pad('clients', 9)}${pad('class', 9)}${'req/s'.padStart(8)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}  non-2xx`);
  for (const r of rows) console.log(r);
}

await main();

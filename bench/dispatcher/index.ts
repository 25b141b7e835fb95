/**
 * The queue dispatcher under load, on real PostgreSQL and on PGlite: 10,000
 * online agents across 50 queues (each serving 3) and 100,000 waiting
 * customers (seed.ts, bulk inserted).
 *
 *   npm run bench:dispatcher                         # both databases
 *   npm run bench:dispatcher -- --only postgres      # or --only pglite
 *   npm run bench:dispatcher -- --agents 2000 --customers 20000 --rounds 1 --seconds 3   # smaller
 *   npm run bench:dispatcher -- --rate 400           # the latency phase's agents freed per second
 *   npm run bench:dispatcher -- --json               # also one JSON line per database
 *
 * Each database is fresh (PostgreSQL: created and dropped through
 * TELLFLOW_BENCH_PG_URL, else TELLFLOW_TEST_PG_URL, else
 * postgres://postgres@127.0.0.1:5432/test; PGlite in memory) and migrated.
 *
 *   offers/s    every agent free: `Dispatcher.round()` (a ManualClock) until a
 *               round offers nothing; offers committed ÷ wall time, until
 *               every free agent holds an offer. Each run starts from the
 *               seeded state (offers deleted, entries back to waiting).
 *   accepts/s   then every agent accepts its offer (`Dispatcher.accept`), in
 *               batches of --accept-batch at once; accepted ÷ wall time. Each
 *               run starts with every offer pending again.
 *   latency     agent free → its offer committed, at a fixed rate: every
 *               agent is put in DND and its customer served, then agents are
 *               made available again (`AgentStore.setPresence`, which
 *               NOTIFYs tellflow_queue) at --rate per second on their own
 *               connection pool, while the real job loop (backgroundJobs'
 *               `dispatcher` job in a JobLoop, the system clock, woken by
 *               NOTIFY and every 500 ms) runs rounds; the time from just
 *               before setPresence to the dispatcher's `offerChanged` for
 *               that agent (called once the offer is committed). The first
 *               second of each run is warm-up; p50/p99 over the rest. Each
 *               run starts with nobody free (the previous run's offers
 *               withdrawn, its agents back in DND); with --accumulate each
 *               continues from the last instead: its agents keep their
 *               unanswered offers, and the first run's time out (20 s)
 *               during the third, 200 a second.
 *
 * Offers/s and accepts/s are medians of --rounds runs (default 3), with
 * min–max; latency p50/p99 the medians over --rounds runs of --seconds each.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { ManualClock, systemClock } from '@tellflow/clock';
import { createDatabase, type Database } from '@tellflow/db';
import { AgentStore, backgroundJobs, Dispatcher, JobLoop, ScenarioStore } from '@tellflow/runtime';
import { freshDatabase, postgresReachable, type Kind } from '../runtime/fresh-db.ts';
import { summarize } from '../runtime/stats.ts';
import { agentId, seed, type Shape } from './seed.ts';

interface Options extends Shape {
  only: Kind | undefined;
  rounds: number;
  seconds: number;
  rate: number;
  acceptBatch: number;
  accumulate: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    only: undefined,
    agents: 10_000,
    queues: 50,
    customers: 100_000,
    rounds: 3,
    seconds: 8,
    rate: 200,
    acceptBatch: 100,
    accumulate: false,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${arg} needs a positive whole number`);
      return v;
    };
    if (arg === '--only') {
      const v = argv[++i];
      if (v !== 'postgres' && v !== 'pglite') throw new Error('--only takes postgres or pglite');
      o.only = v;
    } else if (arg === '--agents') o.agents = num();
    else if (arg === '--queues') o.queues = num();
    else if (arg === '--customers') o.customers = num();
    else if (arg === '--rounds') o.rounds = num();
    else if (arg === '--seconds') o.seconds = num();
    else if (arg === '--rate') o.rate = num();
    else if (arg === '--accept-batch') o.acceptBatch = num();
    else if (arg === '--accumulate') o.accumulate = true;
    else if (arg === '--json') o.json = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: tsx bench/dispatcher/index.ts [--only postgres|pglite] [--agents N] [--queues N] [--customers N] [--rounds N] [--seconds N] [--rate N] [--accept-batch N] [--accumulate] [--json]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (o.customers < o.agents) throw new Error('--customers must be at least --agents (every agent gets an offer)');
  if (o.rate * o.seconds * o.rounds > o.agents) throw new Error('--rate × --seconds × --rounds must not exceed --agents (each agent is freed once)');
  return o;
}

const progress = (m: string) => process.stderr.write(`  … ${m}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(1)} ms`;

interface Spread {
  median: number;
  min: number;
  max: number;
}
function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}

async function count(db: Database, text: string): Promise<number> {
  return Number((await db.query<{ n: number }>(text)).rows[0]!.n);
}

/** Back to the seeded state: nobody offered, every customer waiting. */
async function resetOffers(db: Database): Promise<void> {
  await db.query('delete from queue_offers');
  await db.query(`update queue_entries set state = 'waiting' where state = 'offered'`);
  await db.query(`delete from queue_events where kind <> 'joined'`);
  await db.query('vacuum analyze queue_offers, queue_entries');
}

/** Rounds until one offers nothing; returns offers per second. */
async function offerRun(db: Database, o: Options, now: number): Promise<{ perSec: number; rounds: number; offers: number }> {
  const dispatcher = new Dispatcher(db, new ManualClock(now));
  const t0 = performance.now();
  let offers = 0;
  let rounds = 0;
  for (;;) {
    const r = await dispatcher.round();
    rounds++;
    offers += r.offered;
    if (r.offered === 0) break;
  }
  const wall = performance.now() - t0;
  const pending = await count(db, `select count(*)::int as n from queue_offers where state = 'pending'`);
  if (pending !== o.agents || offers !== o.agents) throw new Error(`expected ${o.agents} pending offers, have ${pending} (${offers} made)`);
  return { perSec: (offers * 1000) / wall, rounds, offers };
}

/** Every agent accepts its pending offer, `acceptBatch` at a time; returns accepts per second. */
async function acceptRun(db: Database, o: Options, now: number): Promise<number> {
  const dispatcher = new Dispatcher(db, new ManualClock(now));
  const t0 = performance.now();
  for (let i = 1; i <= o.agents; i += o.acceptBatch) {
    const batch = Array.from({ length: Math.min(o.acceptBatch, o.agents - i + 1) }, (_, k) => agentId(i + k));
    await Promise.all(batch.map((a) => dispatcher.accept(a)));
  }
  const wall = performance.now() - t0;
  const assigned = await count(db, `select count(*)::int as n from queue_entries where state = 'assigned'`);
  if (assigned !== o.agents) throw new Error(`expected ${o.agents} assigned customers, have ${assigned}`);
  return (o.agents * 1000) / wall;
}

/** Accepted offers back to pending (the customers offered again), for the next accept run. */
async function resetAccepts(db: Database): Promise<void> {
  await db.query(`update queue_offers set state = 'pending', decided_at = null where state = 'accepted'`);
  await db.query(`update queue_entries set state = 'offered', agent_id = null, assigned_at = null where state = 'assigned'`);
  await db.query(`delete from queue_events where kind = 'accepted'`);
  await db.query('vacuum analyze queue_offers, queue_entries');
}

interface LatencyRun {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  /** Agents freed whose offer had not come when the run ended. */
  missing: number;
  achievedRate: number;
}

/**
 * Agents freed at `rate` per second (from `first` on), with the real job loop
 * running the dispatcher; each one's time until its offer is committed.
 */
async function latencyRun(db: Database, agentsDb: Database, o: Options, first: number): Promise<LatencyRun> {
  const freedAt = new Map<string, number>();
  const latencies: number[] = [];
  let warm = 0;
  const dispatcher = new Dispatcher(db, systemClock, {
    wake: async () => {},
    queuesChanged: () => {},
    offerChanged: (agent, _offer, state) => {
      if (state !== 'pending') return;
      const t = freedAt.get(agent);
      if (t === undefined) return;
      freedAt.delete(agent);
      if (t >= warm) latencies.push(performance.now() - t);
    },
  });
  const log = (m: string, f?: Record<string, unknown>) => console.error(m, f ?? '');
  const jobs = backgroundJobs({ db, scenarios: new ScenarioStore(db), dispatcher, scheduleMs: 500, retention: { finishedMs: null, idleMs: null }, log }).filter(
    (j) => j.name === 'dispatcher',
  );
  const loop = new JobLoop(jobs, systemClock, log, (channel, cb) => db.listen(channel, cb));
  const agents = new AgentStore(agentsDb, () => Date.now());
  loop.start();
  await new Promise((r) => setTimeout(r, 300)); // the LISTEN is set up
  const total = o.rate * o.seconds;
  const start = performance.now();
  warm = start + 1000;
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const agent = agentId(first + i);
    freedAt.set(agent, performance.now());
    inflight.push(agents.setPresence(agent, 'available'));
  }
  await Promise.all(inflight);
  const sent = performance.now() - start;
  const until = performance.now() + 5000;
  while (freedAt.size > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  await loop.close();
  const s = summarize(latencies);
  return { p50: s.p50, p99: s.p99, max: s.max, samples: s.n, missing: freedAt.size, achievedRate: (total * 1000) / sent };
}

/** Every agent in DND with its customer served: nobody free, ready to be freed one by one. */
async function prepareLatency(db: Database): Promise<void> {
  await db.query(`update agent_presence set state = 'dnd', since = now()`);
  await db.query(`update queue_entries set state = 'served', ended_at = now() where state = 'assigned'`);
  await db.query('vacuum analyze agent_presence, queue_entries, queue_offers');
}

/** The previous latency run undone: its offers withdrawn (their customers waiting again), its agents back in DND. */
async function resetLatency(db: Database): Promise<void> {
  await db.query(`update queue_entries set state = 'waiting' where state = 'offered'`);
  await db.query(`delete from queue_offers where state = 'pending'`);
  await db.query(`update agent_presence set state = 'dnd', since = now() where state = 'available'`);
  await db.query('vacuum analyze agent_presence, queue_entries, queue_offers');
}

interface KindResult {
  kind: Kind;
  seedMs: number;
  offers: Spread;
  offerRounds: number;
  accepts: Spread;
  latency: { p50: Spread; p99: Spread; runs: LatencyRun[] };
}

async function benchKind(kind: Kind, o: Options): Promise<KindResult> {
  const f = await freshDatabase(kind, 10);
  const agentsDb = f.url ? await createDatabase({ url: f.url, max: 4 }) : f.db;
  try {
    const now = Date.now();
    progress(`${kind}: seeding ${fmt(o.agents)} agents, ${o.queues} queues, ${fmt(o.customers)} customers`);
    const t0 = performance.now();
    await seed(f.db, o, now);
    const seedMs = performance.now() - t0;
    const offers: number[] = [];
    const accepts: number[] = [];
    let offerRounds = 0;
    for (let r = 0; r < o.rounds; r++) {
      if (r > 0) await resetOffers(f.db);
      const run = await offerRun(f.db, o, now + 1000);
      offers.push(run.perSec);
      offerRounds = run.rounds;
      progress(`${kind}: offers run ${r + 1}: ${fmt(run.perSec)}/s in ${run.rounds} rounds`);
    }
    for (let r = 0; r < o.rounds; r++) {
      if (r > 0) await resetAccepts(f.db);
      accepts.push(await acceptRun(f.db, o, now + 2000));
      progress(`${kind}: accepts run ${r + 1}: ${fmt(accepts.at(-1)!)}/s`);
    }
    await prepareLatency(f.db);
    const runs: LatencyRun[] = [];
    for (let r = 0; r < o.rounds; r++) {
      if (r > 0 && !o.accumulate) await resetLatency(f.db);
      const run = await latencyRun(f.db, agentsDb, o, 1 + r * o.rate * o.seconds);
      runs.push(run);
      progress(
        `${kind}: latency run ${r + 1}: p50 ${ms(run.p50)}, p99 ${ms(run.p99)}, max ${ms(run.max)} (${run.samples} samples, ${run.missing} without an offer)`,
      );
    }
    return {
      kind,
      seedMs,
      offers: spread(offers),
      offerRounds,
      accepts: spread(accepts),
      latency: { p50: spread(runs.map((r) => r.p50)), p99: spread(runs.map((r) => r.p99)), runs },
    };
  } finally {
    if (agentsDb !== f.db) await agentsDb.close();
    await f.drop();
  }
}

const o = parseArgs(process.argv.slice(2));
console.log(
  `dispatcher bench: ${fmt(o.agents)} agents, ${o.queues} queues, ${fmt(o.customers)} waiting; ${o.rounds} runs; latency at ${o.rate} agents freed/s for ${o.seconds} s, ${o.accumulate ? 'each run continuing from the last' : 'each run from nobody free'}`,
);
console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const kinds: Kind[] = o.only ? [o.only] : ['postgres', 'pglite'];
for (const kind of kinds) {
  if (kind === 'postgres' && !(await postgresReachable())) {
    console.log('postgres: not reachable, skipped');
    continue;
  }
  const r = await benchKind(kind, o);
  const target = kind === 'postgres' ? { offers: 2000, p99: 20 } : null;
  console.log(`\n${kind} (seeded in ${fmt(r.seedMs)} ms)`);
  console.log(
    `  durable offers/s:     ${fmt(r.offers.median)} (min ${fmt(r.offers.min)}, max ${fmt(r.offers.max)}; ${r.offerRounds} rounds)${target ? ` — target ${fmt(target.offers)}: ${r.offers.median >= target.offers ? 'met' : 'NOT met'} (×${(r.offers.median / target.offers).toFixed(2)})` : ''}`,
  );
  console.log(`  accepted/s:           ${fmt(r.accepts.median)} (min ${fmt(r.accepts.min)}, max ${fmt(r.accepts.max)}; ${o.acceptBatch} at once)`);
  console.log(`  free → offer p50:     ${ms(r.latency.p50.median)} (runs ${r.latency.runs.map((x) => x.p50.toFixed(1)).join(', ')})`);
  console.log(
    `  free → offer p99:     ${ms(r.latency.p99.median)} (runs ${r.latency.runs.map((x) => x.p99.toFixed(1)).join(', ')}; max ${ms(Math.max(...r.latency.runs.map((x) => x.max)))})${target ? ` — target ≤ ${target.p99} ms: ${r.latency.p99.median <= target.p99 ? 'met' : 'NOT met'} (×${(r.latency.p99.median / target.p99).toFixed(2)})` : ''}`,
  );
  console.log(
    `  at ${o.rate}/s offered (achieved ${r.latency.runs.map((x) => x.achievedRate.toFixed(0)).join(', ')}/s), ${r.latency.runs.reduce((n, x) => n + x.samples, 0)} samples, ${r.latency.runs.reduce((n, x) => n + x.missing, 0)} agents without an offer`,
  );
  if (o.json) console.log(JSON.stringify(r));
}

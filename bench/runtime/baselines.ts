/**
 * What the database itself allows, and what a well-known job queue does with
 * it, measured in the same run on the same database.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import type { Database } from '@tellflow/db';
import { CpuMeter, type CpuUse } from './cpu.ts';
import { summarize, type Summary } from './stats.ts';

export interface Rate {
  perSec: number;
  /** CPU per unit of work, µs. */
  cpu: CpuUse;
}

const perUnit = (u: CpuUse, n: number): CpuUse => ({ nodeMs: (u.nodeMs * 1000) / n, postgresMs: u.postgresMs === null ? null : (u.postgresMs * 1000) / n });

/**
 * Plain single-row INSERT commits per second: `connections` loops, each
 * sending one autocommit `insert … values ($1)` (prepared) and waiting for it.
 * With one connection this is one fsync'd commit per round trip; with more,
 * PostgreSQL's group commit shares fsyncs. One commit per step can go no faster.
 */
export async function insertCommits(db: Database, url: string | undefined, connections: number, seconds: number): Promise<Rate> {
  const warmup = 0.5;
  const meter = CpuMeter.forDatabase(url ? db : null);
  if (!url) {
    await db.query('create table if not exists bench_insert (id bigserial primary key, v int not null, at timestamptz not null default now())');
    return loops(1, seconds, warmup, meter, (i) => db.query('insert into bench_insert (v) values ($1)', [i]).then(() => {}));
  }
  const sql = postgres(url, { max: connections, prepare: true, onnotice: () => {} });
  try {
    await sql`create table if not exists bench_insert (id bigserial primary key, v int not null, at timestamptz not null default now())`;
    return await loops(connections, seconds, warmup, meter, (i) => sql`insert into bench_insert (v) values (${i})`.then(() => {}));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * `n` loops of awaited inserts; counted (and CPU metered) after the warm-up.
 * Time is checked in the loops, not with timers: PGlite answers through
 * microtasks only, so a timer would never get its turn.
 */
async function loops(n: number, seconds: number, warmup: number, meter: CpuMeter, insert: (i: number) => Promise<void>): Promise<Rate> {
  const from = performance.now() + warmup * 1000;
  const until = from + seconds * 1000;
  let metering: Promise<void> | undefined;
  let counted = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      for (let i = w; ; i += n) {
        const now = performance.now();
        if (now >= until) return;
        if (now >= from) await (metering ??= meter.start());
        await insert(i);
        if (now >= from) counted++;
      }
    }),
  );
  const elapsed = (performance.now() - from) / 1000;
  const used = await meter.stop();
  return { perSec: counted / elapsed, cpu: perUnit(used, counted) };
}

/**
 * Commit latency of plain single-row inserts offered at a fixed rate (8
 * connections on PostgreSQL, PGlite's one): the floor under the durable
 * step latency on this machine. The first second is warm-up.
 */
export async function insertLatency(db: Database, url: string | undefined, perSec: number, seconds: number): Promise<Summary> {
  const sql = url ? postgres(url, { max: 8, prepare: true, onnotice: () => {} }) : null;
  const insert = (i: number): Promise<unknown> =>
    sql ? sql`insert into bench_insert (v) values (${i})` : db.query('insert into bench_insert (v) values ($1)', [i]);
  try {
    await db.query('create table if not exists bench_insert (id bigserial primary key, v int not null, at timestamptz not null default now())');
    const latencies: number[] = [];
    const pending: Promise<unknown>[] = [];
    const t0 = performance.now();
    const from = t0 + 1000;
    const total = Math.round(perSec * (seconds + 1));
    while (pending.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * perSec));
      while (pending.length < due) {
        const sent = performance.now();
        pending.push(insert(pending.length).then(() => sent >= from && latencies.push(performance.now() - sent)));
      }
      await sleep(1);
    }
    await Promise.all(pending);
    return summarize(latencies);
  } finally {
    await sql?.end({ timeout: 5 });
  }
}

export interface GraphileResult {
  jobs: number;
  /** CPU per job, µs (the worker and the adds run in this process). */
  cpu: CpuUse;
  seconds: number;
  jobsPerSec: number;
  addSeconds: number;
  version: string;
}

/**
 * graphile-worker running `jobs` trivial jobs (the task does nothing): the
 * worker runs first (its schema installed beforehand), then the jobs are
 * added in batches of 1,000 with `addJobs`; timed from the first add until
 * the jobs table is empty (every job completed and deleted).
 */
export async function graphileJobs(db: Database, url: string, jobs: number, concurrency: number, maxPoolSize: number): Promise<GraphileResult> {
  const gw = await import('graphile-worker');
  const version = graphileVersion();
  const logger = new gw.Logger(() => () => {});
  const utils = await gw.makeWorkerUtils({ connectionString: url, logger });
  await utils.migrate();
  let done = 0;
  const runner = await gw.run({
    connectionString: url,
    concurrency,
    maxPoolSize,
    noHandleSignals: true,
    pollInterval: 2000,
    logger,
    taskList: {
      noop: async () => {
        done++;
      },
    },
  });
  const check = postgres(url, { max: 1, onnotice: () => {} });
  const meter = CpuMeter.forDatabase(db);
  try {
    await meter.start();
    const t0 = performance.now();
    for (let i = 0; i < jobs; i += 1000) {
      await utils.addJobs(Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({ identifier: 'noop', payload: { i: i + j } })));
    }
    const addSeconds = (performance.now() - t0) / 1000;
    const deadline = t0 + 120_000;
    while (performance.now() < deadline) {
      if (done >= jobs) {
        const [row] = await check<{ n: number }[]>`select count(*)::int as n from graphile_worker._private_jobs`;
        if (row?.n === 0) break;
      }
      await sleep(2);
    }
    const seconds = (performance.now() - t0) / 1000;
    const used = await meter.stop();
    if (done < jobs) throw new Error(`graphile-worker ran ${done} of ${jobs} jobs in ${seconds.toFixed(1)} s`);
    return { jobs, cpu: perUnit(used, jobs), seconds, jobsPerSec: jobs / seconds, addSeconds, version };
  } finally {
    await runner.stop();
    await utils.release();
    await check.end({ timeout: 1 });
  }
}

/** Its package.json is not exported: found beside its entry point. */
function graphileVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('graphile-worker'));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'graphile-worker' && pkg.version) return pkg.version;
    } catch {
      // not here; one level up
    }
  }
  return 'unknown';
}

/**
 * Durable runtime throughput and latency, next to what the database allows
 * and to graphile-worker, on real PostgreSQL and on PGlite.
 *
 *   npm run bench:runtime                       # both databases, about two minutes on an idle machine
 *   npm run bench:runtime -- --only postgres    # or --only pglite
 *   npm run bench:runtime -- --quick            # smaller runs (a smoke test)
 *   npm run bench:runtime -- --json             # also one JSON line with every figure
 *
 * Each database is fresh: on PostgreSQL a new database is created and dropped
 * (TELLFLOW_BENCH_PG_URL or TELLFLOW_TEST_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test is used to create it); PGlite is in memory.
 *
 * A "durable step" is one committed interpreter step: the engine's
 * `step(state, event)` (the effect's result → pure nodes → the next effect or
 * the end) written by the runner's one-statement step commit, counted when
 * its COMMIT has returned. Pure nodes do not count: they ride in the commit
 * of the step that reaches them.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { freshDatabase, postgresReachable, type FreshDatabase, type Kind } from './fresh-db.ts';
import { harness, latency, throughput, type Latency, type Throughput } from './durable.ts';
import { graphileJobs, insertCommits, insertLatency, type GraphileResult, type Rate } from './baselines.ts';
import type { Summary } from './stats.ts';
import type { CpuUse } from './cpu.ts';
import { VARIANT_TEXT, type Variant } from './scenarios.ts';

interface Options {
  only: Kind | undefined;
  quick: boolean;
  json: boolean;
  pool: number;
  batch: number;
  k: number;
  pgExecutions: number;
  pgliteExecutions: number;
  latencyRate: number;
  latencySeconds: number;
  insertSeconds: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    only: undefined,
    quick: false,
    json: false,
    pool: 8,
    batch: 64,
    k: 9,
    pgExecutions: 2000,
    pgliteExecutions: 100,
    latencyRate: 1000,
    latencySeconds: 8,
    insertSeconds: 3,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${arg} needs a positive number`);
      return v;
    };
    if (arg === '--only') {
      const v = argv[++i];
      if (v !== 'postgres' && v !== 'pglite') throw new Error('--only takes postgres or pglite');
      o.only = v;
    } else if (arg === '--quick') o.quick = true;
    else if (arg === '--json') o.json = true;
    else if (arg === '--pool') o.pool = num();
    else if (arg === '--batch') o.batch = num();
    else if (arg === '--executions') o.pgExecutions = num();
    else if (arg === '--rate') o.latencyRate = num();
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: tsx bench/runtime/index.ts [--only postgres|pglite] [--quick] [--json] [--pool N] [--batch N] [--executions N] [--rate STEPS_PER_SEC]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (o.quick) Object.assign(o, { pgExecutions: 300, pgliteExecutions: 50, latencySeconds: 3, insertSeconds: 1 });
  return o;
}

interface KindResult {
  kind: Kind;
  pool: number;
  batch: number;
  timer: Throughput;
  sql: Throughput;
  latency: Latency;
  /** Plain insert commit latency at the latency test's offered rate. */
  insertLatency: Summary;
  insert1: Rate;
  insert8: Rate | null;
  graphile: GraphileResult | null;
}

const progress = (m: string) => process.stderr.write(`  … ${m}\n`);

async function benchKind(kind: Kind, o: Options): Promise<KindResult> {
  const pool = kind === 'postgres' ? o.pool : 1;
  const fresh: FreshDatabase = await freshDatabase(kind, pool);
  try {
    const h = harness(fresh.db);
    const executions = kind === 'postgres' ? o.pgExecutions : o.pgliteExecutions;
    const run = async (variant: Variant) => {
      progress(`${kind}: ${executions} executions × ${o.k + 1} durable steps, ${variant} variant`);
      return throughput(h, { variant, k: o.k, executions, batch: o.batch });
    };
    // A short warm-up (JIT, prepared statements, the scenario cache), then the measured runs.
    await throughput(h, { variant: 'timer', k: o.k, executions: Math.min(100, executions), batch: o.batch });
    const timer = await run('timer');
    const sql = await run('sql');
    // PGlite is offered what it can sustain: half its measured throughput (at most the target load).
    const rate = kind === 'postgres' ? o.latencyRate : Math.min(o.latencyRate, Math.floor(timer.stepsPerSec / 2));
    progress(`${kind}: latency at ${rate} steps/s offered, ${o.latencySeconds} s`);
    const lat = await latency(h, { k: 4, stepsPerSec: rate, seconds: o.latencySeconds, warmup: 1, batch: o.batch });
    progress(`${kind}: plain single-row insert commit latency at ${rate}/s, ${o.latencySeconds} s`);
    const insLat = await insertLatency(fresh.db, fresh.url, rate, o.latencySeconds);
    progress(`${kind}: plain single-row insert commits, 1 connection, ${o.insertSeconds} s`);
    const insert1 = await insertCommits(fresh.db, fresh.url, 1, o.insertSeconds);
    let insert8: Rate | null = null;
    let graphile: GraphileResult | null = null;
    if (fresh.url) {
      progress(`${kind}: plain single-row insert commits, 8 connections, ${o.insertSeconds} s`);
      insert8 = await insertCommits(fresh.db, fresh.url, 8, o.insertSeconds);
      progress(`${kind}: graphile-worker, ${timer.steps} no-op jobs, concurrency ${pool}`);
      // Its pool: one client per concurrent job plus the one it keeps for LISTEN (the runtime's LISTEN has its own connection too).
      graphile = await graphileJobs(fresh.db, fresh.url, timer.steps, pool, pool + 1);
    }
    return { kind, pool, batch: o.batch, timer, sql, latency: lat, insertLatency: insLat, insert1, insert8, graphile };
  } finally {
    await fresh.drop();
  }
}

const f0 = (n: number | null | undefined) => (n == null || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const f2 = (n: number | null | undefined) => (n == null || !Number.isFinite(n) ? '—' : n.toFixed(2));
const cpuTotal = (c: CpuUse) => c.nodeMs + (c.postgresMs ?? 0);
const cpuText = (c: CpuUse) => (c.postgresMs === null ? `${f0(c.nodeMs)} (node)` : `${f0(cpuTotal(c))} (${f0(c.nodeMs)} + ${f0(c.postgresMs)})`);
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)} ms` : '—');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')).join('\n');
}

function report(results: KindResult[], o: Options, loadBefore: number[]): void {
  const load = `${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} after`;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nDurable runtime benchmark — node ${process.version}, ${os.cpus().length} × ${cpu}, load average ${load}`);
  console.log(
    `runtime: one process, pool ${o.pool} connections (+1 LISTEN) on PostgreSQL, up to ${o.batch} executions advancing at once, ${o.k + 1} durable steps per execution\n`,
  );
  console.log(
    'durable step = one committed interpreter step (effect result → pure nodes → next effect or end, written by the step-commit CTE), counted when its COMMIT returned',
  );
  for (const v of ['timer', 'sql'] as const) console.log(`  ${v.padEnd(5)}  ${VARIANT_TEXT[v]}`);
  console.log('');
  const head = ['', ...results.map((r) => (r.kind === 'postgres' ? 'PostgreSQL' : 'PGlite (memory)'))];
  const row = (label: string, get: (r: KindResult) => string) => [label, ...results.map(get)];
  const section = (label: string) => [label, ...results.map(() => '')];
  const rows: string[][] = [
    head,
    section('DURABLE STEPS (drain() of executions inserted due beforehand)'),
    row('durable steps/s — timer', (r) => f0(r.timer.stepsPerSec)),
    row('durable steps/s — sql', (r) => f0(r.sql.stepsPerSec)),
    row('  sql ÷ timer steps/s (target ≥ 0.6)', (r) => f2(r.sql.stepsPerSec / r.timer.stepsPerSec)),
    row('  steps measured (timer / sql)', (r) => `${f0(r.timer.steps)} / ${f0(r.sql.steps)}`),
    row('  statements per step (timer / sql)', (r) => `${f2(r.timer.statementsPerStep)} / ${f2(r.sql.statementsPerStep)}`),
    row('  CPU µs per step, timer (node + pg)', (r) => cpuText(r.timer.cpu)),
    row('  CPU µs per step, sql (node + pg)', (r) => cpuText(r.sql.cpu)),
    section('STEP LATENCY (timer chain, fixed offered load, runtime.run())'),
    row('  offered / achieved, steps/s', (r) => `${f0(r.latency.offeredStepsPerSec)} / ${f0(r.latency.achievedStepsPerSec)}`),
    row('  all steps p50 / p99', (r) => `${ms(r.latency.all.p50)} / ${ms(r.latency.all.p99)}`),
    row('  next step p50 / p99 / max', (r) => `${ms(r.latency.next.p50)} / ${ms(r.latency.next.p99)} / ${ms(r.latency.next.max)}`),
    row('  first step p50 / p99 / max', (r) => `${ms(r.latency.first.p50)} / ${ms(r.latency.first.p99)} / ${ms(r.latency.first.max)}`),
    row('  steps measured', (r) => `${f0(r.latency.steps)}${r.latency.unfinished ? ` (${r.latency.unfinished} unfinished!)` : ''}`),
    section('BASELINES (same run, same database)'),
    row('insert commit latency at the offered rate p50 / p99', (r) => `${ms(r.insertLatency.p50)} / ${ms(r.insertLatency.p99)}`),
    row('insert commits/s, 1 connection', (r) => f0(r.insert1.perSec)),
    row('  CPU µs per insert (node + pg)', (r) => cpuText(r.insert1.cpu)),
    row('insert commits/s, 8 connections', (r) => (r.insert8 ? f0(r.insert8.perSec) : 'n/a (one connection)')),
    row('  CPU µs per insert (node + pg)', (r) => (r.insert8 ? cpuText(r.insert8.cpu) : '—')),
    row('graphile-worker jobs/s', (r) => (r.graphile ? f0(r.graphile.jobsPerSec) : 'n/a (PostgreSQL only)')),
    row('  CPU µs per job (node + pg)', (r) => (r.graphile ? cpuText(r.graphile.cpu) : '—')),
    row('  version, jobs, concurrency, pool', (r) => (r.graphile ? `${r.graphile.version}, ${f0(r.graphile.jobs)}, ${r.pool}, ${r.pool + 1}` : '—')),
    section('RATIOS'),
    row('timer steps/s ÷ 8-conn inserts/s', (r) => (r.insert8 ? f2(r.timer.stepsPerSec / r.insert8.perSec) : '—')),
    row('timer steps/s ÷ 1-conn inserts/s', (r) => f2(r.timer.stepsPerSec / r.insert1.perSec)),
    row('timer steps/s ÷ graphile jobs/s', (r) => (r.graphile ? f2(r.timer.stepsPerSec / r.graphile.jobsPerSec) : '—')),
    row('sql steps/s ÷ 8-conn inserts/s', (r) => (r.insert8 ? f2(r.sql.stepsPerSec / r.insert8.perSec) : '—')),
    row('CPU per timer step ÷ per 8-conn insert', (r) => (r.insert8 ? f2(cpuTotal(r.timer.cpu) / cpuTotal(r.insert8.cpu)) : '—')),
    row('CPU per timer step ÷ per graphile job', (r) => (r.graphile ? f2(cpuTotal(r.timer.cpu) / cpuTotal(r.graphile.cpu)) : '—')),
  ];
  console.log(table(rows));
  console.log(`
latency method: executions of start → (wait 0 s → set) × 4 → end (5 durable steps each) are started at a
fixed rate with runtime.start() while runtime.run() works in the background; the first second is
warm-up. "first step" = the execution row committed → its first step durable (start() inserts the row
leased to its own process, which runs it at once when it has room; otherwise NOTIFY, wake-up, claim);
"next step" = the previous step durable (its zero-second timer due from then) → this step durable.
Times are taken in the runtime's process.`);

  const pg = results.find((r) => r.kind === 'postgres');
  if (pg?.insert8 && pg.graphile) {
    const yes = (b: boolean) => (b ? 'MET   ' : 'MISSED');
    const lat = pg.latency;
    console.log('\ntargets on PostgreSQL (timer variant = the one-commit-per-step path):');
    console.log(
      `  ${yes(pg.timer.stepsPerSec >= pg.insert8.perSec / 2)}  durable steps/s ≥ ½ × 8-connection insert commits/s: ${f0(pg.timer.stepsPerSec)} vs ${f0(pg.insert8.perSec / 2)}`,
    );
    console.log(
      `  ${yes(pg.timer.stepsPerSec >= pg.graphile.jobsPerSec)}  durable steps/s ≥ graphile-worker jobs/s: ${f0(pg.timer.stepsPerSec)} vs ${f0(pg.graphile.jobsPerSec)}`,
    );
    console.log(
      `  ${yes(lat.all.p99 < 5 && lat.achievedStepsPerSec >= 0.95 * lat.offeredStepsPerSec)}  p99 step latency < 5 ms at 1,000 steps/s: ${ms(lat.all.p99)} at ${f0(lat.achievedStepsPerSec)} steps/s (next step ${ms(lat.next.p99)}, first step ${ms(lat.first.p99)}; a plain insert commit at that rate: p99 ${ms(pg.insertLatency.p99)})`,
    );
    const sqlRatio = pg.sql.stepsPerSec / pg.timer.stepsPerSec;
    console.log(
      `  ${yes(sqlRatio >= 0.6)}  sql steps/s ≥ 0.6 × timer steps/s: ${f0(pg.sql.stepsPerSec)} vs ${f0(pg.timer.stepsPerSec)} (${f2(sqlRatio)}; ${f2(pg.sql.stepsPerSec / pg.insert8.perSec)} × the 8-connection insert limit)`,
    );
    console.log(
      `  ${yes(pg.sql.statementsPerStep <= 4)}  statements per sql step ≤ 4: ${f2(pg.sql.statementsPerStep)} (timer: ${f2(pg.timer.statementsPerStep)})`,
    );
  }
  for (const r of results) {
    console.log(`\nstatements per durable step on ${r.kind} (claims, commits, loads… ÷ step commits):`);
    const kinds = [...new Set([...r.timer.perStep.map(([k]) => k), ...r.sql.perStep.map(([k]) => k)])];
    const per = (t: Throughput, k: string) => t.perStep.find(([x]) => x === k)?.[1];
    console.log(
      table([
        ['', 'timer', 'sql'],
        ...kinds.map((k) => [`  ${k}`, f2(per(r.timer, k) ?? 0), f2(per(r.sql, k) ?? 0)]),
        ['  total', f2(r.timer.statementsPerStep), f2(r.sql.statementsPerStep)],
      ]),
    );
  }
  const busy = loadBefore[0]!;
  if (busy > 1.5)
    console.log(
      `\nnote: the machine was busy (1-minute load average ${busy.toFixed(2)} before the bench started): throughput and latency are pessimistic; compare statements and CPU per unit.`,
    );
  if (o.json) console.log(JSON.stringify({ at: new Date().toISOString(), load: os.loadavg(), options: o, results }));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const kinds: Kind[] = [];
  if (o.only !== 'pglite') {
    if (await postgresReachable()) kinds.push('postgres');
    else if (o.only === 'postgres') throw new Error('PostgreSQL is not reachable (set TELLFLOW_BENCH_PG_URL)');
    else console.warn('!!! PostgreSQL is not reachable: only PGlite is measured');
  }
  if (o.only !== 'postgres') kinds.push('pglite');
  const t0 = performance.now();
  const loadBefore = os.loadavg();
  const results: KindResult[] = [];
  for (const kind of kinds) results.push(await benchKind(kind, o));
  report(results, o, loadBefore);
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s in all)`);
}

await main();

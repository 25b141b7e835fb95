/**
 * One callback-monitor tick on a big subscriber table, on real PostgreSQL and
 * on PGlite (domain.md §1: the monitor runs every 5 s, claims every row due
 * for a callback and starts the operator-calling scenario for each).
 *
 *   npm run bench:callbacks                          # both databases, 1,000,000 rows, 1,000 due
 *   npm run bench:callbacks -- --only postgres       # or --only pglite
 *   npm run bench:callbacks -- --rows 200000 --due 500 --rounds 3
 *   npm run bench:callbacks -- --per-row-rounds 0    # skip the slow previous design
 *   npm run bench:callbacks -- --batch 250           # the bundled monitor's batch size (its `batch` input)
 *   npm run bench:callbacks -- --json                # also one JSON line per database
 *
 * Each database is fresh (PostgreSQL: a new database, created and dropped;
 * TELLFLOW_BENCH_PG_URL or TELLFLOW_TEST_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test; PGlite: in memory), migrated, with
 * the bundled scenarios installed by `installBundled` on a Runtime with a
 * TelephonySimulator and a ManualClock. `table_out_call` gets `--rows` rows
 * in one `insert … select generate_series(…)` (through the due_at trigger);
 * `--due` of them are due now (status 10, "call back in 5 minutes", called 10
 * minutes ago), 1 in 20 is status 10 with a callback date in 2027, 9 in 20
 * are 12, the rest new (null). Then `analyze`.
 *
 * Figures, each the median of `--rounds` rounds (default 5 on PostgreSQL, 3 on
 * PGlite; `--per-row-rounds`, default 2, for the slow per-row variant), min–max
 * after it, each round starting from the same data (claimed rows back to 10,
 * executions emptied, vacuum analyze), after one unmeasured warm-up tick:
 *
 *   monitor alone    runtime.start(monitor) + runtime.drain() until the monitor
 *                    has ended: every due row claimed (10 → 11) and one
 *                    operator-call execution inserted per row. The children are
 *                    held so the drain runs the monitor only: in the bench
 *                    database `executions.lease_until` defaults to 'infinity'
 *                    (no runner claims a row leased until then), and the
 *                    monitor's own lease is cleared after start (not timed).
 *                    A column default costs nothing per row.
 *   CPU              of the monitor tick: this process (with PGlite, the
 *                    database too) and the PostgreSQL client backends of the
 *                    bench database (/proc, so only for a local server); on a
 *                    busy machine wall times move by factors, CPU much less.
 *   + children       then the held children are released and drained until
 *                    each waits for its operator call (its first external
 *                    effect): the operator-call scenario's own work, which
 *                    the tick sets going; "= with children" is the sum.
 *   raw claim loop   the monitor's one-row claim statement alone, looped until
 *                    empty (autocommit, no runtime): the floor for a design
 *                    that claims one row per statement.
 *   raw batch claim  `update … where "Id" in (select … limit :batch …)` looped
 *                    until empty: the floor for claiming in batches.
 *
 * Monitor variants: `per-row` is the previous bundled design (one claim
 * statement and one runScenario step per row, embedded below so the
 * comparison stays reproducible); `bundled` is scenarios/callback-monitor.json
 * as it is now.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import { installBundled, Runtime, ScenarioStore } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { postgresReachable } from '../runtime/fresh-db.ts';

// The bench's server setting wins over the tests' one; read before testing.ts is loaded.
if (process.env.TELLFLOW_BENCH_PG_URL) process.env.TELLFLOW_TEST_PG_URL = process.env.TELLFLOW_BENCH_PG_URL;
const { createTestDatabase, loadSubscribers, ADMIN_URL } = await import('@tellflow/db/testing');

type Kind = 'postgres' | 'pglite';

interface Options {
  only: Kind | undefined;
  rows: number;
  due: number;
  rounds: number | undefined;
  perRowRounds: number;
  batch: number | undefined;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { only: undefined, rows: 1_000_000, due: 1_000, rounds: undefined, perRowRounds: 2, batch: undefined, json: false };
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
    } else if (arg === '--rows') o.rows = num();
    else if (arg === '--due') o.due = num();
    else if (arg === '--rounds') o.rounds = num();
    else if (arg === '--per-row-rounds') o.perRowRounds = Number(argv[++i]);
    else if (arg === '--batch') o.batch = num();
    else if (arg === '--json') o.json = true;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: tsx bench/callbacks/index.ts [--only postgres|pglite] [--rows N] [--due N] [--rounds N] [--per-row-rounds N] [--batch N] [--json]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(o.perRowRounds) || o.perRowRounds < 0) throw new Error('--per-row-rounds needs a whole number (0: skip that variant)');
  if (o.rows % o.due !== 0 || (o.rows / o.due) % 20 !== 0) throw new Error('--rows must be a multiple of 20 × --due');
  return o;
}

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const progress = (m: string) => process.stderr.write(`  … ${m}\n`);

/** The previous bundled monitor (scenarios/callback-monitor.json before the batch claim), under its own id. */
const PER_ROW_MONITOR: Record<string, Json> = {
  format: 'tellflow.scenario/v1',
  id: 'callback-monitor-per-row',
  name: 'Callback monitor (one row per claim)',
  kind: 'service',
  nodes: [
    { id: 'start', type: 'start', position: { x: 0, y: 0 } },
    {
      id: 'claim',
      type: 'sql',
      position: { x: 0, y: 120 },
      params: {
        query:
          'update table_out_call set status = 11 where "Id" = (select "Id" from table_out_call where status = 10 and due_at <= to_timestamp(:now / 1000.0) order by due_at limit 1 for update skip locked) returning "Id", operator_number, task_id',
        params: { now: { var: '$now' } },
        result: 'first',
        into: 'row',
      },
    },
    {
      id: 'call',
      type: 'runScenario',
      position: { x: 0, y: 260 },
      params: {
        scenario: 'operator-call',
        inputs: { subscriberId: { var: 'row.Id' }, operator: { var: 'row.operator_number' }, taskId: { var: 'row.task_id' }, isCallback: true },
        wait: false,
      },
    },
    { id: 'done', type: 'end', position: { x: 320, y: 120 }, params: { result: 'no more callbacks due' } },
    { id: 'failed', type: 'end', position: { x: 320, y: 260 }, params: { status: 'failed', reason: 'the callback query failed' } },
  ],
  edges: [
    ['start', 'next', 'claim'],
    ['claim', 'ok', 'call'],
    ['claim', 'empty', 'done'],
    ['claim', 'error', 'failed'],
    ['call', 'done', 'claim'],
    ['call', 'failed', 'claim'],
  ].map(([source, sourceHandle, target]) => ({ source: source!, sourceHandle: sourceHandle!, target: target! })),
};

const VARIANTS = [
  { name: 'per-row', scenarioId: 'callback-monitor-per-row' },
  { name: 'bundled', scenarioId: 'callback-monitor' },
] as const;

const CLAIM_ONE = `update table_out_call set status = 11 where "Id" = (select "Id" from table_out_call where status = 10 and due_at <= $1 order by due_at limit 1 for update skip locked) returning "Id", operator_number, task_id`;
const CLAIM_BATCH = `update table_out_call set status = 11 where "Id" in (select "Id" from table_out_call where status = 10 and due_at <= $1 order by due_at limit $2 for update skip locked) returning "Id", operator_number, task_id`;

/** Bench only: every new execution is born leased "forever", so a drain runs only what the bench releases. */
const HOLD_NEW_EXECUTIONS = `alter table executions alter column lease_until set default 'infinity'`;
const RELEASE = `update executions set lease_until = null where lease_owner is null and lease_until = 'infinity'`;

interface Stats {
  median: number;
  min: number;
  max: number;
}

const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
};

interface VariantResult {
  variant: string;
  rounds: number;
  monitor: Stats;
  children: Stats;
  total: Stats;
  /** Effects the monitor recorded per tick (one per claim statement, one per child started). */
  monitorSteps: number;
  /** Mean CPU of one monitor tick: the bench process (Node, and PGlite when it is the database) and the PostgreSQL backends. */
  monitorCpu: { node: number; db: number | null };
}

interface KindResult {
  kind: Kind;
  rows: number;
  due: number;
  loadMs: number;
  variants: VariantResult[];
  rawLoop: Stats;
  rawBatch: Stats;
  /** The bundled monitor's own claim statement (when it has a `claim` sql node taking :now and :batch), looped as the scenario does. */
  batch: number;
}

async function reset(db: Database): Promise<void> {
  await db.query('update table_out_call set status = 10 where status = 11');
  await db.query('truncate executions, execution_steps, effects, call_history, sim_calls');
  await db.query('vacuum analyze table_out_call');
  await db.query('vacuum analyze executions');
}

async function count(db: Database, text: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(text, params);
  return Number(rows[0]!.n);
}

/**
 * CPU time so far of this process and of the PostgreSQL backends serving the
 * bench database (from /proc: only for a server on this machine; null
 * otherwise). Wall times move a lot when other processes compete for the
 * cores; CPU per unit of work hardly does.
 */
interface CpuMark {
  node: number;
  backends: Map<number, number> | null;
}

const TICK_MS = 10; // /proc times are in clock ticks of 1/100 s (getconf CLK_TCK)

function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return null;
  }
}

async function cpuMark(db: Database): Promise<CpuMark> {
  const node = (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  if (db.kind !== 'postgres') return { node, backends: null };
  const { rows } = await db.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'`);
  const backends = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = procCpuMs(pid);
    if (ms === null) return { node, backends: null }; // not on this machine
    backends.set(pid, ms);
  }
  return { node, backends };
}

/** CPU used between two marks: this process, and the database backends (null when unknown). */
function cpuBetween(a: CpuMark, b: CpuMark): { node: number; db: number | null } {
  if (!a.backends || !b.backends) return { node: b.node - a.node, db: null };
  let db = 0;
  for (const [pid, ms] of b.backends) db += ms - (a.backends.get(pid) ?? 0);
  return { node: b.node - a.node, db };
}

interface Tick {
  monitor: number;
  children: number;
  steps: number;
  /** CPU of the monitor alone: this process (with PGlite: the database too), and the PostgreSQL backends. */
  cpu: { node: number; db: number | null };
}

async function oneTick(db: Database, scenarioId: string, due: number, input: Record<string, Json>): Promise<Tick> {
  const clock = new ManualClock(T0);
  const sim = new TelephonySimulator({ clock, rules: {} });
  const runtime = new Runtime({ db, telephony: sim, clock, leaseMs: 60_000 });
  try {
    const c0 = await cpuMark(db);
    const t0 = performance.now();
    const id = await runtime.start(scenarioId, { input });
    const started = performance.now() - t0;
    await db.query(`update executions set lease_until = null where id = $1`, [id]);
    const t1 = performance.now();
    await runtime.drain();
    const monitor = started + performance.now() - t1;
    const cpu = cpuBetween(c0, await cpuMark(db)); // includes that one-row update: negligible
    const x = await runtime.execution(id);
    if (x.status !== 'completed') throw new Error(`${scenarioId} ended ${x.status}: ${x.error ?? ''}`);
    const claimed = await count(db, 'select count(*)::int as n from table_out_call where status = 11');
    const children = await count(db, `select count(*)::int as n from executions where scenario_id = 'operator-call'`);
    if (claimed !== due || children !== due) throw new Error(`${scenarioId}: ${claimed} rows claimed and ${children} children started, expected ${due}`);
    const steps = await count(db, 'select count(*)::int as n from effects where execution_id = $1', [id]);

    await db.query(RELEASE);
    const t2 = performance.now();
    await runtime.drain();
    const t3 = performance.now();
    const ringing = await count(db, `select count(*)::int as n from effects where kind = 'call' and status = 'pending' and started_at is not null`);
    if (ringing !== due) throw new Error(`${scenarioId}: ${ringing} children wait for their operator call, expected ${due}`);
    return { monitor, children: t3 - t2, steps, cpu };
  } finally {
    await runtime.close();
    sim.dispose();
  }
}

async function timedLoop(db: Database, text: string, params: unknown[], due: number): Promise<number> {
  let claimed = 0;
  const t0 = performance.now();
  for (;;) {
    const r = await db.query(text, params);
    if (r.rowCount === 0) break;
    claimed += r.rowCount;
  }
  const ms = performance.now() - t0;
  if (claimed !== due) throw new Error(`claimed ${claimed}, expected ${due}`);
  return ms;
}

async function benchKind(kind: Kind, o: Options): Promise<KindResult> {
  const rounds = o.rounds ?? (kind === 'postgres' ? 5 : 3);
  progress(`${kind}: fresh database, bundled scenarios`);
  const t = await createTestDatabase(kind);
  try {
    const db = t.db;
    {
      const clock = new ManualClock(T0);
      const sim = new TelephonySimulator({ clock, rules: {} });
      const runtime = new Runtime({ db, telephony: sim, clock });
      await installBundled(runtime);
      const { version } = await runtime.scenarios.save(PER_ROW_MONITOR);
      await runtime.scenarios.publish(version.scenarioId, version.version);
      await runtime.close();
      sim.dispose();
    }
    await db.query(
      `insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, operators, hours)
       values ('bulk', 'Bulk', 'dialog', 'outbound-routing', 'operator-call', '["101"]', '{"from": "09:00", "to": "21:00", "days": [1, 2, 3, 4, 5]}')`,
    );
    progress(`${kind}: loading ${o.rows.toLocaleString('en-US')} subscriber rows (${o.due.toLocaleString('en-US')} due)`);
    const l0 = performance.now();
    await loadSubscribers(db, { now: T0, every: o.rows / o.due, rows: o.rows });
    await db.query('analyze table_out_call');
    const loadMs = performance.now() - l0;
    await db.query(HOLD_NEW_EXECUTIONS);
    const due = await count(db, 'select count(*)::int as n from table_out_call where status = 10 and due_at <= $1', [new Date(T0)]);
    if (due !== o.due) throw new Error(`${due} rows due, expected ${o.due}`);

    const input: Record<string, Json> = o.batch ? { batch: o.batch } : {};
    // One unmeasured tick first (JIT, the server's caches): the bundled monitor, the fast one.
    progress(`${kind}: warm-up tick`);
    await reset(db);
    await oneTick(db, 'callback-monitor', o.due, input);
    const variants: VariantResult[] = [];
    for (const v of VARIANTS) {
      const n = v.name === 'per-row' ? o.perRowRounds : rounds;
      if (n === 0) continue;
      progress(`${kind}: ${v.name} monitor, ${n} rounds`);
      const monitor: number[] = [];
      const children: number[] = [];
      const cpuNode: number[] = [];
      const cpuDb: (number | null)[] = [];
      let steps = 0;
      for (let r = 0; r < n; r++) {
        await reset(db);
        const x = await oneTick(db, v.scenarioId, o.due, v.name === 'bundled' ? input : {});
        monitor.push(x.monitor);
        cpuNode.push(x.cpu.node);
        cpuDb.push(x.cpu.db);
        children.push(x.children);
        steps = x.steps;
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      variants.push({
        variant: v.name,
        rounds: n,
        monitor: stats(monitor),
        children: stats(children),
        total: stats(monitor.map((m, i) => m + children[i]!)),
        monitorSteps: steps,
        monitorCpu: { node: mean(cpuNode), db: cpuDb.every((c) => c !== null) ? mean(cpuDb as number[]) : null },
      });
    }

    progress(`${kind}: raw claim statements`);
    const bundled = (await new ScenarioStore(db).published('callback-monitor')).document;
    const start = bundled.nodes.find((n) => n.type === 'start');
    const defaultBatch = start?.params?.inputs?.find((i) => i.name === 'batch')?.default;
    const batch = o.batch ?? (typeof defaultBatch === 'number' ? defaultBatch : 500);
    const rawLoop: number[] = [];
    const rawBatch: number[] = [];
    for (let r = 0; r <= rounds; r++) {
      await reset(db);
      const a = await timedLoop(db, CLAIM_ONE, [new Date(T0)], o.due);
      await reset(db);
      const b = await timedLoop(db, CLAIM_BATCH, [new Date(T0), batch], o.due);
      if (r === 0) continue; // warm-up
      rawLoop.push(a);
      rawBatch.push(b);
    }
    return {
      kind,
      rows: o.rows,
      due: o.due,
      loadMs,
      variants,
      rawLoop: stats(rawLoop),
      rawBatch: stats(rawBatch),
      batch,
    };
  } finally {
    await t.drop();
  }
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmt = (s: Stats) => `${ms(s.median).padStart(7)} ms  (${ms(s.min)}–${ms(s.max)})`;
const perRow = (s: Stats, n: number) => `${((s.median / n) * 1000).toFixed(0).padStart(5)} µs/row`;

function report(r: KindResult): void {
  console.log(
    `\n${r.kind}: ${r.rows.toLocaleString('en-US')} subscriber rows, ${r.due.toLocaleString('en-US')} due (loaded and analyzed in ${(r.loadMs / 1000).toFixed(1)} s)`,
  );
  for (const v of r.variants) {
    console.log(
      `  ${v.variant.padEnd(8)} monitor alone     ${fmt(v.monitor)}  ${perRow(v.monitor, r.due)}  (${v.monitorSteps} effects recorded; ${v.rounds} rounds)`,
    );
    const cpu =
      v.monitorCpu.db === null
        ? `${ms(v.monitorCpu.node)} ms (node${r.kind === 'pglite' ? ' + PGlite' : ''})`
        : `${ms(v.monitorCpu.node + v.monitorCpu.db)} ms (node ${ms(v.monitorCpu.node)} + postgres ${ms(v.monitorCpu.db)})`;
    console.log(`  ${''.padEnd(8)}   CPU of the monitor tick, mean: ${cpu}`);
    console.log(`  ${''.padEnd(8)} + children start  ${fmt(v.children)}  ${perRow(v.children, r.due)}`);
    console.log(`  ${''.padEnd(8)} = with children   ${fmt(v.total)}  ${perRow(v.total, r.due)}`);
  }
  console.log(`  raw claim loop (1 row per statement)       ${fmt(r.rawLoop)}  ${perRow(r.rawLoop, r.due)}`);
  console.log(`  raw batch claim (${r.batch} rows per statement)  ${fmt(r.rawBatch)}  ${perRow(r.rawBatch, r.due)}`);
  if (r.kind === 'postgres') {
    const bundled = r.variants.find((v) => v.variant === 'bundled');
    if (bundled && r.due === 1000) {
      console.log(
        `  target: one monitor tick with 1,000 due under 50 ms on PostgreSQL: ${bundled.monitor.median < 50 ? 'met' : 'NOT met'} (bundled monitor alone, median ${ms(bundled.monitor.median)} ms)`,
      );
    }
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const [load1, load5] = os.loadavg();
  console.log(`bench:callbacks — node ${process.version}, ${os.cpus().length} cores, load average ${load1!.toFixed(2)} / ${load5!.toFixed(2)} (1 / 5 min)`);
  const kinds: Kind[] = o.only ? [o.only] : ['postgres', 'pglite'];
  for (const kind of kinds) {
    if (kind === 'postgres' && !(await postgresReachable())) {
      console.log(`\npostgres: SKIPPED — ${ADMIN_URL} is not reachable`);
      continue;
    }
    const r = await benchKind(kind, o);
    report(r);
    if (o.json) console.log(JSON.stringify(r));
  }
}

await main();

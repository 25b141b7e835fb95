/**
 * The durable runtime measured as it runs in production: the real `Runtime`
 * (claim with lease, engine step, one-statement commit), on a database that
 * is watched by `instrument.ts`.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import { Runtime } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { CpuMeter, type CpuUse } from './cpu.ts';
import { resetExecutions } from './fresh-db.ts';
import { instrument, Probe } from './instrument.ts';
import { chainScenario, type Variant } from './scenarios.ts';
import { summarize, type Summary } from './stats.ts';

export interface Harness {
  raw: Database;
  db: Database;
  probe: Probe;
}

export function harness(raw: Database): Harness {
  const probe = new Probe();
  return { raw, probe, db: instrument(raw, probe) };
}

function newRuntime(h: Harness, batch: number): { runtime: Runtime; close: () => Promise<void> } {
  const sim = new TelephonySimulator({ clock: systemClock, rules: {} });
  const runtime = new Runtime({ db: h.db, telephony: sim, batch, leaseMs: 60_000, pollMs: 1000, log: (m, f) => console.error(`  runtime: ${m}`, f ?? '') });
  return {
    runtime,
    async close() {
      await runtime.close();
      sim.dispose();
    },
  };
}

async function publish(runtime: Runtime, variant: Variant, k: number): Promise<{ id: string; version: number }> {
  const s = chainScenario(variant, k);
  const { version } = await runtime.scenarios.save(s.doc);
  await runtime.scenarios.publish(s.id, version.version);
  return { id: s.id, version: version.version };
}

export interface Throughput {
  variant: Variant;
  executions: number;
  steps: number;
  seconds: number;
  stepsPerSec: number;
  /** Statements sent per committed step, by kind. */
  perStep: [string, number][];
  statementsPerStep: number;
  /** CPU per step, µs. */
  cpu: CpuUse;
}

/**
 * `executions` executions are inserted due (not timed), then `drain()` runs
 * them all to completion. Steps = step commits that became durable.
 */
export async function throughput(h: Harness, o: { variant: Variant; k: number; executions: number; batch: number }): Promise<Throughput> {
  await resetExecutions(h.raw);
  const { runtime, close } = newRuntime(h, o.batch);
  try {
    const s = await publish(runtime, o.variant, o.k);
    const now = new Date(systemClock.now());
    await h.raw.query(
      `insert into executions (scenario_id, version, status, input, run_at, created_at, updated_at)
       select $1, $2, 'running', '{}'::jsonb, $3, $3, $3 from generate_series(1, $4)`,
      [s.id, s.version, now, o.executions],
    );
    h.probe.reset();
    const meter = CpuMeter.forDatabase(h.raw);
    await meter.start();
    const t0 = performance.now();
    await runtime.drain();
    const seconds = (performance.now() - t0) / 1000;
    const used = await meter.stop();
    const steps = h.probe.commitCount;
    await verify(h.raw, o.executions, o.k, steps);
    const perStep = [...h.probe.counts.entries()].map(([kind, n]) => [kind, n / steps] as [string, number]).sort((a, b) => b[1] - a[1]);
    const cpu = { nodeMs: (used.nodeMs * 1000) / steps, postgresMs: used.postgresMs === null ? null : (used.postgresMs * 1000) / steps };
    return {
      variant: o.variant,
      executions: o.executions,
      steps,
      seconds,
      stepsPerSec: steps / seconds,
      perStep,
      statementsPerStep: h.probe.total() / steps,
      cpu,
    };
  } finally {
    await close();
  }
}

/** Every execution completed with i = k, and the steps counted match the rows. */
async function verify(db: Database, executions: number, k: number, steps: number): Promise<void> {
  const { rows } = await db.query<{ done: number; right: number; effects: number }>(
    `select count(*) filter (where status = 'completed')::int as done,
            count(*) filter (where result = to_jsonb($1::int))::int as right,
            (select count(*) from effects where status = 'done')::int as effects
     from executions`,
    [k],
  );
  const r = rows[0]!;
  const expected = executions * (k + 1);
  if (r.done !== executions || r.right !== executions || steps !== expected || r.effects + executions !== expected) {
    throw new Error(
      `benchmark run is wrong: ${r.done}/${executions} completed, ${r.right} with the right result, ${steps} step commits counted, ${r.effects} effects done (expected ${expected} steps)`,
    );
  }
}

export interface Latency {
  offeredStepsPerSec: number;
  achievedStepsPerSec: number;
  executions: number;
  steps: number;
  /** Start committed → first step durable (includes NOTIFY wake-up, claim, waiting for the running pass). */
  first: Summary;
  /** Previous step durable (its zero-second timer due) → this step durable. */
  next: Summary;
  all: Summary;
  /** Executions still unfinished when the wait ran out (should be 0). */
  unfinished: number;
}

/**
 * Executions are started at a fixed rate with `runtime.start()` (as the API
 * does) while `runtime.run()` works in the background (LISTEN/NOTIFY wake-ups).
 * The first second is warm-up and not counted.
 */
export async function latency(h: Harness, o: { k: number; stepsPerSec: number; seconds: number; warmup: number; batch: number }): Promise<Latency> {
  await resetExecutions(h.raw);
  const { runtime, close } = newRuntime(h, o.batch);
  const stepsPer = o.k + 1;
  try {
    const s = await publish(runtime, 'timer', o.k);
    await runtime.run();
    h.probe.reset();
    h.probe.recordTimes = true;
    const perSec = o.stepsPerSec / stepsPer;
    const total = Math.round(perSec * (o.warmup + o.seconds));
    const starts: Promise<string>[] = [];
    const t0 = performance.now();
    while (starts.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * perSec));
      while (starts.length < due) starts.push(runtime.start(s.id));
      await sleep(1);
    }
    const ids = await Promise.all(starts);
    const deadline = performance.now() + 10_000; // an overloaded run is reported with its unfinished executions
    while (h.probe.commitCount < ids.length * stepsPer && performance.now() < deadline) await sleep(5);
    const measuredFrom = t0 + o.warmup * 1000;
    const first: number[] = [];
    const next: number[] = [];
    let unfinished = 0;
    let counted = 0;
    let lastCommit = measuredFrom;
    for (const id of ids) {
      const inserted = h.probe.inserted.get(id)!;
      const commits = h.probe.commits.get(id) ?? [];
      if (commits.length < stepsPer) unfinished++;
      if (inserted < measuredFrom) continue;
      counted++;
      let prev = inserted;
      commits.forEach((t, i) => {
        (i === 0 ? first : next).push(t - prev);
        prev = t;
        if (t > lastCommit) lastCommit = t;
      });
    }
    const steps = first.length + next.length;
    return {
      offeredStepsPerSec: o.stepsPerSec,
      achievedStepsPerSec: steps / ((lastCommit - measuredFrom) / 1000),
      executions: counted,
      steps,
      first: summarize(first),
      next: summarize(next),
      all: summarize([...first, ...next]),
      unfinished,
    };
  } finally {
    h.probe.recordTimes = false;
    await close();
  }
}

/**
 * Experiment behind a proposal (not the runtime's code): the runner's step
 * commit, one statement per execution per step (today), against the steps
 * of all executions that are ready committed together in one statement —
 * group commit in the application, as graphile-worker batches completions.
 *
 *   npx tsx bench/runtime/batched-commit.ts single  16 8 300
 *   npx tsx bench/runtime/batched-commit.ts batched 16 8 300 [statements in flight, default 2]
 *
 * Arguments: mode, executions stepping concurrently, pool size, steps per
 * execution. Each step is what a zero-second wait step writes: the state,
 * two trace rows, the next effect, the consumed effect. `batched` leaves out
 * the lease-release columns (unused by these steps); it checks the lease
 * per row like the real statement.
 */
import { readFileSync } from 'node:fs';
import { freshDatabase } from './fresh-db.ts';
import { CpuMeter } from './cpu.ts';
const COMMIT = readFileSync('/work/main/packages/runtime/src/sql/commit-step.ts', 'utf8').match(/const COMMIT = `([\s\S]*?)`;/)![1]!;
const BATCH = `
with input as (
  select * from jsonb_to_recordset($1::jsonb) as x(id uuid, owner text, state jsonb, status text, now timestamptz, consumed_step int, consumed_result jsonb)
), upd as (
  update executions e set state = i.state, status = i.status, updated_at = i.now
  from input i where e.id = i.id and e.lease_owner = i.owner
  returning e.id
), trace as (
  insert into execution_steps (execution_id, step, node_id, node_type, outcome, started_at, ended_at, changed, error)
  select t.execution_id, t.step, t.node_id, t.node_type, t.outcome, t.started_at, t.ended_at, t.changed, t.error
  from jsonb_to_recordset($2::jsonb) as t(execution_id uuid, step int, node_id text, node_type text, outcome text,
    started_at timestamptz, ended_at timestamptz, changed jsonb, error text) join upd on upd.id = t.execution_id
), new_effect as (
  insert into effects (execution_id, step, node_id, kind, request, wake_at, assignee, created_at)
  select e.execution_id, e.step, e.node_id, e.kind, e.request, e.wake_at, e.assignee, e.created_at
  from jsonb_to_recordset($3::jsonb) as e(execution_id uuid, step int, node_id text, kind text, request jsonb, wake_at timestamptz, assignee text, created_at timestamptz)
  join upd on upd.id = e.execution_id
), consumed as (
  update effects f set status = 'done', result = coalesce(f.result, i.consumed_result), done_at = coalesce(f.done_at, i.now)
  from input i join upd on upd.id = i.id where f.execution_id = i.id and f.step = i.consumed_step and f.status in ('pending', 'done')
)
select id from upd`;
const mode = process.argv[2] ?? 'single';
if (mode !== 'single' && mode !== 'batched') throw new Error('mode: single or batched');
const conc = Number(process.argv[3] ?? 16), pool = Number(process.argv[4] ?? 8), steps = Number(process.argv[5] ?? 400);
const f = await freshDatabase('postgres', pool);
const db = f.db;
try {
  await db.query(`insert into scenarios (id, name, kind, latest_version) values ('x', 'x', 'service', 1)`);
  const { rows } = await db.query<{ id: string }>(`insert into executions (scenario_id, version, status, input, lease_owner, lease_until, state)
    select 'x', 1, 'waiting', '{}', 'me', now() + interval '1 hour', '{}' from generate_series(1, $1) returning id`, [conc]);
  const ids = rows.map((r) => r.id);
  const state = (s: number) => ({ status: 'waiting', vars: { i: s }, steps: s * 2, startedAt: Date.now(), waiting: { nodeId: `e${s}`, step: s * 2, kind: 'timer', since: Date.now() } });
  const trace = (s: number, iso: string) => [
    { step: s * 2 - 2, node_id: `e${s}`, node_type: 'wait', outcome: 'next', started_at: iso, ended_at: iso, changed: null, error: null },
    { step: s * 2 - 1, node_id: `p${s}`, node_type: 'setVariables', outcome: 'next', started_at: iso, ended_at: iso, changed: { i: s }, error: null },
  ];
  const effect = (s: number, iso: string) => ({ step: s * 2, node_id: `e${s}`, kind: 'timer', request: { kind: 'timer', wakeAt: Date.now() }, wake_at: iso, assignee: null });
  const single = async (id: string, s: number) => {
    const now = new Date(); const iso = now.toISOString();
    const r = await db.query<{ n: number }>(COMMIT, [id, 'me', JSON.stringify(state(s)), 'waiting', now, null, null, null,
      JSON.stringify(trace(s, iso)), JSON.stringify([effect(s, iso)]), s > 1 ? (s - 1) * 2 : null, s > 1 ? '{}' : null, false, 0, null]);
    if (r.rows[0]!.n !== 1) throw new Error('lost');
  };
  // Group commit in the application: commits queue while one statement is in flight, and go together in the next.
  let queue: { id: string; s: number; done: () => void }[] = [];
  let flushing = 0;
  const maxInFlight = Number(process.argv[6] ?? 2);
  const flush = async () => {
    if (flushing >= maxInFlight || !queue.length) return;
    const batch = queue; queue = []; flushing++;
    const now = new Date(); const iso = now.toISOString();
    const r = await db.query<{ id: string }>(BATCH, [
      JSON.stringify(batch.map((b) => ({ id: b.id, owner: 'me', state: state(b.s), status: 'waiting', now: iso, consumed_step: b.s > 1 ? (b.s - 1) * 2 : null, consumed_result: b.s > 1 ? {} : null }))),
      JSON.stringify(batch.flatMap((b) => trace(b.s, iso).map((t) => ({ ...t, execution_id: b.id })))),
      JSON.stringify(batch.map((b) => ({ ...effect(b.s, iso), execution_id: b.id, created_at: iso }))),
    ]);
    flushing--;
    if (r.rows.length !== batch.length) throw new Error('lost');
    for (const b of batch) b.done();
    void flush();
  };
  const batched = (id: string, s: number) => new Promise<void>((done) => { queue.push({ id, s, done }); void flush(); });
  const commit = mode === 'single' ? single : batched;
  const meter = CpuMeter.forDatabase(db);
  await meter.start();
  const t0 = performance.now();
  await Promise.all(ids.map(async (id) => { for (let s = 1; s <= steps; s++) await commit(id, s); }));
  const sec = (performance.now() - t0) / 1000;
  const used = await meter.stop();
  const n = conc * steps;
  console.log(`${mode.padEnd(7)} ${conc} executions, pool ${pool}: ${Math.round(n / sec)} steps/s, CPU µs/step node ${Math.round((used.nodeMs * 1000) / n)} + pg ${Math.round(((used.postgresMs ?? 0) * 1000) / n)}`);
} finally { await f.drop(); }

import type { Queryable } from '@tellflow/db';
import type { EffectRequest, ExecutionState, Json, TraceEntry } from '@tellflow/engine';
import { wakeSet } from './wake.ts';

/**
 * Step commits: each writes, in one statement, an execution's new state, its
 * trace rows, the effect it asks for, and the effect whose result it
 * consumed. `lease_owner = owner` fences out a worker whose lease was taken
 * over (nothing is written for it). With `release`, the lease is dropped and
 * `run_at` set to when the execution next needs a worker — unless an outside
 * wake-up arrived meanwhile (`wakeups` moved), which wins.
 *
 * Three statements, one contract: rows `(id, kind, external_id)`; `kind`
 * null = the step of `id` was committed, '' = another execution was woken,
 * else an effect to cancel (see END):
 *
 *   ONE   one step; every row reached by its key, so the prepared
 *         statement's cached plan is an index plan even when it was made
 *         while the tables were empty
 *   END   ONE for a step that ends its execution, plus: whether it was
 *         idle (IDLE), the waiting parent
 *         gets its result and wakes, pending effects are cancelled (forms
 *         leave the screens), running children are asked to stop, and the
 *         started effects of the kinds it lists (`cancel`: calls) come back
 *         to be cancelled by their handlers (calls are hung up)
 *   MANY  the steps of many executions (none ending). Planned on every run
 *         (`replan`): its join of the input rows with the tables is an index
 *         nested loop once they are big, but a plan cached while they were
 *         small would keep sequential scans for the life of the connection
 */
/**
 * Whether the execution that this step ends did nothing, i.e. is idle: it was
 * started by a service task's schedule, it completed, and every effect it
 * asked for changed nothing — a sql or setStatus node whose statement
 * affected (or returned) no row, or a runScenario forEach that started no
 * child. Any other effect (a call, dial, form, timer, queue, one child) or a
 * failed one makes it not idle. The effect this step consumes may have its
 * result only in $12 (performed in this step's transaction).
 */
const IDLE = `case when $4 <> 'completed' or scheduled_by is null then false else not exists (
    select from effects f cross join lateral (select coalesce(f.result, case when f.step = $11 then $12::jsonb end) as r) x
    where f.execution_id = $1 and not coalesce(
      (f.kind in ('sql', 'setStatus') and x.r->>'ok' = 'true' and x.r->>'rowCount' = '0')
      or (f.kind = 'startChild' and x.r->>'outcome' = 'done' and x.r->>'count' = '0'), false)
  ) end`;

const oneCtes = (ending: boolean) => `
with upd as (
  update executions set
    state = $3::jsonb, status = $4, updated_at = $5, ended_at = $6, result = $7::jsonb, error = $8,${ending ? ` idle = ${IDLE},` : ''}
    run_at = case when not $13::boolean then run_at when wakeups = $14 then $15::timestamptz else $5 end,
    lease_owner = case when $13::boolean then null else lease_owner end,
    lease_until = case when $13::boolean then null else lease_until end
  where id = $1 and lease_owner = $2
  returning id
), trace as (
  insert into execution_steps (execution_id, step, node_id, node_type, outcome, started_at, ended_at, changed, error)
  select upd.id, t.step, t.node_id, t.node_type, t.outcome, t.started_at, t.ended_at, t.changed, t.error
  from upd, jsonb_to_recordset($9::jsonb) as t(step int, node_id text, node_type text, outcome text,
    started_at timestamptz, ended_at timestamptz, changed jsonb, error text)
), new_effect as (
  insert into effects (execution_id, step, node_id, kind, request, wake_at, created_at)
  select upd.id, e.step, e.node_id, e.kind, e.request, e.wake_at, $5
  from upd, jsonb_to_recordset($10::jsonb) as e(step int, node_id text, kind text, request jsonb, wake_at timestamptz)
), consumed as (
  update effects set status = 'done', result = coalesce(effects.result, $12::jsonb), done_at = coalesce(effects.done_at, $5)
  where effects.execution_id = $1 and effects.step = $11 and effects.status in ('pending', 'done') and exists (select from upd)
)`;

const ONE = `${oneCtes(false)}
select id, null::text as kind, null::text as external_id from upd`;

const END = `${oneCtes(true)}, cancelled as (
  update effects set status = 'cancelled', done_at = $5
  where execution_id = $1 and status = 'pending' and step is distinct from $11 and exists (select from upd)
), parent_effect as (
  update effects set status = 'done', result = $18::jsonb, done_at = $5
  where execution_id = $16 and step = $17 and status = 'pending' and exists (select from upd)
  returning execution_id
), parent_woken as (
  update executions set ${wakeSet('$5')}
  where id = $16 and exists (select from parent_effect)
  returning id
), children as (
  update executions set cancel_requested = coalesce(cancel_requested, 'the parent execution ' || $4), ${wakeSet('$5')}
  where parent_id = $1 and status in ('running', 'waiting') and exists (select from upd)
  returning id
)
select id, null::text as kind, null::text as external_id from upd
union all
select $1, kind, external_id from effects
where execution_id = $1 and kind = any($19::text[]) and external_id is not null and exists (select from upd)
union all
select $1, '', null where exists (select from parent_woken) or exists (select from children)`;

const MANY = `
with input as (
  select * from jsonb_to_recordset($1::jsonb) as i(id uuid, owner text, state jsonb, status text, now timestamptz,
    result jsonb, error text, consumed_step int, consumed_result jsonb, release boolean, seen_wakeups int, run_at timestamptz)
), upd as (
  update executions e set
    state = i.state, status = i.status, updated_at = i.now, result = i.result, error = i.error,
    run_at = case when not i.release then e.run_at when e.wakeups = i.seen_wakeups then i.run_at else i.now end,
    lease_owner = case when i.release then null else e.lease_owner end,
    lease_until = case when i.release then null else e.lease_until end
  from input i
  where e.id = any($4::uuid[]) and e.id = i.id and e.lease_owner = i.owner
  returning e.id
), trace as (
  insert into execution_steps (execution_id, step, node_id, node_type, outcome, started_at, ended_at, changed, error)
  select t.execution_id, t.step, t.node_id, t.node_type, t.outcome, t.started_at, t.ended_at, t.changed, t.error
  from jsonb_to_recordset($2::jsonb) as t(execution_id uuid, step int, node_id text, node_type text, outcome text,
    started_at timestamptz, ended_at timestamptz, changed jsonb, error text)
  join upd on upd.id = t.execution_id
), new_effect as (
  insert into effects (execution_id, step, node_id, kind, request, wake_at, created_at)
  select e.execution_id, e.step, e.node_id, e.kind, e.request, e.wake_at, e.created_at
  from jsonb_to_recordset($3::jsonb) as e(execution_id uuid, step int, node_id text, kind text, request jsonb,
    wake_at timestamptz, created_at timestamptz)
  join upd on upd.id = e.execution_id
), consumed as (
  update effects f set status = 'done', result = coalesce(f.result, i.consumed_result), done_at = coalesce(f.done_at, i.now)
  from input i join upd on upd.id = i.id
  where f.execution_id = any($4::uuid[]) and f.execution_id = i.id and f.step = i.consumed_step and f.status in ('pending', 'done')
)
select id, null::text as kind, null::text as external_id from upd`;

export interface StepCommit {
  id: string;
  owner: string;
  state: ExecutionState;
  now: number;
  trace: TraceEntry[];
  /** The effect this step asks for (a step asks for at most one). */
  effects: EffectRequest[];
  /** When that effect is due by itself (a timer's wake time), from its handler. */
  wakeAt?: number | null;
  consumed?: { step: number; result: Json };
  release?: { seenWakeups: number; runAt: number | null };
  /** For a step that ends its execution: the parent waiting for it, and what it gets. */
  parent?: { id: string; step: number; result: Json };
  /** For a step that ends its execution: kinds of effect whose started ones (with an external id) come back to be cancelled. */
  cancel?: readonly string[];
}

export interface CommitOutcome {
  /** False when the lease was lost: nothing was written for this execution. */
  committed: boolean;
  /** Started effects of the finished execution, for their handlers to cancel (calls to hang up). */
  cancels: { kind: string; externalId: string }[];
  /** Another execution was woken (a parent, or children asked to stop): other processes should hear of it. */
  woke: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether committing this step ends its execution (and so touches other executions' rows). */
export const endsExecution = (c: StepCommit) => c.state.status !== 'waiting';

/**
 * Commits steps in one statement: one step of any kind, or the steps of many
 * executions of which none ends (the caller sends an ending step alone).
 */
export async function commitSteps(q: Queryable, commits: readonly StepCommit[]): Promise<CommitOutcome[]> {
  const { rows } = commits.length === 1 ? await commitOne(q, commits[0]!) : await commitMany(q, commits);
  const out = new Map(commits.map((c): [string, CommitOutcome] => [c.id, { committed: false, cancels: [], woke: false }]));
  for (const r of rows) {
    const o = out.get(r.id)!;
    if (r.kind === null) o.committed = true;
    else if (r.kind === '') o.woke = true;
    else if (r.external_id !== null && !o.cancels.some((x) => x.externalId === r.external_id)) o.cancels.push({ kind: r.kind, externalId: r.external_id });
  }
  return commits.map((c) => out.get(c.id)!);
}

type Row = { id: string; kind: string | null; external_id: string | null };

function commitOne(q: Queryable, c: StepCommit) {
  const s = c.state;
  const ends = endsExecution(c);
  return q.query<Row>(ends ? END : ONE, [
    c.id,
    c.owner,
    JSON.stringify(s),
    s.status,
    new Date(c.now),
    s.endedAt !== undefined ? new Date(s.endedAt) : null,
    s.result !== undefined ? JSON.stringify(s.result) : null,
    s.error ? s.error.message : null,
    JSON.stringify(traceRows(c)),
    JSON.stringify(effectRows(c)),
    c.consumed?.step ?? null,
    c.consumed ? JSON.stringify(c.consumed.result) : null,
    c.release !== undefined,
    c.release?.seenWakeups ?? 0,
    c.release?.runAt != null ? new Date(c.release.runAt) : null,
    ...(ends ? [c.parent?.id ?? null, c.parent?.step ?? null, c.parent ? JSON.stringify(c.parent.result) : null, c.cancel ?? []] : []),
  ]);
}

function commitMany(q: Queryable, commits: readonly StepCommit[]) {
  if (commits.some(endsExecution)) throw new Error('a step that ends its execution is committed alone');
  const input = commits.map((c) => ({
    id: c.id,
    owner: c.owner,
    state: c.state,
    status: c.state.status,
    now: iso(c.now),
    result: c.state.result ?? null,
    error: c.state.error?.message ?? null,
    consumed_step: c.consumed?.step ?? null,
    consumed_result: c.consumed ? c.consumed.result : null,
    release: c.release !== undefined,
    seen_wakeups: c.release?.seenWakeups ?? 0,
    run_at: c.release?.runAt != null ? iso(c.release.runAt) : null,
  }));
  const trace = commits.flatMap((c) => traceRows(c).map((t) => ({ ...t, execution_id: c.id })));
  const effects = commits.flatMap((c) => effectRows(c).map((e) => ({ ...e, execution_id: c.id, created_at: iso(c.now) })));
  return q.query<Row>(MANY, [JSON.stringify(input), JSON.stringify(trace), JSON.stringify(effects), commits.map((c) => c.id)], { replan: true });
}

const traceRows = (c: StepCommit) =>
  c.trace.map((t) => ({
    step: t.step,
    node_id: t.nodeId,
    node_type: t.nodeType,
    outcome: t.outcome,
    started_at: iso(t.startedAt),
    ended_at: iso(t.endedAt),
    changed: t.changed ?? null,
    error: t.error ?? null,
  }));

const effectRows = (c: StepCommit) =>
  c.effects.map((e) => ({
    step: e.step,
    node_id: e.nodeId,
    kind: e.effect.kind,
    request: e.effect,
    wake_at: c.wakeAt != null ? iso(c.wakeAt) : null,
  }));

/** Drops the lease without a step, e.g. while an external effect is in flight. */
export async function release(q: Queryable, id: string, owner: string, seenWakeups: number, runAt: number | null, now: number): Promise<void> {
  await q.query(
    `update executions set lease_owner = null, lease_until = null,
       run_at = case when wakeups = $3 then $4::timestamptz else $5::timestamptz end
     where id = $1 and lease_owner = $2`,
    [id, owner, seenWakeups, runAt !== null ? new Date(runAt) : null, new Date(now)],
  );
}

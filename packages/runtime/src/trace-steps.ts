/**
 * An execution's trace as a step-by-step timeline, for the editor's replay
 * and test runs: each node visit with the variables it set and all the
 * variables after it, and the effect it asked for (request, result and a
 * one-line summary). The steps of the child executions it started come
 * right after the step that started them, one level deeper.
 */
import { initialVariables, type Effect, type Json } from '@tellflow/engine';
import type { Runtime } from './runtime.ts';
import type { EffectRow } from './sql/effects.ts';
import type { RetryFrom } from './sql/read-executions.ts';

export interface EffectSummary {
  kind: Effect['kind'];
  /** What it asked and what it got, in a line: `dial +15550100 → busy`, `sql: 3 rows`. */
  summary: string;
  request: Effect;
  status: EffectRow['status'];
  result: Json | null;
  /** The outside world's id for it, e.g. the call's or the child execution's. */
  externalId: string | null;
}

export interface TraceStep {
  /** Position in this timeline, from 0. */
  index: number;
  executionId: string;
  scenarioId: string;
  version: number;
  /** 0 for the execution asked about, 1 for a child it ran, … */
  depth: number;
  /** The step number within its own execution. */
  step: number;
  nodeId: string;
  type: string;
  /** The outcome followed; null when the node ended the execution. */
  outcome: string | null;
  /** When the node was entered, in ms after the top execution was created. */
  at: number;
  durationMs: number;
  /** The variables the step set, with their new values. */
  changed: Record<string, Json> | null;
  /** All the execution's variables after the step. */
  vars: Record<string, Json>;
  error: string | null;
  effect: EffectSummary | null;
}

/** The timeline of execution `id` and the children it started; `t0` (epoch ms) is where `at` counts from, default its creation. */
export async function traceSteps(runtime: Runtime, id: string, t0?: number): Promise<TraceStep[]> {
  const out: TraceStep[] = [];
  const top = await runtime.execution(id);
  await walk(runtime, id, t0 ?? top.createdAt.getTime(), 0, out);
  return out;
}

async function walk(runtime: Runtime, id: string, t0: number, depth: number, out: TraceStep[]): Promise<void> {
  const x = await runtime.execution(id);
  const effects = new Map(x.effects.map((e) => [e.step, e]));
  const children = await childrenByStep(runtime, id);
  const vars = { ...(await startingVariables(runtime, x.id, x.scenarioId, x.version, x.input)) };
  for (const row of x.trace) {
    if (row.changed) Object.assign(vars, row.changed);
    const effect = effects.get(row.step);
    out.push({
      index: out.length,
      executionId: x.id,
      scenarioId: x.scenarioId,
      version: x.version,
      depth,
      step: row.step,
      nodeId: row.nodeId,
      type: row.nodeType,
      outcome: row.outcome,
      at: row.startedAt.getTime() - t0,
      durationMs: row.endedAt.getTime() - row.startedAt.getTime(),
      changed: row.changed,
      vars: { ...vars },
      error: row.error,
      effect: effect ? summarize(effect) : null,
    });
    for (const child of children.get(row.step) ?? []) await walk(runtime, child, t0, depth + 1, out);
    children.delete(row.step);
  }
  // Children of a step with no trace row yet (it still waits for them, or the execution ended meanwhile).
  for (const ids of children.values()) for (const child of ids) await walk(runtime, child, t0, depth + 1, out);
}

/** The child executions of `id`, by the step that started them, oldest first. */
async function childrenByStep(runtime: Runtime, id: string): Promise<Map<number, string[]>> {
  const { rows } = await runtime.db.query<{ id: string; parent_step: number | null }>(
    'select id, parent_step from executions where parent_id = $1 order by created_at, id',
    [id],
  );
  const by = new Map<number, string[]>();
  for (const r of rows) {
    const step = r.parent_step ?? -1;
    by.set(step, [...(by.get(step) ?? []), r.id]);
  }
  return by;
}

/** What the execution began with: a retry's variables, else its version's defaults and its input. */
async function startingVariables(runtime: Runtime, id: string, scenarioId: string, version: number, input: Record<string, Json>) {
  const { rows } = await runtime.db.query<{ retry_from: RetryFrom | null }>('select retry_from from executions where id = $1', [id]);
  const retry = rows[0]?.retry_from;
  if (retry) return retry.vars;
  const { document } = await runtime.scenarios.version(scenarioId, version);
  return initialVariables(document, input).vars;
}

export function summarize(e: EffectRow): EffectSummary {
  return { kind: e.kind, summary: describe(e.request, e.result, e.status), request: e.request, status: e.status, result: e.result, externalId: e.externalId };
}

const short = (text: string, max = 80) => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};
const json = (v: unknown) => short(JSON.stringify(v) ?? 'null');
const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

/** `asked → got`; `→ …` while it is pending, `→ cancelled` when it was. */
function describe(request: Effect, result: Json | null, status: EffectRow['status']): string {
  const asked = describeRequest(request);
  if (status !== 'done' || result === null) return `${asked} → ${status === 'cancelled' ? 'cancelled' : '…'}`;
  const r = result as Record<string, Json>;
  if (r.ok === false) return `${asked} → error: ${short(String(r.error))}`;
  switch (request.kind) {
    case 'sql':
      return `${asked} → ${rows(Number(r.rowCount ?? 0))}`;
    case 'setStatus':
      return `${asked} → ${rows(Number(r.rowCount ?? 0))} changed`;
    case 'call':
    case 'dial':
    case 'enqueue':
      return `${asked} → ${String(r.outcome)}${r.reason ? ` (${short(String(r.reason), 60)})` : ''}`;
    case 'form':
      return `${asked} → ${r.timeout ? 'timed out' : `submitted ${json(r.submitted)}`}`;
    case 'timer':
      return `${asked} → woke`;
    case 'startChild':
      return `${asked} → ${r.count !== undefined ? `${r.count} started` : String(r.outcome)}${r.result !== undefined ? ` ${json(r.result)}` : ''}${r.error ? `: ${short(String(r.error), 60)}` : ''}`;
    default:
      return `${asked} → ${json(result)}`;
  }
}

function describeRequest(e: Effect): string {
  switch (e.kind) {
    case 'sql':
      return `sql ${short(e.query)}${Object.keys(e.params).length ? ` with ${json(e.params)}` : ''}`;
    case 'setStatus':
      return `set status ${e.status} in ${e.table} where ${e.idColumn} = ${json(e.id)}`;
    case 'call':
      return `call operator ${e.operator}`;
    case 'dial':
      return `dial ${e.number}`;
    case 'form':
      return `form "${short(e.title, 60)}"`;
    case 'timer':
      return `wait until ${new Date(e.wakeAt).toISOString()}`;
    case 'enqueue':
      return `queue ${e.queue}`;
    case 'startChild':
      return e.each ? `run ${e.scenario} × ${e.each.length}` : e.eachRow ? `run ${e.scenario} per row of ${short(e.eachRow.query, 60)}` : `run ${e.scenario}`;
    default:
      return (e as { kind: string }).kind;
  }
}

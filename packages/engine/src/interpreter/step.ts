/**
 * The pure interpreter: `step(scenario, state, event) → { state, effects, trace }`.
 *
 * Pure nodes run back to back in memory; the first node that needs the
 * outside world stops the run and comes back as an effect, and the effect's
 * result arrives later as a `result` event for that step. Nothing here does
 * I/O or reads a clock: time is the event's `at`. Errors become state (a
 * failed execution with a reason), they never escape.
 */
import type { Effect, EffectRequest } from '../effects.ts';
import type { Scenario } from '../format/scenario.ts';
import { cannotStore, unstorable, type Json } from '../json.ts';
import { evaluate } from '../logic.ts';
import type { EndOutcome, NodeContext, NodeOutcome } from '../nodes/types.ts';
import { compile, compiledExpression, type CompiledNode, type CompiledScenario } from './compile.ts';
import { detached, storable, storableText } from './storable.ts';
import type { ExecutionEvent, ExecutionState, StepResult, TraceEntry } from './state.ts';

export interface StepOptions {
  /** Fail an execution that visits more nodes than this without waiting for the outside world. */
  maxPureSteps?: number;
}

export const DEFAULT_MAX_PURE_STEPS = 10_000;

export function step(scenario: Scenario, state: ExecutionState | undefined, event: ExecutionEvent, options: StepOptions = {}): StepResult {
  const compiled = compile(scenario);
  if (event.type === 'start') {
    if (state) return ignore(state, 'the execution has already started');
    const run = new Run(compiled, initialState(event.at), event.at, options);
    return event.from ? run.startAt(event.from.nodeId, event.from.vars) : run.start(event.input ?? {});
  }
  if (!state) return ignore(initialState(event.at), 'the execution has not started');
  if (state.status !== 'waiting') return ignore(state, `the execution is already ${state.status}`);
  const run = new Run(compiled, state, event.at, options);
  return event.type === 'cancel' ? run.cancel(event.reason) : run.resume(event.step, event.result);
}

/** The variables an execution starts with: declared defaults, then the start node's inputs (given or default). */
export function initialVariables(scenario: Scenario, input: Record<string, Json>): { vars: Record<string, Json>; missing: string[] } {
  const vars: Record<string, Json> = Object.create(null) as Record<string, Json>;
  for (const v of scenario.variables ?? []) if (v.default !== undefined) vars[v.name] = v.default;
  const start = scenario.nodes.find((n) => n.type === 'start');
  const missing: string[] = [];
  for (const spec of (start?.type === 'start' ? start.params?.inputs : undefined) ?? []) {
    if (Object.hasOwn(input, spec.name)) vars[spec.name] = input[spec.name]!;
    else if (spec.default !== undefined) vars[spec.name] = spec.default;
    else if (spec.required) missing.push(spec.name);
  }
  return { vars, missing };
}

/**
 * The variables as they were when step `stepNo` began: the ones the execution
 * started with (`initialVariables`, or a retry's) plus what every earlier
 * visit in the trace set. What a retry from that step starts with.
 */
export function variablesBefore(
  initial: Record<string, Json>,
  trace: readonly { step: number; changed?: Record<string, Json> | null }[],
  stepNo: number,
): Record<string, Json> {
  const vars = { ...initial };
  for (const t of trace) if (t.step < stepNo && t.changed) Object.assign(vars, t.changed);
  return vars;
}

function initialState(at: number): ExecutionState {
  return { status: 'waiting', vars: {}, steps: 0, startedAt: at };
}

function ignore(state: ExecutionState, reason: string): StepResult {
  return { state, effects: [], trace: [], ignored: reason };
}

/** One step's working copy: mutable inside, handed out as a new state at the end. */
class Run implements NodeContext {
  readonly vars: Record<string, Json>;
  private readonly state: ExecutionState;
  private readonly trace: TraceEntry[] = [];
  private readonly effects: EffectRequest[] = [];
  private changed: Record<string, Json> | undefined;
  /** The running node, whose expressions `evaluate` looks for (see compile.ts), and where the next lookup starts. */
  private current: CompiledNode | undefined;
  private exprs: Json[] = NO_EXPRS;
  private exprCursor = 0;

  constructor(
    private readonly compiled: CompiledScenario,
    private readonly from: ExecutionState,
    readonly now: number,
    private readonly options: StepOptions,
  ) {
    // A copy without `waiting` (built without `delete`, which would leave a slow dictionary-mode object).
    const { waiting: _waiting, ...rest } = from;
    this.state = rest;
    // `$now` lives in the working copy only, so expressions see it without it being stored.
    // No prototype: {"var": "constructor"} must not reach Object.prototype, and "__proto__" is an ordinary name.
    this.vars = Object.assign(Object.create(null) as Record<string, Json>, from.vars);
    this.vars.$now = now;
  }

  evaluate(logic: Json | undefined): Json {
    if (logic === undefined) return null;
    if (logic !== null && typeof logic === 'object') {
      // Nodes evaluate their expressions in the order they list them, so the cursor usually hits at once.
      const exprs = this.exprs;
      const n = exprs.length;
      for (let k = 0, i = this.exprCursor; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
        if (exprs[i] === logic) {
          this.exprCursor = i + 1 === n ? 0 : i + 1;
          return compiledExpression(this.current!, i)(this.vars);
        }
      }
    }
    return evaluate(logic, this.vars);
  }

  /** Makes `current`'s compiled expressions the ones `evaluate` looks in. */
  private enter(current: CompiledNode): void {
    this.current = current;
    this.exprs = current.exprs;
    this.exprCursor = 0;
  }

  set(name: string, value: Json): void {
    // An error message always fits: one quoting the last (an error loop) would otherwise grow without end.
    const stored = name === 'lastError' && typeof value === 'string' ? storableText(value) : storable(name, value, this.vars);
    this.vars[name] = stored;
    (this.changed ??= Object.create(null) as Record<string, Json>)[name] = stored;
  }

  start(input: Record<string, Json>): StepResult {
    const { vars, missing } = initialVariables(this.compiled.scenario, input);
    Object.assign(this.vars, vars);
    if (missing.length) return this.fail(this.compiled.startId, `missing required input ${missing.map((m) => `"${m}"`).join(', ')}`);
    return this.runFrom(this.compiled.startId);
  }

  /** A retry's first step: the node runs again with the variables it had then. */
  startAt(nodeId: string, vars: Record<string, Json>): StepResult {
    Object.assign(this.vars, vars);
    this.vars.$now = this.now;
    return this.runFrom(nodeId);
  }

  resume(step: number, raw: unknown): StepResult {
    const waiting = this.from.waiting;
    if (!waiting || waiting.step !== step) {
      return ignore(this.from, `no effect of step ${step} is awaited${waiting ? ` (waiting for step ${waiting.step})` : ''}`);
    }
    const current = this.compiled.nodes.get(waiting.nodeId);
    if (current?.def.kind !== 'effect') return this.fail(waiting.nodeId, `node "${waiting.nodeId}" no longer exists in this scenario version`);
    const parsed = current.def.result.safeParse(raw);
    if (!parsed.success) {
      return this.fail(current.node.id, `invalid ${current.def.effectKind} result: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    let outcome: string;
    try {
      this.enter(current);
      outcome = current.def.resume(current.params, parsed.data as never, this).outcome;
    } catch (e) {
      return this.fail(current.node.id, message(e));
    }
    this.record(current, outcome, waiting.since, waiting.step);
    return this.follow(current, outcome);
  }

  cancel(reason: string | undefined): StepResult {
    this.state.status = 'cancelled';
    this.state.endedAt = this.now;
    this.state.error = { ...(this.from.waiting ? { nodeId: this.from.waiting.nodeId } : {}), message: reason ?? 'cancelled' };
    return this.finish();
  }

  private runFrom(nodeId: string): StepResult {
    return this.runNodes(nodeId, this.compiled.nodes.get(nodeId));
  }

  /** Runs from node `id`; `current` is that node, already looked up (undefined when there is none). */
  private runNodes(id: string, current: CompiledNode | undefined): StepResult {
    const limit = this.options.maxPureSteps ?? DEFAULT_MAX_PURE_STEPS;
    let visited = 0;
    for (;;) {
      if (!current) return this.fail(id, `node "${id}" does not exist`);
      if (++visited > limit) {
        return this.fail(id, `runaway: more than ${limit} nodes visited without waiting for anything (stopped at "${id}")`);
      }
      const stepNo = ++this.state.steps;
      const def = current.def;
      this.enter(current);
      if (def.kind === 'effect') {
        let effect: Effect;
        try {
          // A registered type's custom kind travels as an Effect too: the runtime dispatches on `kind` and has a handler for it or none.
          effect = def.effect(current.params, this) as Effect;
          const why = unstorable(effect);
          // What PostgreSQL would refuse fails the node, not the step's commit, which would fail for ever.
          if (why) throw new Error(cannotStore('the request', why));
        } catch (e) {
          const error = storableText(message(e));
          if (!def.errorOutcome) return this.fail(id, error);
          this.set('lastError', error);
          this.record(current, def.errorOutcome, this.now, stepNo, error);
          // Follow the outcome's edge; compile.ts resolved its target node in advance.
          const k = edgeIndex(current, def.errorOutcome);
          if (k < 0) return this.noEdge(current, def.errorOutcome);
          id = current.targetIds[k]!;
          current = current.targets[k];
          continue;
        }
        this.effects.push({ step: stepNo, nodeId: id, effect });
        this.state.status = 'waiting';
        this.state.waiting = { nodeId: id, step: stepNo, kind: effect.kind, since: this.now };
        return this.finish();
      }
      let result: NodeOutcome | EndOutcome;
      try {
        result = def.run(current.params, this);
      } catch (e) {
        return this.fail(id, message(e));
      }
      if ('end' in result) {
        const why = unstorable(result.end.result);
        if (why) return this.fail(id, cannotStore('the result', why));
        this.record(current, null, this.now, stepNo);
        this.state.status = result.end.status;
        this.state.endedAt = this.now;
        if (result.end.result !== undefined) this.state.result = detached(result.end.result, this.vars);
        if (result.end.status === 'failed') this.state.error = { nodeId: id, message: result.end.reason ?? 'ended as failed' };
        return this.finish();
      }
      this.record(current, result.outcome, this.now, stepNo);
      const k = edgeIndex(current, result.outcome);
      if (k < 0) return this.noEdge(current, result.outcome);
      id = current.targetIds[k]!;
      current = current.targets[k];
    }
  }

  private follow(current: CompiledNode, outcome: string): StepResult {
    const k = edgeIndex(current, outcome);
    return k < 0 ? this.noEdge(current, outcome) : this.runNodes(current.targetIds[k]!, current.targets[k]);
  }

  private noEdge(current: CompiledNode, outcome: string): StepResult {
    return this.fail(current.node.id, `node "${current.node.id}" has no edge for outcome "${outcome}"`);
  }

  private record(current: CompiledNode, outcome: string | null, startedAt: number, stepNo: number, error?: string) {
    const entry: TraceEntry = { step: stepNo, nodeId: current.node.id, nodeType: current.node.type, outcome, startedAt, endedAt: this.now };
    if (this.changed) entry.changed = this.changed;
    if (error !== undefined) entry.error = error;
    this.changed = undefined;
    this.trace.push(entry);
  }

  private fail(nodeId: string, reason: string): StepResult {
    this.state.status = 'failed';
    this.state.endedAt = this.now;
    this.state.error = { nodeId, message: storableText(reason) };
    return this.finish();
  }

  private finish(): StepResult {
    const { $now: _now, ...vars } = this.vars;
    this.state.vars = vars;
    return { state: this.state, effects: this.effects, trace: this.trace };
  }
}

const NO_EXPRS: Json[] = [];

/** Where `outcome` is in the node's edge list (`current.next[outcome]` as an index), or -1 when it has no edge. */
function edgeIndex(current: CompiledNode, outcome: string): number {
  const outcomes = current.outcomes;
  for (let k = 0; k < outcomes.length; k++) if (outcomes[k] === outcome) return k;
  return -1;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

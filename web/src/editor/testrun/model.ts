/**
 * What a test run sends and what the editor makes of its reply, without
 * React: the simulator rules from the rules table, the key a form's answer
 * goes under, the canvas overlay at a step of the timeline, and the test
 * case a finished run becomes.
 */
import type { Json, ScenarioTest } from '@tellflow/engine';
import type { Reply } from '../../shared/api.ts';
import { type Doc, edgeId, type Overlay } from '../store.ts';

export type RunReply = Reply<'POST /api/scenarios/test-run'>;
export type Step = RunReply['trace'][number];
export type PendingForm = NonNullable<RunReply['pendingForm']>;
export type FormField = PendingForm['form']['fields'][number];
export type CaseResult = Reply<'POST /api/scenarios/{id}/tests/run'>['tests'][number];

export const CALL_OUTCOMES = ['answered', 'busy', 'noAnswer', 'failed'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const OUTCOME_LABELS: Record<CallOutcome, string> = {
  answered: 'Answered',
  busy: 'Busy',
  noAnswer: 'No answer',
  failed: 'Failed',
};

/** One row of the call-outcomes table: numbers matching `match` (exact, glob with *, or /regex/) get `outcome`. */
export interface CallRule {
  match: string;
  outcome: CallOutcome;
}

/** Everything a run is made of besides the draft itself. */
export interface RunSetup {
  input: Record<string, Json>;
  rules: CallRule[];
  defaultOutcome: CallOutcome;
  operatorOutcome: CallOutcome;
  setupSql: string;
}

export const EMPTY_SETUP: RunSetup = { input: {}, rules: [], defaultOutcome: 'answered', operatorOutcome: 'answered', setupSql: '' };

/** The simulator rules for the API, or undefined when everything is the simulator's default (everyone answers at once). */
export function simOf(setup: RunSetup): Record<string, Json> | undefined {
  const rules = setup.rules.filter((r) => r.match.trim()).map((r) => ({ match: r.match.trim(), outcome: r.outcome }));
  const sim: Record<string, Json> = {};
  if (rules.length || setup.defaultOutcome !== 'answered') sim.customers = { rules, default: setup.defaultOutcome };
  if (setup.operatorOutcome !== 'answered') sim.operators = { rules: [], default: setup.operatorOutcome };
  return Object.keys(sim).length ? sim : undefined;
}

/** The rules table back from a test case's `sim` (rules with a `sequence` keep their first outcome: the table shows one per number). */
export function setupOf(test: Pick<ScenarioTest, 'input' | 'sim' | 'setupSql'>): RunSetup {
  const customers = asRuleSet(test.sim?.customers);
  const operators = asRuleSet(test.sim?.operators);
  return {
    input: { ...(test.input ?? {}) },
    rules: customers.rules,
    defaultOutcome: customers.default,
    operatorOutcome: operators.default,
    setupSql: test.setupSql ?? '',
  };
}

function asRuleSet(value: Json | undefined): { rules: CallRule[]; default: CallOutcome } {
  const set = (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<string, Json>;
  const rules = Array.isArray(set.rules) ? set.rules : [];
  return {
    rules: rules.flatMap((r) => {
      if (!r || typeof r !== 'object' || Array.isArray(r) || typeof r.match !== 'string') return [];
      const outcome = r.outcome ?? (Array.isArray(r.sequence) ? r.sequence[0] : undefined);
      return [{ match: r.match, outcome: isCallOutcome(outcome) ? outcome : 'answered' }];
    }),
    default: isCallOutcome(set.default) ? set.default : 'answered',
  };
}

const isCallOutcome = (v: unknown): v is CallOutcome => (CALL_OUTCOMES as readonly unknown[]).includes(v);

/** The key a form's answer goes under: its node id in this scenario, "scenario:node" in a scenario it runs. */
export function answerKey(form: Pick<PendingForm, 'scenarioId' | 'nodeId'>, scenarioId: string): string {
  return form.scenarioId === scenarioId ? form.nodeId : `${form.scenarioId}:${form.nodeId}`;
}

/**
 * Adds an answer: the first for a form is its value for every visit; a form
 * that comes up again without one (a list used up) gets the next entry.
 */
export function withAnswer(answers: Record<string, Json>, key: string, answer: Json): Record<string, Json> {
  const known = answers[key];
  if (known === undefined) return { ...answers, [key]: answer };
  return { ...answers, [key]: [...(Array.isArray(known) ? known : [known]), answer] };
}

/** The step the canvas shows for timeline position `index`: steps of scenarios it runs show the node that ran them. */
export function canvasStep(trace: Step[], index: number): Step | undefined {
  for (let i = Math.min(index, trace.length - 1); i >= 0; i--) if (trace[i]!.depth === 0) return trace[i];
  return undefined;
}

/**
 * The canvas overlay with the run at step `index` (the last step: the run's
 * end, where a form waiting for an answer or the failing node is current).
 */
export function overlayAt(run: RunReply, index: number, scenarioId: string): Overlay {
  const steps = run.trace.slice(0, index + 1).filter((s) => s.depth === 0);
  const path = steps.map((s) => s.nodeId);
  const pathEdges: string[] = [];
  for (let i = 0; i + 1 < steps.length; i++) {
    const s = steps[i]!;
    if (s.outcome) pathEdges.push(edgeId({ source: s.nodeId, sourceHandle: s.outcome }));
  }
  const atEnd = index >= run.trace.length - 1;
  const waiting = atEnd && run.pendingForm?.scenarioId === scenarioId ? run.pendingForm.nodeId : null;
  const last = steps.at(-1);
  if (waiting && last?.nodeId !== waiting) {
    if (last?.outcome) pathEdges.push(edgeId({ source: last.nodeId, sourceHandle: last.outcome }));
    path.push(waiting);
  }
  const current = path.at(-1);
  return current ? { path, pathEdges, current } : {};
}

/** The node ids of this scenario a run visited, in order: what a test case's `expect.path` checks. */
export function topLevelPath(run: RunReply): string[] {
  return run.trace.filter((s) => s.depth === 0).map((s) => s.nodeId);
}

export type FinalStatus = 'completed' | 'failed' | 'cancelled';

/** Whether a run ended in a way a test case can expect (not waiting for a form, not stopped by a limit). */
export function finished(run: RunReply): run is RunReply & { status: FinalStatus } {
  return run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled';
}

/** A finished run as a test case: what went in, and the path, status and result it gave. */
export function testCaseOf(
  name: string,
  description: string,
  run: RunReply & { status: FinalStatus },
  setup: RunSetup,
  answers: Record<string, Json>,
): ScenarioTest {
  const sim = simOf(setup);
  return {
    name,
    ...(description.trim() ? { description: description.trim() } : {}),
    ...(Object.keys(setup.input).length ? { input: setup.input } : {}),
    ...(sim ? { sim } : {}),
    ...(Object.keys(answers).length ? { answers } : {}),
    ...(setup.setupSql.trim() ? { setupSql: setup.setupSql } : {}),
    expect: { path: topLevelPath(run), status: run.status, result: run.result },
  };
}

/** Adds a test case to the document (a new array, so undo keeps the old one). */
export function addTest(doc: Doc, test: ScenarioTest): Doc {
  return { ...doc, tests: [...(doc.tests ?? []), test] };
}

export function removeTest(doc: Doc, name: string): Doc {
  const tests = (doc.tests ?? []).filter((t) => t.name !== name);
  const { tests: _, ...rest } = doc;
  return tests.length ? { ...doc, tests } : rest;
}

/** Whether the draft's graph differs from the one a run ran (test cases and positions aside, which a run does not depend on). */
export function graphChanged(ran: Doc, now: Doc): boolean {
  if (ran === now) return false;
  if (ran.edges !== now.edges || ran.variables !== now.variables || ran.nodes.length !== now.nodes.length) return true;
  return ran.nodes.some((n, i) => {
    const m = now.nodes[i]!;
    return n !== m && (n.id !== m.id || n.type !== m.type || n.params !== m.params || n.label !== m.label);
  });
}

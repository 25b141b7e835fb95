/**
 * A test run: a scenario document (an editor's unsaved draft, or a test
 * case's scenario) run to the end in a sandbox, answered as the editor needs
 * it: the status, a step-by-step timeline with variables and effects, and
 * the form that needs an answer when one comes up unanswered. Runs are
 * deterministic given the input, simulator rules and answers, so the editor
 * asks again with the answer added.
 */
import { referencedScenarioIds, type Issue, type Json, type Scenario, type ScenarioTest } from '@tellflow/engine';
import { parseSimRulesFile, SimRulesError } from '@tellflow/telephony';
import type { Database } from '@tellflow/db';
import type { ScenarioStore } from '../scenarios.ts';
import type { PendingForm } from '../sql/read-executions.ts';
import type { TraceStep } from '../trace-steps.ts';
import { FormAnswers } from './form-answers.ts';
import { runInSandbox } from './sandbox-run.ts';
import type { OptionNames } from './simulate.ts';
import { publishedWithReferences, type Source } from './sources.ts';

/** What the run did to anything real: nothing. Shown by the editor with every run. */
export const SANDBOX_NOTE =
  'Ran on a throwaway in-memory database created for this run and deleted after it: sql and setStatus nodes read and wrote only that ' +
  "database (its tables are Tellflow's empty ones plus what setupSql made), calls went to the telephony simulator, and waits passed on a " +
  'simulated clock. The only thing read from the real database is the published versions of the scenarios it runs; nothing there was changed.';

export const TEST_RUN_LIMITS = {
  defaultMaxSteps: 2_000,
  maxMaxSteps: 10_000,
  defaultMaxHours: 24,
  maxMaxHours: 24 * 31,
} as const;

const API_NAMES: OptionNames = { answers: 'answers', maxSteps: 'maxSteps', maxHours: 'maxHours' };

export interface TestRunInput {
  input?: Record<string, Json>;
  /** Simulator rules as for `tellflow run --sim`. */
  sim?: unknown;
  /** Form answers (see FormAnswers). */
  answers?: unknown;
  setupSql?: string;
  maxHours?: number;
  maxSteps?: number;
}

export interface TestRunServices {
  /** Where the scenarios it runs come from (their published versions): the product database's store; none: only `alongside`. */
  store?: ScenarioStore;
  /** A fresh, migrated database for one run (closed after it). */
  openDatabase: () => Promise<Database>;
  /** Where the simulated clock starts (epoch ms). */
  startAt: number;
  /** Real time a run may take. */
  wall?: { now: () => number; limitMs: number };
  /** Scenarios to use instead of the stored ones (`tellflow test` with several files). */
  alongside?: Source[];
}

export type TestRunStatus = 'completed' | 'failed' | 'cancelled' | 'needsAnswer' | 'stopped';

export interface TestRunReply {
  status: TestRunStatus;
  result: Json | null;
  /** Why it failed or stopped (the execution's error, or the limit or missing answer that stopped it). */
  error: string | null;
  /** The node it failed or stopped at. */
  errorNodeId: string | null;
  trace: TraceStep[];
  /** With status needsAnswer: the form that came up without an answer (give one under its node id and run again). */
  pendingForm: { nodeId: string; scenarioId: string; form: PendingForm['form'] } | null;
  /** Keys of `answers` no form used: probably a typo. */
  unusedAnswers: string[];
  /** How far simulated time went, ms. */
  simulatedMs: number;
  sandbox: string;
}

/** A run that cannot start: `status` is the HTTP status to answer with, `issues` name the node and field where there are any. */
export class TestRunRefused extends Error {
  constructor(
    readonly status: 400 | 422,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = 'TestRunRefused';
  }
}

/**
 * The scenarios a run installs: the one it runs, those given alongside, and
 * the published versions of those they run; TestRunRefused (422) naming
 * any that is missing.
 */
export async function sourcesFor(scenario: Scenario, doc: unknown, services: Pick<TestRunServices, 'store' | 'alongside'>): Promise<Source[]> {
  const given = new Map((services.alongside ?? []).map((s) => [s.scenario.id, s]));
  given.set(scenario.id, { scenario, doc, from: 'the scenario' });
  const wanted = [...given.values()].flatMap((s) => referencedScenarioIds(s.scenario)).filter((id) => !given.has(id));
  const stored = services.store
    ? await publishedWithReferences(services.store, wanted, new Set(given.keys()))
    : { sources: [], problems: wanted.map((id) => `a scenario it runs: scenario "${id}" is neither given nor in a database`) };
  if (stored.problems.length) throw new TestRunRefused(422, stored.problems.join('; '));
  return [...given.values(), ...stored.sources];
}

/** Runs `scenario` (already validated) in a sandbox; throws TestRunRefused when it cannot start. */
export async function testRun(scenario: Scenario, doc: unknown, request: TestRunInput, services: TestRunServices): Promise<TestRunReply> {
  let rules: ReturnType<typeof parseSimRulesFile>;
  try {
    rules = parseSimRulesFile(request.sim ?? {});
  } catch (error) {
    if (!(error instanceof SimRulesError)) throw error;
    throw new TestRunRefused(400, `sim: ${error.message}`);
  }
  const answers = FormAnswers.from(request.answers ?? {});
  if (typeof answers === 'string') throw new TestRunRefused(400, `answers ${answers}`);
  const maxSteps = Math.min(request.maxSteps ?? TEST_RUN_LIMITS.defaultMaxSteps, TEST_RUN_LIMITS.maxMaxSteps);
  const maxHours = Math.min(request.maxHours ?? TEST_RUN_LIMITS.defaultMaxHours, TEST_RUN_LIMITS.maxMaxHours);

  const sources = await sourcesFor(scenario, doc, services);
  const ran = await runInSandbox({
    sources,
    root: scenario.id,
    input: request.input ?? {},
    rules,
    answers,
    ...(request.setupSql !== undefined ? { setupSql: request.setupSql } : {}),
    limits: { maxSteps, maxMs: maxHours * 3_600_000, ...(services.wall ? { wall: services.wall } : {}) },
    openDatabase: services.openDatabase,
    startAt: services.startAt,
    unanswered: 'stop',
    names: API_NAMES,
  });
  if (!ran.ok) throw new TestRunRefused(ran.issues ? 422 : 400, ran.message, ran.issues);

  const { report, stopped, steps } = ran;
  const status: TestRunStatus = stopped ? (stopped.cause === 'form' ? 'needsAnswer' : 'stopped') : (report.status as TestRunStatus);
  const last = steps.at(-1);
  return {
    status,
    result: report.result,
    error: stopped?.reason ?? report.error,
    errorNodeId: stopped?.form?.nodeId ?? report.errorNodeId ?? null,
    trace: steps,
    pendingForm: stopped?.form ? { nodeId: stopped.form.nodeId, scenarioId: stopped.form.scenarioId, form: stopped.form.form } : null,
    unusedAnswers: ran.unusedAnswers,
    simulatedMs: last ? last.at + last.durationMs : 0,
    sandbox: SANDBOX_NOTE,
  };
}

export interface TestCaseResult {
  name: string;
  passed: boolean;
  /** What did not match, one sentence each: "expected … got …". */
  failures: string[];
  /** The run (null when it could not start: then `failures` says why). */
  run: TestRunReply | null;
}

/** Runs one of the scenario's test cases and checks its expectations. */
export async function runTestCase(scenario: Scenario, doc: unknown, test: ScenarioTest, services: TestRunServices): Promise<TestCaseResult> {
  let run: TestRunReply;
  try {
    run = await testRun(
      scenario,
      doc,
      {
        ...(test.input ? { input: test.input } : {}),
        ...(test.sim ? { sim: test.sim } : {}),
        ...(test.answers ? { answers: test.answers } : {}),
        ...(test.setupSql !== undefined ? { setupSql: test.setupSql } : {}),
      },
      services,
    );
  } catch (error) {
    if (!(error instanceof TestRunRefused)) throw error;
    return refusedCase(test, error);
  }
  const failures = checkExpectations(test.expect, run, scenario.id);
  return { name: test.name, passed: failures.length === 0, failures, run };
}

/** A test case whose run could not start, failed with why. */
export function refusedCase(test: ScenarioTest, error: TestRunRefused): TestCaseResult {
  const issues = (error.issues ?? []).map((i) => ` — ${i.nodeId ? `node "${i.nodeId}" ` : ''}${i.path ? `at ${i.path}: ` : ''}${i.message}`);
  return { name: test.name, passed: false, failures: [`the run could not start: ${error.message}${issues.join('')}`], run: null };
}

/** Each expectation the run does not meet, as "expected X, got Y". */
export function checkExpectations(expect: ScenarioTest['expect'], run: TestRunReply, scenarioId: string): string[] {
  const failures: string[] = [];
  const wantStatus = expect.status ?? 'completed';
  if (run.status !== wantStatus) failures.push(`expected status ${wantStatus}, got ${run.status}${run.error ? ` (${run.error})` : ''}`);
  if (expect.path) {
    const path = run.trace.filter((s) => s.depth === 0 && s.scenarioId === scenarioId).map((s) => s.nodeId);
    if (!sameJson(path, expect.path)) {
      const k = firstDifference(expect.path, path);
      failures.push(
        `expected path ${expect.path.join(' → ')}, got ${path.join(' → ') || '(no steps)'} (they part at step ${k + 1}: expected ${
          expect.path[k] !== undefined ? `"${expect.path[k]}"` : 'the end'
        }, got ${path[k] !== undefined ? `"${path[k]}"` : 'the end'})`,
      );
    }
  }
  if (expect.result !== undefined && !sameJson(run.result, expect.result))
    failures.push(`expected result ${JSON.stringify(expect.result)}, got ${JSON.stringify(run.result)}`);
  return failures;
}

function firstDifference(a: readonly string[], b: readonly string[]): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

/** JSON equality with object keys in any order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

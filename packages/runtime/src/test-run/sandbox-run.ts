/**
 * One simulated run on a database of its own: the scenarios are saved and
 * published there, `setupSql` prepares the data, the root scenario starts,
 * and `simulate` takes it to the end on a stepping clock with the telephony
 * simulator. Nothing outside that database is touched; the caller's
 * `openDatabase` gives a fresh one (a scratch PGlite) and it is closed after.
 */
import { grantToScenarios, type Database } from '@tellflow/db';
import type { Issue, Json } from '@tellflow/engine';
import { TelephonySimulator, type SimRuleSet, type SimRuleSetInput } from '@tellflow/telephony';
import { dependencyOrder } from '../bundled.ts';
import { RuntimeError } from '../errors.ts';
import { Runtime } from '../runtime.ts';
import { traceSteps, type TraceStep } from '../trace-steps.ts';
import type { FormAnswers } from './form-answers.ts';
import { executionReport, type ExecutionReport } from './report.ts';
import { simulate, type Limits, type OptionNames, type Stop } from './simulate.ts';
import type { Source } from './sources.ts';
import { SteppingClock } from './stepping-clock.ts';

/** Operators pick up at once: nobody is at the agent page during a simulated run. */
const ANSWERING_OPERATORS: SimRuleSetInput = { rules: [], default: 'answered' };
const LEASE_MS = 5_000;

export interface SandboxRunOptions {
  /** Every scenario the run may need; `root` is the one started. */
  sources: Source[];
  root: string;
  input: Record<string, Json>;
  rules: { rules: SimRuleSet; operatorRules?: SimRuleSet };
  answers: FormAnswers;
  /** Statements run in the sandbox before the scenario starts (as its owner); the tables they create are granted to scenario SQL. */
  setupSql?: string;
  limits: Limits;
  /** A fresh, migrated database for this run alone; closed when the run ends. */
  openDatabase: () => Promise<Database>;
  /** Where the simulated clock starts (epoch ms). */
  startAt: number;
  unanswered?: 'timeout' | 'stop';
  names?: OptionNames;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export type SandboxRun =
  /** It could not start: a scenario cannot be published there, the input is refused, setupSql failed. */
  | { ok: false; message: string; issues?: Issue[]; from?: string }
  | {
      ok: true;
      report: ExecutionReport;
      steps: TraceStep[];
      /** Why it stopped before the executions ended by themselves. */
      stopped: Stop;
      unusedAnswers: string[];
    };

export async function runInSandbox(o: SandboxRunOptions): Promise<SandboxRun> {
  const db = await o.openDatabase();
  const clock = new SteppingClock(o.startAt);
  const t0 = clock.now();
  const log = o.log ?? (() => {});
  const sim = new TelephonySimulator({
    clock,
    rules: o.rules.rules,
    operatorRules: o.rules.operatorRules ?? ANSWERING_OPERATORS,
    onError: (error) => log('simulator', { error: String(error) }),
  });
  const runtime = new Runtime({ db, telephony: sim, clock, leaseMs: LEASE_MS, log });
  try {
    const byId = new Map(o.sources.map((s) => [s.scenario.id, s]));
    for (const scenario of dependencyOrder(o.sources.map((s) => s.scenario))) {
      const source = byId.get(scenario.id)!;
      try {
        const { version } = await runtime.scenarios.save(source.doc);
        await runtime.scenarios.publish(scenario.id, version.version);
      } catch (error) {
        if (!(error instanceof RuntimeError)) throw error;
        const issues = (error.details as { issues?: Issue[] } | undefined)?.issues ?? [];
        return { ok: false, message: `"${scenario.id}" cannot run: ${error.message}`, from: source.from, ...(issues.length ? { issues } : {}) };
      }
    }
    if (o.setupSql?.trim()) {
      const problem = await setUp(db, o.setupSql);
      if (problem) return { ok: false, message: `setupSql failed: ${problem}` };
    }

    let rootId: string;
    try {
      rootId = await runtime.start(o.root, { input: o.input });
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      return { ok: false, message: error.message };
    }
    const stopped = await simulate({
      runtime,
      clock,
      answers: o.answers,
      limits: o.limits,
      leaseMs: LEASE_MS,
      ...(o.unanswered ? { unanswered: o.unanswered } : {}),
      ...(o.names ? { names: o.names } : {}),
    });
    return {
      ok: true,
      report: await executionReport(runtime, rootId, t0),
      steps: await traceSteps(runtime, rootId, t0),
      stopped,
      unusedAnswers: o.answers.unused(),
    };
  } finally {
    await runtime.close();
    sim.dispose();
    await db.close();
  }
}

/**
 * Runs the setup statements in one transaction, then lets scenario SQL use
 * the tables they created, as an administrator would (grantToScenarios).
 * Returns the database's message when they fail.
 */
async function setUp(db: Database, sql: string): Promise<string | null> {
  const tables = `select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables
                  where schemaname not in ('pg_catalog', 'information_schema')`;
  try {
    await db.transaction(async (tx) => {
      const before = new Set((await tx.query<{ name: string }>(tables)).rows.map((r) => r.name));
      // Several statements in one text, the text still bound as a value: EXECUTE in a throwaway function takes them all.
      await tx.query(`create or replace function pg_temp.tellflow_setup(statements text) returns void language plpgsql as $$ begin execute statements; end $$`);
      await tx.query('select pg_temp.tellflow_setup($1)', [sql]);
      for (const { name } of (await tx.query<{ name: string }>(tables)).rows) if (!before.has(name)) await grantToScenarios(tx, name);
    });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

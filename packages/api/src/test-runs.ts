/** Test runs of scenario drafts in a sandbox, the scenario's test cases, and the replay timeline of past executions. */
import { JsonValue, Scenario } from '@tellflow/engine';
import { z } from 'zod';
import { EffectKind, EffectRequestSchema, ExecutionSummary, FormRequest } from './executions.ts';
import { PositiveInt } from './common.ts';

const Vars = z.record(z.string(), JsonValue);

export const EffectSummary = z.object({
  kind: EffectKind,
  summary: z.string().meta({ description: 'what it asked and what it got, in a line: `dial +15550100 → busy`, `sql select … → 3 rows`' }),
  request: EffectRequestSchema,
  status: z.enum(['pending', 'done', 'cancelled']),
  result: JsonValue.nullable(),
  externalId: z.string().nullable().meta({ description: "the outside world's id for it, e.g. the call's or the child execution's" }),
});

/** One node visit of a timeline (a test run's, or a past execution's replay). */
export const TraceStep = z.object({
  index: z.number().int().meta({ description: 'position in the timeline, from 0' }),
  executionId: z.string(),
  scenarioId: z.string(),
  version: z.number().int(),
  depth: z.number().int().meta({ description: '0: the execution asked about; 1: a child scenario it ran (its steps follow the step that started it); …' }),
  step: z.number().int().meta({ description: 'the step number within its own execution' }),
  nodeId: z.string(),
  type: z.string(),
  outcome: z.string().nullable().meta({ description: 'the outcome followed; null when the node ended the execution' }),
  at: z.number().meta({ description: 'when the node was entered: ms after the run (or the execution) started, on its clock' }),
  durationMs: z.number(),
  changed: Vars.nullable().meta({ description: 'the variables the step set, with their new values' }),
  vars: Vars.meta({ description: "all the execution's variables after the step" }),
  error: z.string().nullable(),
  effect: EffectSummary.nullable().meta({ description: 'what the step asked of the outside world, and what it got' }),
});
export type TraceStep = z.infer<typeof TraceStep>;

export const TestRunBody = z.object({
  scenario: z
    .record(z.string(), z.unknown())
    .meta({ description: 'a scenario document (e.g. the unsaved draft); checked like POST /api/scenarios/validate: 422 with the issues' }),
  input: Vars.optional().meta({ description: "values for the start node's inputs" }),
  sim: z.record(z.string(), z.unknown()).optional().meta({
    description:
      'simulator rules as for `tellflow run --sim`: { customers: { rules: [{ match, outcome | sequence, afterMs?, talkMs? }], default }, operators?: {…} }',
  }),
  answers: z.record(z.string(), z.unknown()).optional().meta({
    description: 'form answers keyed by node id ("scenario:node") or title: the values, a list for successive visits, or null to let the form time out',
  }),
  setupSql: z
    .string()
    .max(100_000)
    .optional()
    .meta({ description: 'statements run in the sandbox before the scenario (e.g. create and fill tables for its SQL)' }),
  maxHours: z.number().positive().max(744).optional().meta({ description: 'simulated time limit (default 24 h)' }),
  maxSteps: z.number().int().min(1).max(10_000).optional().meta({ description: 'step limit over all executions (default 2,000)' }),
});

export const TestRunStatus = z.enum(['completed', 'failed', 'cancelled', 'needsAnswer', 'stopped']);

export const TestRunReply = z.object({
  status: TestRunStatus.meta({
    description: 'needsAnswer: a form came up without an answer (see pendingForm); stopped: a limit (steps, simulated or real time) or nothing left to happen',
  }),
  result: JsonValue.nullable(),
  error: z.string().nullable().meta({ description: 'why it failed or stopped' }),
  errorNodeId: z.string().nullable(),
  trace: z.array(TraceStep),
  pendingForm: z
    .object({ nodeId: z.string(), scenarioId: z.string(), form: FormRequest })
    .nullable()
    .meta({ description: 'with needsAnswer: the form to answer; run again with `answers[nodeId]` set' }),
  unusedAnswers: z.array(z.string()).meta({ description: 'keys of `answers` that no form used' }),
  simulatedMs: z.number().meta({ description: 'how far simulated time went' }),
  sandbox: z.string().meta({ description: 'how the run was kept away from real data, to show with it' }),
});

export const TestCasesRunBody = z.object({
  version: PositiveInt.optional().meta({ description: 'the version whose test cases run (default: the latest, i.e. the current draft)' }),
});

export const TestCaseResult = z.object({
  name: z.string(),
  passed: z.boolean(),
  failures: z.array(z.string()).meta({ description: 'what did not match: "expected …, got …"' }),
  run: TestRunReply.nullable().meta({ description: 'null when the run could not start (then failures say why)' }),
});

export const TestCasesRunReply = z.object({
  scenarioId: z.string(),
  version: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  tests: z.array(TestCaseResult),
});

/** The replay of a past execution: its version's document and its timeline. */
export const ExecutionTrace = z.object({
  execution: ExecutionSummary,
  scenario: Scenario.meta({ description: 'the document of the scenario version it ran' }),
  steps: z.array(TraceStep),
  waiting: z
    .object({ nodeId: z.string(), since: z.number() })
    .nullable()
    .meta({ description: 'an unfinished execution: the node it waits at, and since when (epoch ms)' }),
});

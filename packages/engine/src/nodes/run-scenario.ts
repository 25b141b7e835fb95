import { z } from 'zod';
import { EffectResults } from '../effects.ts';
import { Expression, Identifier, ScenarioId } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import type { Json } from '../json.ts';
import { evaluate } from '../logic.ts';
import { queryProblems } from '../sql-text.ts';
import { defineEffectNode, into } from './types.ts';

/** How many children one `forEach` may start at once. */
export const MAX_FOR_EACH = 10_000;

export const RunScenarioParams = z
  .strictObject({
    scenario: ui(ScenarioId, 'scenarioRef').describe('Id of the scenario to start (its published version).'),
    inputs: ui(z.record(Identifier, Expression), 'expressionMap').describe("Its input variables, as expressions over this scenario's variables.").optional(),
    wait: z.boolean().describe('Wait for it to end (default), or continue at once with `done`.').optional(),
    into: ui(Identifier, 'variable')
      .describe("Variable that receives the child's result (when waiting), or how many were started (forEach, forEachRow).")
      .optional(),
    forEach: Expression.describe('A list: start one child per item, all in one step (inputs may read the item as `item`). Needs `wait: false`.').optional(),
    forEachRow: z
      .strictObject({
        query: ui(z.string().regex(/\S/, 'must not be empty'), 'sql').describe(
          'SQL with named parameters `:name`, e.g. one that claims rows (`update … returning …`).',
        ),
        params: ui(z.record(Identifier, Expression), 'sqlParams').describe('Values for the named parameters, as expressions.').optional(),
      })
      .describe(
        "Start one child per row this query returns, in the transaction that runs it: the row's columns are the child's inputs (`inputs` adds to them). The rows never enter this scenario's variables. Needs `wait: false`.",
      )
      .optional(),
  })
  .superRefine((p, ctx) => {
    for (const key of ['forEach', 'forEachRow'] as const) {
      if (p[key] !== undefined && p.wait !== false) {
        ctx.addIssue({ code: 'custom', message: `${key} starts children without waiting for them: set "wait": false`, path: ['wait'] });
      }
    }
    if (p.forEach !== undefined && p.forEachRow !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'use either forEach or forEachRow, not both', path: ['forEachRow'] });
    }
    for (const message of p.forEachRow ? queryProblems(p.forEachRow.query, p.forEachRow.params) : []) {
      ctx.addIssue({ code: 'custom', message, path: ['forEachRow', 'query'] });
    }
  });

export const runScenario = defineEffectNode({
  type: 'runScenario',
  title: 'Run scenario',
  description: 'Starts another scenario (or one per item of a list); waits for its result or continues at once.',
  category: 'flow',
  icon: 'subtask',
  params: RunScenarioParams,
  effectKind: 'startChild',
  result: EffectResults.startChild,
  errorOutcome: 'failed',
  outcomes: () => ['done', 'failed'],
  // `item` is what forEach hands to the inputs.
  writes: (p) => [...into(p.into), 'lastError', ...(p.forEach !== undefined ? ['item'] : [])],
  effect: (p, ctx) => {
    const entries = Object.entries(p.inputs ?? {});
    if (p.forEach === undefined) {
      const inputs: Record<string, Json> = {};
      for (const [name, logic] of entries) inputs[name] = ctx.evaluate(logic);
      if (p.forEachRow) {
        const params: Record<string, Json> = {};
        for (const [name, logic] of Object.entries(p.forEachRow.params ?? {})) params[name] = ctx.evaluate(logic);
        return { kind: 'startChild', scenario: p.scenario, inputs, wait: false, eachRow: { query: p.forEachRow.query, params } };
      }
      return { kind: 'startChild', scenario: p.scenario, inputs, wait: p.wait ?? true };
    }
    const list = ctx.evaluate(p.forEach);
    if (!Array.isArray(list)) throw new Error(`"forEach" is not a list: ${JSON.stringify(list)?.slice(0, 100)}`);
    if (list.length > MAX_FOR_EACH) throw new Error(`"forEach" has ${list.length} items; at most ${MAX_FOR_EACH} at once`);
    const each = list.map((item) => {
      const data = Object.assign(Object.create(null) as Record<string, Json>, ctx.vars, { item });
      const inputs: Record<string, Json> = {};
      for (const [name, logic] of entries) inputs[name] = evaluate(logic, data);
      return inputs;
    });
    return { kind: 'startChild', scenario: p.scenario, inputs: {}, wait: false, each };
  },
  resume: (p, r, ctx) => {
    if (r.outcome === 'failed') ctx.set('lastError', r.error ?? 'the child scenario failed');
    else if (p.into) ctx.set(p.into, p.forEach !== undefined || p.forEachRow ? (r.count ?? 0) : (r.result ?? null));
    return { outcome: r.outcome };
  },
});

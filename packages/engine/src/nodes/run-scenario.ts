import { z } from 'zod';
import type { Json } from '../json.ts';
import { Expression, Identifier, ScenarioId } from '../format/common.ts';
import { defineEffectNode, into } from './types.ts';

export const RunScenarioParams = z.strictObject({
  scenario: ScenarioId.describe('Id of the scenario to start (its published version).'),
  inputs: z.record(Identifier, Expression).describe('Its input variables, as expressions over this scenario\'s variables.').optional(),
  wait: z.boolean().describe('Wait for it to end (default), or continue at once with `done`.').optional(),
  into: Identifier.describe('Variable that receives the child\'s result (when waiting).').optional(),
});

export const runScenario = defineEffectNode({
  type: 'runScenario',
  title: 'Run scenario',
  description: 'Starts another scenario; waits for its result or continues at once.',
  category: 'flow',
  params: RunScenarioParams,
  effectKind: 'startChild',
  errorOutcome: 'failed',
  outcomes: () => ['done', 'failed'],
  expressions: (p) => Object.entries(p.inputs ?? {}).map(([name, logic]) => ({ path: ['inputs', name], logic })),
  writes: (p) => [...into(p.into), 'lastError'],
  effect: (p, ctx) => {
    const inputs: Record<string, Json> = {};
    for (const [name, logic] of Object.entries(p.inputs ?? {})) inputs[name] = ctx.evaluate(logic);
    return { kind: 'startChild', scenario: p.scenario, inputs, wait: p.wait ?? true };
  },
  resume: (p, r, ctx) => {
    if (r.outcome === 'failed') ctx.set('lastError', r.error ?? 'the child scenario failed');
    else if (p.into) ctx.set(p.into, r.result ?? null);
    return { outcome: r.outcome };
  },
});

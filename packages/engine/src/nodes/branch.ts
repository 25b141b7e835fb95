import { z } from 'zod';
import { Expression, Identifier } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { truthy } from '../logic.ts';
import { definePureNode } from './types.ts';

export const BranchCase = z.strictObject({ name: ui(Identifier, 'outcome'), when: Expression });

export const BranchParams = z
  .strictObject({
    condition: Expression.describe('Either one condition (outcomes `true`/`false`)…').optional(),
    cases: z.array(BranchCase).min(1, 'must have at least one case').describe('…or cases tried in order (outcomes: the case names and `default`).').optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.condition === undefined) === (p.cases === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of "condition" or "cases"', path: [] });
    }
    const seen = new Set<string>();
    p.cases?.forEach((c, i) => {
      if (c.name === 'default') ctx.addIssue({ code: 'custom', message: '"default" is reserved for the fallback outcome', path: ['cases', i, 'name'] });
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', message: `duplicate case name "${c.name}"`, path: ['cases', i, 'name'] });
      seen.add(c.name);
    });
  });

export const branch = definePureNode({
  type: 'branch',
  title: 'Branch',
  description: 'Chooses a path by a condition, or by the first matching case.',
  category: 'flow',
  icon: 'git-branch',
  params: BranchParams,
  outcomes: (p) => (p.cases ? [...p.cases.map((c) => c.name), 'default'] : ['true', 'false']),
  outcomesFromParams: {
    description: 'With `condition`: `true` and `false`. With `cases`: the case names, in order, then `default`.',
    rules: [
      { when: 'condition', outcomes: ['true', 'false'] },
      { when: 'cases', namesFrom: 'cases[].name', outcomes: ['default'] },
    ],
  },
  writes: () => [],
  run: (p, ctx) => {
    if (p.cases) {
      for (const c of p.cases) if (truthy(ctx.evaluate(c.when))) return { outcome: c.name };
      return { outcome: 'default' };
    }
    return { outcome: truthy(ctx.evaluate(p.condition)) ? 'true' : 'false' };
  },
});

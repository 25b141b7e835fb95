import { z } from 'zod';
import { Expression, Identifier } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { definePureNode } from './types.ts';

export const Assignment = z.strictObject({ name: ui(Identifier, 'variable'), value: Expression });

export const SetVariablesParams = z.strictObject({
  assign: z.array(Assignment).min(1, 'must assign at least one variable').describe('Applied in order: a later value sees the earlier ones.'),
});

export const setVariables = definePureNode({
  type: 'setVariables',
  title: 'Set variables',
  description: 'Assigns variables from expressions.',
  category: 'data',
  icon: 'variable',
  params: SetVariablesParams,
  outcomes: () => ['next'],
  writes: (p) => p.assign.map((a) => a.name),
  run: (p, ctx) => {
    for (const a of p.assign) ctx.set(a.name, ctx.evaluate(a.value));
    return { outcome: 'next' };
  },
});

import { z } from 'zod';
import { Expression, Identifier } from '../format/common.ts';
import { definePureNode } from './types.ts';

export const Assignment = z.strictObject({ name: Identifier, value: Expression });

export const SetVariablesParams = z.strictObject({
  assign: z.array(Assignment).min(1, 'must assign at least one variable').describe('Applied in order: a later value sees the earlier ones.'),
});

export const setVariables = definePureNode({
  type: 'setVariables',
  title: 'Set variables',
  description: 'Assigns variables from expressions.',
  category: 'data',
  params: SetVariablesParams,
  outcomes: () => ['next'],
  expressions: (p) => p.assign.map((a, i) => ({ path: ['assign', i, 'value'], logic: a.value })),
  writes: (p) => p.assign.map((a) => a.name),
  run: (p, ctx) => {
    for (const a of p.assign) ctx.set(a.name, ctx.evaluate(a.value));
    return { outcome: 'next' };
  },
});

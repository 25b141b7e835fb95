import { z } from 'zod';
import { Expression } from '../format/common.ts';
import { definePureNode } from './types.ts';

export const EndParams = z.strictObject({
  result: Expression.describe("The execution's result, e.g. for a parent scenario waiting on it.").optional(),
  status: z.enum(['completed', 'failed']).describe('`failed` ends the execution as a failure (with `reason`), e.g. after an error branch.').optional(),
  reason: z.string().optional(),
});

export const end = definePureNode({
  type: 'end',
  title: 'End',
  description: 'Ends the execution, optionally with a result.',
  category: 'flow',
  icon: 'player-stop',
  paramsOptional: true,
  params: EndParams,
  outcomes: () => [],
  writes: () => [],
  run: (p, ctx) => ({
    end: {
      status: p.status ?? 'completed',
      ...(p.result !== undefined ? { result: ctx.evaluate(p.result) } : {}),
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
    },
  }),
});

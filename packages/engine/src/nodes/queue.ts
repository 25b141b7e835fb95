import { z } from 'zod';
import { EffectResults } from '../effects.ts';
import { Expression, Identifier, PositiveSeconds } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { defineEffectNode, into } from './types.ts';

export const QueueParams = z.strictObject({
  queue: ui(Expression, 'queue').describe('Queue name (or an expression giving it).'),
  priority: Expression.describe('Caller priority within the queue; higher is served first. Default 0.').optional(),
  timeoutSec: PositiveSeconds.describe('Give up waiting after this long: the `timeout` outcome.').optional(),
  data: Expression.describe('Extra data shown to the agent with the assignment.').optional(),
  into: ui(Identifier, 'variable').describe('Variable that receives `{ outcome, agent, waitedMs }`.').optional(),
});

export const queue = defineEffectNode({
  type: 'queue',
  title: 'Queue',
  description: 'Puts the caller into a queue and waits for an agent, a timeout, or the caller leaving.',
  category: 'queue',
  icon: 'users-group',
  params: QueueParams,
  effectKind: 'enqueue',
  result: EffectResults.enqueue,
  outcomes: () => ['assigned', 'timeout', 'left'],
  writes: (p) => into(p.into),
  effect: (p, ctx) => {
    const name = ctx.evaluate(p.queue);
    if (typeof name !== 'string' || name === '') throw new Error(`"queue" is not a queue name: ${JSON.stringify(name)}`);
    const priority = p.priority === undefined ? 0 : Number(ctx.evaluate(p.priority));
    if (!Number.isFinite(priority)) throw new Error('"priority" is not a number');
    return {
      kind: 'enqueue',
      queue: name,
      priority,
      data: p.data === undefined ? null : ctx.evaluate(p.data),
      ...(p.timeoutSec ? { timeoutSec: p.timeoutSec } : {}),
    };
  },
  resume: (p, r, ctx) => {
    if (p.into) ctx.set(p.into, { outcome: r.outcome, agent: r.agent ?? null, waitedMs: r.waitedMs ?? null });
    return { outcome: r.outcome };
  },
});

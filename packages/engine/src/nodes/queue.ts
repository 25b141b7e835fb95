import { z } from 'zod';
import { EffectResults } from '../effects.ts';
import { Expression, Identifier, PositiveSeconds } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { defineEffectNode, into } from './types.ts';

export const QueueParams = z.strictObject({
  queue: ui(Expression, 'queue').describe('Queue name (or an expression giving it).'),
  priority: Expression.describe("Caller priority: overrides the queue's priority for this caller; higher is served first. Default: the queue's.").optional(),
  customer: Expression.describe('Who waits (one queue at a time), e.g. the caller number. Default: this execution.').optional(),
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
    // An optional input left empty keeps the queue's priority (Number(null) would make it 0).
    const given = p.priority === undefined ? null : ctx.evaluate(p.priority);
    const priority = given === null || given === '' ? null : Number(given);
    if (priority !== null && !Number.isInteger(priority)) throw new Error('"priority" is not a whole number');
    const customer = p.customer === undefined ? null : ctx.evaluate(p.customer);
    if (customer !== null && typeof customer !== 'string' && typeof customer !== 'number') throw new Error('"customer" is not a text or number');
    return {
      kind: 'enqueue',
      queue: name,
      priority,
      ...(customer !== null && customer !== '' ? { customer: String(customer) } : {}),
      data: p.data === undefined ? null : ctx.evaluate(p.data),
      ...(p.timeoutSec ? { timeoutSec: p.timeoutSec } : {}),
    };
  },
  resume: (p, r, ctx) => {
    if (p.into) ctx.set(p.into, { outcome: r.outcome, agent: r.agent ?? null, waitedMs: r.waitedMs ?? null });
    return { outcome: r.outcome };
  },
});

import { z } from 'zod';
import { CALL_OUTCOMES, EffectResults } from '../effects.ts';
import { Expression, Identifier, PositiveSeconds } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import type { Json } from '../json.ts';
import { defineEffectNode, into, type NodeContext } from './types.ts';

function requiredText(ctx: NodeContext, logic: Json, field: string): string {
  const value = ctx.evaluate(logic);
  if (value === null || value === '' || typeof value === 'object') throw new Error(`"${field}" is empty or not text: ${JSON.stringify(value)}`);
  return String(value);
}

export const CallOperatorParams = z.strictObject({
  operator: ui(Expression, 'phone').describe('Operator number or agent id, e.g. `{"var": "subscriber.operator_number"}`.'),
  timeoutSec: PositiveSeconds.describe('How long to ring before `noAnswer`.').optional(),
  into: ui(Identifier, 'variable').describe('Variable that receives `{ outcome, callId }`.').optional(),
});

export const callOperator = defineEffectNode({
  type: 'callOperator',
  title: 'Call operator',
  description: 'Rings an operator; this becomes the current operator call.',
  category: 'telephony',
  icon: 'headset',
  params: CallOperatorParams,
  effectKind: 'call',
  result: EffectResults.call,
  errorOutcome: 'failed',
  outcomes: () => [...CALL_OUTCOMES],
  writes: (p) => into(p.into),
  effect: (p, ctx) => ({
    kind: 'call',
    operator: requiredText(ctx, p.operator, 'operator'),
    ...(p.timeoutSec ? { timeoutSec: p.timeoutSec } : {}),
  }),
  resume: (p, r, ctx) => {
    if (p.into) ctx.set(p.into, { outcome: r.outcome, callId: r.callId ?? null });
    return { outcome: r.outcome };
  },
});

export const DialCustomerParams = z.strictObject({
  number: ui(Expression, 'phone').describe('The number to dial, e.g. `{"var": "subscriber.tel"}`.'),
  bridge: z.boolean().describe('Connect the customer to the current operator call once answered.').optional(),
  callerId: ui(z.string(), 'phone').optional(),
  timeoutSec: PositiveSeconds.optional(),
  into: ui(Identifier, 'variable').optional(),
});

export const dialCustomer = defineEffectNode({
  type: 'dialCustomer',
  title: 'Dial customer',
  description: 'Dials a customer number, optionally bridged to the current operator call.',
  category: 'telephony',
  icon: 'phone-outgoing',
  params: DialCustomerParams,
  effectKind: 'dial',
  result: EffectResults.dial,
  errorOutcome: 'failed',
  outcomes: () => [...CALL_OUTCOMES],
  writes: (p) => into(p.into),
  effect: (p, ctx) => ({
    kind: 'dial',
    number: requiredText(ctx, p.number, 'number'),
    bridge: p.bridge ?? false,
    ...(p.callerId ? { callerId: p.callerId } : {}),
    ...(p.timeoutSec ? { timeoutSec: p.timeoutSec } : {}),
  }),
  resume: (p, r, ctx) => {
    if (p.into) ctx.set(p.into, { outcome: r.outcome, callId: r.callId ?? null });
    return { outcome: r.outcome };
  },
});

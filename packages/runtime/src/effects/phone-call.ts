/**
 * What `call` and `dial` share: a call placed through the telephony port
 * under the effect's key (the port never places a second call for a key),
 * marked started with a deadline (ring timeout + grace), written to the call
 * history; its outcome arrives as a call event (runtime) that completes the
 * effect. Hung up when the execution ends.
 */
import type { Effect, Json } from '@tellflow/engine';
import type { CallInfo } from '@tellflow/telephony';
import { effectKey } from '../effect-keys.ts';
import { completeEffect, markStarted, type EffectRow } from '../sql/effects.ts';
import type { EffectContext, EffectHandler } from './handler.ts';

const DEFAULT_RING_SEC = 60;

type PhoneEffect = Extract<Effect, { kind: 'call' | 'dial' }>;

export interface PhoneCall<E extends PhoneEffect> {
  place(ctx: EffectContext, key: string, request: E): Promise<CallInfo>;
  /** Who is called, for the call history. */
  party(ctx: EffectContext, request: E): { kind: 'operator' | 'customer'; number: string; operator: string | null };
}

export function phoneCallHandler<E extends PhoneEffect>(call: PhoneCall<E>): EffectHandler<E> {
  return {
    performed: () => 'outside',
    outside: {
      async start(ctx, effect, request) {
        const { db } = ctx.services;
        const { execution: c, now } = ctx;
        const placed = await call.place(ctx, effectKey(c.id, effect.step), request);
        const deadline = now + (request.timeoutSec ?? DEFAULT_RING_SEC) * 1000 + ctx.services.callGraceMs;
        await markStarted(db, c.id, effect.step, now, { externalId: placed.callId, deadline });
        const party = call.party(ctx, request);
        await ctx.services.attachment.callPlaced(db, {
          executionId: c.id,
          step: effect.step,
          ...party,
          callId: placed.callId,
          taskId: c.taskId,
          subscriberId: c.subscriberId,
          at: now,
        });
        // The outcome may already be known (e.g. a call found in the log after a restart).
        if (placed.outcome) {
          await ctx.services.attachment.callOutcome(db, c.id, effect.step, placed.outcome, now);
          const result: Json = { outcome: placed.outcome, callId: placed.callId, ...(placed.reason ? { reason: placed.reason } : {}) };
          await completeEffect(db, c.id, effect.step, result, now);
        }
      },
      lostResult: (effect: EffectRow) => ({
        outcome: 'failed',
        ...(effect.externalId ? { callId: effect.externalId } : {}),
        reason: 'no call outcome arrived before the deadline',
      }),
      afterLost: (ctx, effect) => ctx.services.attachment.callOutcome(ctx.services.db, ctx.execution.id, effect.step, 'failed', ctx.now),
      cancel: (services, callId) => services.telephony.hangup(callId),
    },
  };
}

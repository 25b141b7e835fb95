/**
 * What `call` and `dial` share: a call placed through the telephony port
 * under the effect's key (the port never places a second call for a key),
 * marked started with a deadline (ring timeout + grace), written to the call
 * history; its outcome arrives as a call event (runtime) that completes the
 * effect. Hung up when the execution ends.
 *
 * A call whose outcome never comes (its process died and nobody could tell
 * what became of it) is lost: the node still goes on `failed`, and the
 * result says `lost: true` with why; the call history says `lost`.
 */
import type { Effect, Json } from '@tellflow/engine';
import { TelephonyError, type CallInfo } from '@tellflow/telephony';
import { effectKey } from '../effect-keys.ts';
import { completeEffect, markStarted, type EffectRow } from '../sql/effects.ts';
import type { EffectContext, EffectHandler } from './handler.ts';

const DEFAULT_RING_SEC = 60;
export const LOST_AT_DEADLINE = 'call lost: no outcome arrived before the deadline';

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
        // Its times are the call's own, not this moment's: a call answered and ended before a restart keeps its talk time.
        if (placed.outcome) {
          const lost = placed.lost && placed.outcome !== 'answered';
          const { attachment } = ctx.services;
          const outcomeAt = placed.outcome === 'answered' ? placed.answeredAt : placed.endedAt;
          await attachment.callOutcome(db, c.id, effect.step, lost ? 'lost' : placed.outcome, outcomeAt ?? now);
          // Its hang-up may have been offered before the history row existed.
          if (placed.outcome === 'answered' && placed.endedAt !== undefined)
            await attachment.callHungUp(db, placed.callId, placed.endedAt, placed.lost === true);
          const result: Json = {
            outcome: placed.outcome,
            callId: placed.callId,
            ...(placed.reason ? { reason: placed.reason } : {}),
            ...(lost ? { lost: true } : {}),
          };
          await completeEffect(db, c.id, effect.step, result, now);
        }
      },
      lostResult: (effect: EffectRow) => ({
        outcome: 'failed',
        ...(effect.externalId ? { callId: effect.externalId } : {}),
        reason: LOST_AT_DEADLINE,
        lost: true,
      }),
      afterLost: (ctx, effect) => ctx.services.attachment.callOutcome(ctx.services.db, ctx.execution.id, effect.step, 'lost', ctx.now),
      // A call this process does not hold (placed by another, or long over) is not its to hang up.
      cancel: (services, callId) =>
        services.telephony.hangup(callId).catch((e: unknown) => {
          if (!(e instanceof TelephonyError && e.code === 'unknownCall')) throw e;
        }),
    },
  };
}

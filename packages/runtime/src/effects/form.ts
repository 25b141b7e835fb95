/**
 * `form`: shown to an operator (the node's, else the one on the execution's
 * current call) until a submission (runtime.submitForm completes the effect)
 * or its timeout (`{ timeout: true }`). An ending execution cancels it (the
 * form leaves the screens).
 */
import type { Effect } from '@tellflow/engine';
import { currentOperatorCall, markStarted } from '../sql/effects.ts';
import type { EffectHandler } from './handler.ts';

export const form: EffectHandler<Extract<Effect, { kind: 'form' }>> = {
  performed: () => 'outside',
  outside: {
    async start(ctx, effect, request) {
      const { db } = ctx.services;
      const id = ctx.execution.id;
      const operator = request.operator ?? (await currentOperatorCall(db, id))?.operator ?? null;
      const deadline = request.timeoutSec ? ctx.now + request.timeoutSec * 1000 : null;
      await markStarted(db, id, effect.step, ctx.now, { deadline, assignee: operator });
      await ctx.services.notify(`form:${id}`);
    },
    lostResult: () => ({ timeout: true }),
  },
};

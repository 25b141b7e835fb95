/** `dial`: calls a customer (see phone-call.ts); bridging to the operator's call happens when it is answered (runtime's call events). */
import type { Effect } from '@tellflow/engine';
import { phoneCallHandler } from './phone-call.ts';

export const dial = phoneCallHandler<Extract<Effect, { kind: 'dial' }>>({
  place: (ctx, key, r) =>
    ctx.services.telephony.dial({
      key,
      number: r.number,
      ...(r.callerId ? { callerId: r.callerId } : {}),
      ...(r.timeoutSec ? { timeoutSec: r.timeoutSec } : {}),
    }),
  party: (ctx, r) => ({ kind: 'customer', number: r.number, operator: ctx.execution.operator }),
});

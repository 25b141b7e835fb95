/** `call`: rings an operator (see phone-call.ts). */
import type { Effect } from '@tellflow/engine';
import { phoneCallHandler } from './phone-call.ts';

export const call = phoneCallHandler<Extract<Effect, { kind: 'call' }>>({
  place: (ctx, key, r) => ctx.services.telephony.callOperator({ key, operator: r.operator, ...(r.timeoutSec ? { timeoutSec: r.timeoutSec } : {}) }),
  party: (_ctx, r) => ({ kind: 'operator', number: r.operator, operator: r.operator }),
});

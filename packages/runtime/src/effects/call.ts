/**
 * `call`: rings an operator (see phone-call.ts), once the call has won the
 * agent (agents/availability.ts). An agent who is not available is not rung:
 * the call ends at once as `busy`, as a PBX answers for an extension in a
 * call, so a scenario's "busy → call back later" path serves it.
 */
import type { Effect } from '@tellflow/engine';
import type { CallInfo } from '@tellflow/telephony';
import { holdAgent } from '../agents/availability.ts';
import { phoneCallHandler } from './phone-call.ts';

export const call = phoneCallHandler<Extract<Effect, { kind: 'call' }>>({
  async place(ctx, key, r) {
    const won = await holdAgent(ctx.services.db, r.operator, ctx.execution.id, ctx.now);
    if (!won.held) return refused(key, r.operator, won.reason, ctx.now);
    return ctx.services.telephony.callOperator({ key, operator: r.operator, ...(r.timeoutSec ? { timeoutSec: r.timeoutSec } : {}) });
  },
  party: (_ctx, r) => ({ kind: 'operator', number: r.operator, operator: r.operator }),
});

/** The call the telephony layer never placed: busy, with why. */
const refused = (key: string, operator: string, reason: string, now: number): CallInfo => ({
  callId: `busy:${key}`,
  key,
  kind: 'operator',
  to: operator,
  state: 'ended',
  outcome: 'busy',
  reason,
  startedAt: now,
  endedAt: now,
});

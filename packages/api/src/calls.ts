/** Operator calls ringing on the agent page, answered or rejected there. */
import { z } from 'zod';
import { DateTime } from './common.ts';

export const RingingCall = z.object({
  callId: z.string(),
  operator: z.string().meta({ description: 'the operator number being called' }),
  startedAt: DateTime,
  executionId: z.string().nullable().meta({ description: 'the execution that placed the call' }),
  taskId: z.string().nullable(),
  subscriber: z.object({ id: z.number().int(), tel: z.string(), firstName: z.string().nullable(), lastName: z.string().nullable() }).nullable(),
});
export type RingingCall = z.infer<typeof RingingCall>;

export const Call = z.object({
  callId: z.string(),
  operator: z.string(),
  state: z.enum(['ringing', 'answered', 'ended']),
  outcome: z.enum(['answered', 'busy', 'noAnswer', 'failed']).nullable(),
  startedAt: DateTime,
  answeredAt: DateTime.nullable(),
  endedAt: DateTime.nullable(),
});
export type Call = z.infer<typeof Call>;

export const CallParams = z.object({ callId: z.string().min(1).max(200) });
export const RejectCall = z.object({ reason: z.enum(['busy', 'failed']).optional().meta({ description: 'default busy' }) });
export const RingingList = z.object({ calls: z.array(RingingCall) });
export const SettledCall = z.object({ call: Call });

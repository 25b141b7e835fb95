/**
 * The outbound module's attachment hook (see ../attachment.ts), the
 * runtime's default: an execution started with the inputs `taskId`,
 * `subscriberId` or `operator` is attached to that outbound task, subscriber
 * row and operator (a child inherits what its input does not name), and every
 * call is kept in `call_history` for the operator's card and the task's figures.
 */
import type { Json } from '@tellflow/engine';
import type { Attachment, ExecutionAttachment } from '../attachment.ts';
import { recordAttempt, recordHangup, recordOutcome } from '../sql/call-history.ts';

export const outboundAttachment: ExecutionAttachment = {
  fromInput,
  callPlaced: recordAttempt,
  callOutcome: recordOutcome,
  callHungUp: recordHangup,
};

function fromInput(input: Record<string, Json>, inherited: Attachment = {}): Attachment {
  const pick = <T>(key: string, ok: (v: Json) => v is T & Json, fallback: T | null | undefined): T | null => {
    const v = input[key];
    return v !== undefined && ok(v) ? v : (fallback ?? null);
  };
  const isText = (v: Json): v is string => typeof v === 'string' && v !== '';
  const isInt = (v: Json): v is number => typeof v === 'number' && Number.isInteger(v);
  const subscriber = input.subscriberId;
  return {
    taskId: pick('taskId', isText, inherited.taskId),
    subscriberId: typeof subscriber === 'string' && /^\d+$/.test(subscriber) ? Number(subscriber) : pick('subscriberId', isInt, inherited.subscriberId),
    operator: typeof input.operator === 'number' ? String(input.operator) : pick('operator', isText, inherited.operator),
  };
}

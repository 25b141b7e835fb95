import { z } from 'zod';
import { TelephonyError } from './errors.ts';

// Request shapes live as zod schemas so every adapter (simulator now, SIP
// later) validates the same way and the TS types cannot drift from them.

// Keys are compared verbatim (no trimming): they are machine-made identifiers.
const key = z.string().min(1, 'idempotency key must not be empty');
const timeoutSec = z.number().positive().finite().optional();

export const DialRequestSchema = z.object({
  /** Idempotency key, e.g. "<executionId>:<step>". */
  key,
  number: z.string().trim().min(1, 'number must not be empty'),
  callerId: z.string().trim().min(1).optional(),
  timeoutSec,
});
export type DialRequest = z.infer<typeof DialRequestSchema>;

export const OperatorCallRequestSchema = z.object({
  key,
  /** Operator id or extension. */
  operator: z.string().trim().min(1, 'operator must not be empty'),
  timeoutSec,
});
export type OperatorCallRequest = z.infer<typeof OperatorCallRequestSchema>;

/** Validates a port request; the error names each offending field. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, action: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
  throw new TelephonyError('invalidRequest', `${action}: invalid request — ${details}`);
}

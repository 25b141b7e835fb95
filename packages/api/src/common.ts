/** Shapes shared by several resources. */
import { z } from 'zod';

/**
 * A time. In JSON an ISO 8601 string; decoded, a `Date`. Stores return the
 * decoded value (`z.output`, what `z.infer` gives), `JSON.stringify` writes a
 * Date exactly as this codec encodes it, and the browser's client decodes the
 * reply with the same schema — so one schema describes both sides.
 */
export const DateTime = z
  .codec(z.iso.datetime({ offset: true }), z.date(), {
    decode: (text) => new Date(text),
    encode: (date) => date.toISOString(),
  })
  .meta({ format: 'date-time' });

export const ROLES = ['admin', 'supervisor', 'agent'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The largest value an `integer` column takes: bigger numbers are "not found", not a database error. */
export const MAX_INT = 2_147_483_647;
export const PositiveInt = z.coerce.number().int().min(1).max(MAX_INT);

export const EXECUTION_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export const ExecutionStatus = z.enum(EXECUTION_STATUSES);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
export const TimeZone = z.string().refine(isTimeZone, 'is not a known time zone (e.g. Europe/Moscow)');

/** Every error response: `{ error, details }`. */
export const ErrorBody = z
  .object({
    error: z.string().meta({ description: 'What went wrong, in one sentence.' }),
    details: z.unknown().optional().meta({ description: 'Machine-readable specifics, e.g. `issues` naming the node and field.' }),
  })
  .meta({ title: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * Request and response shapes shared by several route groups. Route-specific
 * ones live beside their routes; all of them feed both the request
 * validation and the OpenAPI document.
 */
import { z } from 'zod';

export const ROLES = ['admin', 'supervisor', 'agent'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The largest value an `integer` column takes: bigger numbers are "not found", not a database error. */
export const MAX_INT = 2_147_483_647;
export const PositiveInt = z.coerce.number().int().min(1).max(MAX_INT);

export const Username = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'must start with a letter or digit and contain only letters, digits, "_", ".", "@" and "-"');

export const Password = z.string().min(8, 'must be at least 8 characters').max(1024, 'must be at most 1024 characters');

export const OperatorNumber = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9+*#_.-]+$/, 'may contain only letters, digits and "+*#_.-"');

export const EXECUTION_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export const ExecutionStatus = z.enum(EXECUTION_STATUSES);

/** A time in a response: an ISO 8601 string (Dates are serialised so). */
export const DateTime = z.string().meta({ format: 'date-time' });

export const User = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: Role,
  operatorNumber: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string().meta({ format: 'date-time' }),
});

export const ErrorBody = z
  .object({
    error: z.string().meta({ description: 'What went wrong, in one sentence.' }),
    details: z.unknown().optional().meta({ description: 'Machine-readable specifics, e.g. `issues` naming the node and field.' }),
  })
  .meta({ title: 'Error' });

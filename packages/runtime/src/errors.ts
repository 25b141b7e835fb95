import type { z } from 'zod';
import type { Issue } from '@tellflow/engine';

/** A request the runtime refuses; `status` is the HTTP status the API answers with. */
export class RuntimeError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export const notFound = (what: string) => new RuntimeError(404, `${what} not found`);
export const invalid = (message: string, issues?: Issue[]) => new RuntimeError(400, message, issues ? { issues } : undefined);
export const conflict = (message: string, details?: unknown) => new RuntimeError(409, message, details);

/** Parses a request body with its zod schema; a 400 listing every bad field otherwise. */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw invalid(
      `invalid ${what}`,
      r.error.issues.map((i) => ({ severity: 'error' as const, path: i.path.join('.'), message: i.message })),
    );
  }
  return r.data;
}

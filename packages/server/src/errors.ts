/**
 * Errors a handler throws on purpose. Each carries the HTTP status and the
 * `details` of the `{ error, details }` body; the app's one `onError`
 * (middleware/error-handler.ts) turns them into responses.
 */
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { formatPath } from '@tellflow/engine';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export class ApiError extends HTTPException {
  constructor(
    status: ErrorStatus,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, message, details);
export const unauthorized = (message = 'sign in first') => new ApiError(401, message);
export const forbidden = (message: string) => new ApiError(403, message);
export const notFound = (what: string) => new ApiError(404, `${what} not found`);
export const conflict = (message: string, details?: unknown) => new ApiError(409, message, details);
/** The rest of the body is never read, so the connection cannot carry another request: the client is told so. */
export const tooLarge = (maxBytes: number) => new ApiError(413, `the request body is larger than ${maxBytes} bytes`, { maxBytes }, { Connection: 'close' });
export const unprocessable = (message: string, details?: unknown) => new ApiError(422, message, details);
export const unsupportedMediaType = (message: string, details?: unknown) => new ApiError(415, message, details);

/** Zod issues as `{ path, message }`, paths written like the scenario issues' (`fields[0].name`). */
export const zodIssues = (err: z.ZodError) => err.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));

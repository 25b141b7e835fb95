/**
 * The app's one `onError`: every error becomes `{ error, details }` with its
 * status. Expected errors (ApiError, the runtime's RuntimeError, the
 * telephony's TelephonyError, Hono's HTTPException, zod validation) keep
 * their status; anything else is logged
 * — name, message and stack only, never headers or bodies, so no password,
 * cookie or token reaches the log — and answered with a generic 500.
 */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { RuntimeError } from '@tellflow/runtime';
import { TelephonyError, type TelephonyErrorCode } from '@tellflow/telephony';
import type { Log } from '../context.ts';
import { ApiError, zodIssues } from '../errors.ts';

export function errorHandler({ log }: { log: Log }): ErrorHandler {
  return function errorHandler(err, c) {
    if (err instanceof ApiError) return reply(c, err.status, err.message, err.details, err.headers);
    if (err instanceof RuntimeError) return reply(c, err.status, err.message, err.details);
    if (err instanceof TelephonyError) return reply(c, TELEPHONY_STATUS[err.code], err.message, err.callId ? { callId: err.callId } : undefined);
    if (err instanceof z.ZodError) return reply(c, 400, 'the request is not valid', { issues: zodIssues(err) });
    if (err instanceof HTTPException) return reply(c, err.status, err.message || defaultMessage(err.status));
    // A value the database refused (SQLSTATE class 22, "data exception") is bad input that slipped past validation.
    if (sqlState(err)?.startsWith('22')) {
      log('the database refused a value', { method: c.req.method, path: c.req.path, code: sqlState(err), error: String((err as Error).message) });
      return reply(c, 400, 'the request contains a value the database cannot store');
    }
    log('request failed', {
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    return reply(c, 500, 'internal server error');
  };
}

const TELEPHONY_STATUS: Record<TelephonyErrorCode, number> = { invalidRequest: 400, unknownCall: 404, invalidState: 409, keyConflict: 409 };

function reply(c: Context, status: number, error: string, details?: unknown, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json(details === undefined ? { error } : { error, details }, status as ContentfulStatusCode);
}

const sqlState = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

const defaultMessage = (status: number) => (status === 413 ? 'the request body is too large' : `request failed with status ${status}`);

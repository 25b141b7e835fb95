/** Path and query text PostgreSQL could not store (NUL, lone surrogates) is a 400 here, not a database error later. */
import type { MiddlewareHandler } from 'hono';
import { badRequest } from '../errors.ts';
import { UNSTORABLE_TEXT } from '@tellflow/engine';

export function safeUrl(): MiddlewareHandler {
  return async function safeUrl(c, next) {
    const url = new URL(c.req.url);
    const parts = [safeDecode(url.pathname), ...[...url.searchParams].flat()];
    if (parts.some((p) => p === undefined || UNSTORABLE_TEXT.test(p))) throw badRequest('the URL contains characters that are not allowed');
    await next();
  };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

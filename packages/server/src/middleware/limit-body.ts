/**
 * Caps request bodies (hono/body-limit), answering 413 in the API's error
 * format. `skip` leaves a request to its route, which applies a limit of its
 * own while streaming the body (the subscriber CSV upload).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { tooLarge } from '../errors.ts';

export function limitBody({ maxBytes, skip }: { maxBytes: number; skip?: (c: Context) => boolean }): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge(maxBytes);
    },
  });
  return async function limitBody(c, next) {
    if (skip?.(c)) return next();
    return limit(c, next);
  };
}

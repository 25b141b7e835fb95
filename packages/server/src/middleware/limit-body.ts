/** Caps request bodies (hono/body-limit), answering 413 in the API's error format. */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.ts';

export function limitBody({ maxBytes }: { maxBytes: number }): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, `the request body is larger than ${maxBytes} bytes`, { maxBytes });
    },
  });
}

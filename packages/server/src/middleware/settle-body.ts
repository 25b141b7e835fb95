/**
 * Reads a request's whole body before the request is answered, so the
 * connection is left where the next request begins whatever the answer (a
 * 401, a refusal, a route that takes no body). Left unread, @hono/node-server
 * drains a body for half a second at most and then destroys the socket, and
 * a keep-alive client's next request on it fails. The body limit has run
 * first, so at most `maxBodyBytes` are read; a route that streams its own
 * body (a file upload) is skipped. Hono keeps what was read for the route.
 */
import type { Context, MiddlewareHandler } from 'hono';

export function settleBody({ skip }: { skip?: (c: Context) => boolean } = {}): MiddlewareHandler {
  return async function settleBody(c, next) {
    if (c.req.raw.body && !skip?.(c)) await c.req.arrayBuffer();
    await next();
  };
}

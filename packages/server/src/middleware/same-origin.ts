/**
 * Cross-site request forgery guard, on top of the SameSite=Lax cookie: a
 * browser sends `Origin` (and `Sec-Fetch-Site`) with every cross-origin
 * POST/PUT/PATCH/DELETE, so a state-changing request from another site is
 * refused. Tools without those headers (curl, the CLI) are not affected. Our
 * own origin is the public URL, or what the request (through trusted proxies) was made to.
 */
import type { MiddlewareHandler } from 'hono';
import { forbidden } from '../errors.ts';
import type { Forwarding } from '../http/forwarded.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameOrigin(forwarding: Forwarding): MiddlewareHandler {
  return async function sameOrigin(c, next) {
    if (!SAFE.has(c.req.method)) {
      if (c.req.header('sec-fetch-site') === 'cross-site') throw forbidden('cross-site requests are not allowed');
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== forwarding.of(c).origin) throw forbidden(`requests from origin ${origin} are not allowed`);
    }
    await next();
  };
}

/**
 * Cross-site request forgery guard, on top of the SameSite=Lax cookie: a
 * browser sends `Origin` (and `Sec-Fetch-Site`) with every cross-origin
 * POST/PUT/PATCH/DELETE, so a state-changing request from another site is
 * refused. Tools without those headers (curl, the CLI) are not affected.
 */
import type { MiddlewareHandler } from 'hono';
import { forbidden } from '../errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameOrigin({ trustProxy }: { trustProxy: boolean }): MiddlewareHandler {
  return async function sameOrigin(c, next) {
    if (!SAFE.has(c.req.method)) {
      if (c.req.header('sec-fetch-site') === 'cross-site') throw forbidden('cross-site requests are not allowed');
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== expectedOrigin(c.req.url, c.req.header('x-forwarded-host'), c.req.header('x-forwarded-proto'), trustProxy)) {
        throw forbidden(`requests from origin ${origin} are not allowed`);
      }
    }
    await next();
  };
}

function expectedOrigin(url: string, forwardedHost: string | undefined, forwardedProto: string | undefined, trustProxy: boolean): string {
  const u = new URL(url);
  if (trustProxy && forwardedHost) return `${forwardedProto?.split(',')[0]?.trim() || u.protocol.slice(0, -1)}://${forwardedHost.split(',')[0]!.trim()}`;
  return u.origin;
}

/** Loads the signed-in user from the session cookie into `c.var.user` (undefined without a valid session, or one idle for `idleMs`). */
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '@tellflow/clock';
import type { Queryable } from '@tellflow/db';
import { readSessionToken } from '../auth/cookie.ts';
import { hashToken } from '../auth/tokens.ts';
import type { AppEnv } from '../context.ts';
import { sessionUser } from '../sql/sessions.ts';

export function session({ db, clock, options }: { db: Queryable; clock: Clock; options: { sessionIdleMs: number } }): MiddlewareHandler<AppEnv> {
  return async function session(c, next) {
    const token = readSessionToken(c);
    // A token is 43 base64url characters; anything else cannot match a stored hash.
    const user =
      token && /^[A-Za-z0-9_-]{20,200}$/.test(token) ? await sessionUser(db, hashToken(token), new Date(clock.now()), options.sessionIdleMs) : undefined;
    c.set('user', user);
    await next();
  };
}

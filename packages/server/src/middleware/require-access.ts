/** Who may call an operation: everyone, anyone signed in, or the listed roles. 401 without a session, 403 for other roles. */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { forbidden, unauthorized } from '../errors.ts';
import type { Role } from '@tellflow/api';

export type Access = 'public' | 'signedIn' | readonly Role[];

export function requireAccess(access: Access): MiddlewareHandler<AppEnv> {
  return async function requireAccess(c, next) {
    if (access !== 'public') {
      const user = c.get('user');
      if (!user) throw unauthorized();
      if (access !== 'signedIn' && !access.includes(user.role)) {
        throw forbidden(`the ${user.role} role may not do this (allowed: ${access.join(', ')})`);
      }
    }
    await next();
  };
}

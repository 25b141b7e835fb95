/**
 * Who may call an operation:
 *   'public'     everyone;
 *   'signedIn'   anyone signed in (a session; not customers);
 *   'apiKey'     a request with `Authorization: Bearer <API key>` (the handler checks the key);
 *   a list       those roles, and customers (a valid customer token) if it includes 'customer'.
 * 401 without a usable credential (saying what is wrong with a bad token), 403 for a caller not listed.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError, forbidden, unauthorized } from '../errors.ts';
import type { Role } from '@tellflow/api';

/** A caller kind a route may let in: a staff role, or a customer holding a customer token. */
export type Principal = Role | 'customer';
export type Access = 'public' | 'signedIn' | 'apiKey' | readonly Principal[];

const WWW_BEARER = { 'WWW-Authenticate': 'Bearer' };

export function requireAccess(access: Access): MiddlewareHandler<AppEnv> {
  return async function requireAccess(c, next) {
    if (access === 'public') return next();
    const problem = c.get('credentialError');
    if (problem) throw problem;
    const apiKey = c.get('apiKeySecret') !== undefined;
    if (access === 'apiKey') {
      if (!apiKey) throw new ApiError(401, 'send an API key as "Authorization: Bearer tfk_…"', undefined, WWW_BEARER);
      return next();
    }
    if (apiKey) {
      throw new ApiError(401, 'an API key only mints customer tokens (POST /api/customer-tokens): send a customer token or sign in', undefined, WWW_BEARER);
    }
    const customersToo = access !== 'signedIn' && access.includes('customer');
    if (c.get('customer')) {
      if (!customersToo) throw forbidden(`a customer token may not do this${access === 'signedIn' ? '' : ` (allowed: ${access.join(', ')})`}`);
      return next();
    }
    const user = c.get('user');
    if (!user) throw customersToo ? unauthorized('sign in first, or send a customer token') : unauthorized();
    if (access !== 'signedIn' && !access.includes(user.role)) {
      throw forbidden(`the ${user.role} role may not do this (allowed: ${access.join(', ')})`);
    }
    await next();
  };
}

/**
 * Reads `Authorization: Bearer …` on API requests: an API key (`tfk_…`) is
 * kept for the one route that takes it (POST /api/customer-tokens checks it
 * against the database); anything else must be a customer token, verified
 * here without a query (auth/customer-tokens.ts) into `c.var.customer`.
 *
 * A request with an Authorization header is judged by it alone: a session
 * cookie sent along is ignored, so a customer client cannot borrow a staff
 * session, nor a staff page a customer's token. Nothing is refused here: a
 * bad token becomes `credentialError`, which requireAccess answers on every
 * route that is not public.
 */
import type { MiddlewareHandler } from 'hono';
import { looksLikeApiKey } from '../auth/api-keys.ts';
import type { CustomerTokens } from '../auth/customer-tokens.ts';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

export function bearer(tokens: CustomerTokens): MiddlewareHandler<AppEnv> {
  return async function bearer(c, next) {
    c.set('customer', undefined);
    c.set('apiKeySecret', undefined);
    c.set('credentialError', undefined);
    const header = c.req.header('authorization');
    if (header === undefined) return next();
    c.set('user', undefined);
    const value = /^Bearer +([^\s]+) *$/i.exec(header)?.[1];
    if (!value) {
      c.set('credentialError', new ApiError(401, 'the Authorization header must be "Bearer " and an API key or a customer token', undefined, WWW_BEARER));
    } else if (looksLikeApiKey(value)) {
      c.set('apiKeySecret', value);
    } else {
      try {
        c.set('customer', await tokens.verify(value));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        c.set('credentialError', e);
      }
    }
    await next();
  };
}

const WWW_BEARER = { 'WWW-Authenticate': 'Bearer' };

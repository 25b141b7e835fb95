/**
 * Requests that came through the local socket (local-socket.ts) act as the
 * built-in local admin, for reading only: the CLI's read-only verbs while a
 * server holds the embedded database. Anything else through the socket is
 * refused; requests over TCP are not touched.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, SessionUser } from '../context.ts';
import { forbidden } from '../errors.ts';
import { LOCAL_SOCKET_ENV } from '../local-socket.ts';

export const LOCAL_ADMIN: SessionUser = {
  id: 'local-admin',
  username: 'local-admin',
  displayName: 'the local command line (read-only)',
  role: 'admin',
  extensions: [],
};

export function localAdmin(): MiddlewareHandler<AppEnv> {
  return async function localAdmin(c, next) {
    if ((c.env as Record<string, unknown> | undefined)?.[LOCAL_SOCKET_ENV] !== true) return next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      throw forbidden('the local socket only reads: sign in over HTTP (the web app or the API) to change anything');
    }
    // It is nobody's session: there is nothing to show, change or end there.
    if (c.req.path.startsWith('/api/auth/')) throw forbidden('the local socket has no session');
    c.set('user', LOCAL_ADMIN);
    await next();
  };
}

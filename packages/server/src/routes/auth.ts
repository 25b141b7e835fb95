/** `/api/auth`: sign in (sets the session cookie), sign out, who am I, change my password. */
import { ChangePassword, Login, Me } from '@tellflow/api';
import { clientIp } from '../auth/client-ip.ts';
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../auth/cookie.ts';
import { loginChecker } from '../auth/login.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { hashToken, newSessionToken } from '../auth/tokens.ts';
import type { Deps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';
import { createSession, deleteSession, deleteUserSessions } from '../sql/sessions.ts';
import { findLogin, getUser, updateUser } from '../sql/users.ts';

export function authRoutes(deps: Deps) {
  const { db, clock, options, forwarding } = deps;
  const api = routeGroup('/api/auth', 'auth');
  const checkLogin = loginChecker(deps);

  api.post(
    '/login',
    {
      summary: 'Sign in: sets the httpOnly session cookie `tellflow_session`',
      description: `After ${options.loginMaxFailuresPerUser} failed attempts for one username (or ${options.loginMaxFailuresPerIp} from one address) within ${options.loginWindowMs / 60_000} minutes, further attempts get 429 with Retry-After.`,
      access: 'public',
      body: Login,
      response: Me,
      errors: [401, 429],
    },
    async (c, { body }) => {
      const user = await checkLogin({ ...body, ip: clientIp(c, forwarding) });
      const token = newSessionToken();
      const now = clock.now();
      const expires = new Date(now + options.sessionTtlMs);
      await createSession(db, hashToken(token), user.id, new Date(now), expires);
      setSessionCookie(c, token, expires, forwarding);
      c.header('Cache-Control', 'no-store');
      return c.json({ user });
    },
  );

  api.post('/logout', { summary: 'Sign out: ends the session and clears the cookie', access: 'public', status: 204 }, async (c) => {
    const token = readSessionToken(c);
    if (token) await deleteSession(db, hashToken(token));
    clearSessionCookie(c, forwarding);
    return c.body(null, 204);
  });

  api.get('/me', { summary: 'The signed-in user', access: 'signedIn', response: Me }, async (c, { user }) => {
    const row = await getUser(db, user.id);
    if (!row) throw new ApiError(401, 'sign in first');
    return c.json({ user: row });
  });

  api.post(
    '/password',
    { summary: 'Change my password (ends my other sessions)', access: 'signedIn', body: ChangePassword, status: 204 },
    async (c, { body, user }) => {
      const login = await findLogin(db, user.username);
      if (!login || !(await verifyPassword(body.currentPassword, login.passwordHash))) throw new ApiError(403, 'the current password is wrong');
      await updateUser(db, user.id, { passwordHash: await hashPassword(body.newPassword, options.scrypt) });
      const token = readSessionToken(c);
      await deleteUserSessions(db, user.id, token && hashToken(token));
      return c.body(null, 204);
    },
  );

  return api.group;
}

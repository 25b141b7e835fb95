/** `/api/auth`: sign in (sets the session cookie), sign out, who am I, change my password. */
import { ChangePassword, Login, Me, Session } from '@tellflow/api';
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../auth/cookie.ts';
import { loginChecker } from '../auth/login.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { checkPasswordPolicy } from '../auth/password-policy.ts';
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
      description:
        `After ${options.loginFreeFailures} failures in a row for one username from one address, each further attempt from there must wait ` +
        `${options.loginDelayBaseMs / 1000} s, doubling up to ${options.loginDelayMaxMs / 60_000} min (a success clears it); ` +
        `more than ${options.loginMaxFailuresPerUser} failures for one username from all addresses, or ${options.loginMaxFailuresPerIp} from one address, ` +
        `within ${options.loginWindowMs / 60_000} minutes block further attempts. Blocked attempts get 429 with Retry-After, and the password is not checked. ` +
        '503 with Retry-After: too many passwords are being checked at once.',
      access: 'public',
      body: Login,
      response: Me,
      errors: [401, 429, 503],
    },
    async (c, { body }) => {
      const user = await checkLogin({ ...body, ip: forwarding.of(c).ip });
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

  api.get(
    '/session',
    {
      summary: 'The signed-in user, or null: how the web app asks whether there is a session without a 401 in the console',
      access: 'public',
      response: Session,
    },
    async (c) => {
      const current = c.get('user');
      return c.json({ user: current ? ((await getUser(db, current.id)) ?? null) : null });
    },
  );

  api.post(
    '/password',
    { summary: 'Change my password (ends my other sessions)', access: 'signedIn', body: ChangePassword, status: 204, errors: [403, 503] },
    async (c, { body, user }) => {
      const login = await findLogin(db, user.username);
      if (!login || !(await verifyPassword(body.currentPassword, login.passwordHash, options.hashGate)))
        throw new ApiError(403, 'the current password is wrong');
      checkPasswordPolicy(body.newPassword, user.username, 'newPassword');
      await updateUser(db, user.id, { passwordHash: await hashPassword(body.newPassword, options.scrypt, options.hashGate) });
      const token = readSessionToken(c);
      await deleteUserSessions(db, user.id, token && hashToken(token));
      return c.body(null, 204);
    },
  );

  return api.group;
}

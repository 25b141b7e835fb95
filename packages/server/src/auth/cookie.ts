/**
 * The session cookie: httpOnly, SameSite=Lax, Path=/, and Secure whenever
 * people reach us over https (the public URL, or what trusted proxies say).
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Forwarding } from '../http/forwarded.ts';

export const SESSION_COOKIE = 'tellflow_session';

export function setSessionCookie(c: Context, token: string, expires: Date, forwarding: Forwarding): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: forwarding.of(c).https, path: '/', expires });
}

export function clearSessionCookie(c: Context, forwarding: Forwarding): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Lax', secure: forwarding.of(c).https, path: '/' });
}

export const readSessionToken = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE) || undefined;

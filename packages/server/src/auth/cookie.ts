/** The session cookie: httpOnly, SameSite=Lax, Path=/, and Secure whenever the request came over https. */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'tellflow_session';

export function isHttps(c: Context, trustProxy: boolean): boolean {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    if (forwarded) return forwarded === 'https';
  }
  return new URL(c.req.url).protocol === 'https:';
}

export function setSessionCookie(c: Context, token: string, expires: Date, trustProxy: boolean): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: isHttps(c, trustProxy), path: '/', expires });
}

export function clearSessionCookie(c: Context, trustProxy: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Lax', secure: isHttps(c, trustProxy), path: '/' });
}

export const readSessionToken = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE) || undefined;

/** Sessions: the SHA-256 of the cookie's token, the user, an absolute expiry and when the session was last used (for the idle timeout). */
import type { Queryable } from '@tellflow/db';
import type { SessionUser } from '../context.ts';
import { userColumns } from './users.ts';

/** Also drops sessions that expired, so the table does not grow without bound. */
export async function createSession(q: Queryable, tokenHash: string, userId: string, now: Date, expiresAt: Date): Promise<void> {
  await q.query(
    `with gone as (delete from sessions where expires_at <= $4)
     insert into sessions (token_hash, user_id, created_at, expires_at, last_seen_at) values ($1, $2, $4, $3, $4)`,
    [tokenHash, userId, expiresAt, now],
  );
}

/** How stale `last_seen_at` may get before a request writes it: reads stay reads most of the time. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * The user behind a live session; undefined when it expired, has been idle
 * for `idleMs`, is unknown, or the user is disabled. Marks the session as
 * seen now when its mark is more than a minute old (same statement).
 */
export async function sessionUser(q: Queryable, tokenHash: string, now: Date, idleMs: number): Promise<SessionUser | undefined> {
  const { rows } = await q.query<SessionUser>(
    `with live as (
       select ${userColumns('u')}, s.last_seen_at
       from sessions s join users u on u.id = s.user_id
       where s.token_hash = $1 and s.expires_at > $2 and s.last_seen_at > $3 and not u.disabled
     ), seen as (
       update sessions set last_seen_at = $2
       where token_hash = $1 and exists (select 1 from live where last_seen_at <= $4)
     )
     select "id", "username", "displayName", "role", "extensions" from live`,
    [tokenHash, now, new Date(now.getTime() - idleMs), new Date(now.getTime() - LAST_SEEN_RESOLUTION_MS)],
  );
  return rows[0];
}

export async function deleteSession(q: Queryable, tokenHash: string): Promise<void> {
  await q.query('delete from sessions where token_hash = $1', [tokenHash]);
}

/** Signs a user out everywhere (e.g. after a password change), optionally keeping one session. */
export async function deleteUserSessions(q: Queryable, userId: string, keepTokenHash?: string): Promise<void> {
  await q.query('delete from sessions where user_id = $1 and token_hash <> $2', [userId, keepTokenHash ?? '']);
}

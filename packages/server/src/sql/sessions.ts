/** Sessions: the SHA-256 of the cookie's token, the user, and an absolute expiry. */
import { selectList, users, type Queryable } from '@tellflow/db';
import type { SessionUser } from '../context.ts';

const USER_COLUMNS = selectList(users, ['id', 'username', 'displayName', 'role', 'operatorNumber'], 'u');

/** Also drops sessions that expired, so the table does not grow without bound. */
export async function createSession(q: Queryable, tokenHash: string, userId: string, now: Date, expiresAt: Date): Promise<void> {
  await q.query(
    `with gone as (delete from sessions where expires_at <= $4)
     insert into sessions (token_hash, user_id, created_at, expires_at) values ($1, $2, $4, $3)`,
    [tokenHash, userId, expiresAt, now],
  );
}

/** The user behind a live session; undefined when expired, unknown, or the user is disabled. */
export async function sessionUser(q: Queryable, tokenHash: string, now: Date): Promise<SessionUser | undefined> {
  const { rows } = await q.query<SessionUser>(
    `select ${USER_COLUMNS}
     from sessions s join users u on u.id = s.user_id
     where s.token_hash = $1 and s.expires_at > $2 and not u.disabled`,
    [tokenHash, now],
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

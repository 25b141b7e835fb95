/** The users table, as the API sees it (password hashes never leave this file except for sign-in). */
import type { Role, User } from '@tellflow/api';
import { selectList, users, type Queryable, type RowOf } from '@tellflow/db';
import { setExtensions } from '@tellflow/runtime';

const KEYS = ['id', 'username', 'displayName', 'role', 'disabled', 'createdAt'] as const;
/** A user's columns and its extensions (sorted), as `users` rows. */
export const userColumns = (alias = 'users') =>
  `${selectList(users, KEYS, alias)}, array(select e.extension from agent_extensions e where e.user_id = ${alias}.id order by e.extension) as "extensions"`;
const COLUMNS = userColumns();
/** The row is the `User` DTO (checked where it is returned): everything but the password hash. */
type UserRow = RowOf<typeof users, (typeof KEYS)[number]> & { extensions: string[] };

export async function listUsers(q: Queryable): Promise<User[]> {
  const { rows } = await q.query<UserRow>(`select ${COLUMNS} from users order by username`);
  return rows;
}

export async function getUser(q: Queryable, id: string): Promise<User | undefined> {
  const { rows } = await q.query<UserRow>(`select ${COLUMNS} from users where id = $1`, [id]);
  return rows[0];
}

/** For sign-in only: the user with the stored hash. */
export async function findLogin(q: Queryable, username: string): Promise<(User & { passwordHash: string }) | undefined> {
  const { rows } = await q.query<UserRow & { passwordHash: string }>(
    `select ${COLUMNS}, ${selectList(users, ['passwordHash'])} from users where username = $1`,
    [username],
  );
  return rows[0];
}

export interface NewUser {
  username: string;
  passwordHash: string;
  role: Role;
  displayName?: string | null;
  extensions?: string[];
}

/** Undefined when the username is taken. Call inside a transaction when extensions are given (see setExtensions). */
export async function insertUser(q: Queryable, u: NewUser): Promise<User | undefined> {
  const { rows } = await q.query<{ id: string }>(
    `insert into users (username, password_hash, role, display_name) values ($1, $2, $3, $4)
     on conflict (username) do nothing returning id`,
    [u.username, u.passwordHash, u.role, u.displayName ?? null],
  );
  if (!rows[0]) return undefined;
  if (u.extensions?.length) await setExtensions(q, rows[0].id, u.extensions);
  return getUser(q, rows[0].id);
}

/** Creates the first user only while the table is empty; two processes starting at once create one. */
export async function insertFirstUser(q: Queryable, u: NewUser): Promise<User | undefined> {
  const { rows } = await q.query<UserRow>(
    `insert into users (username, password_hash, role, display_name)
     select $1, $2, $3, $4 where not exists (select 1 from users)
     on conflict (username) do nothing returning ${COLUMNS}`,
    [u.username, u.passwordHash, u.role, u.displayName ?? null],
  );
  return rows[0];
}

export const countUsers = async (q: Queryable): Promise<number> => (await q.query<{ n: number }>('select count(*)::int as n from users')).rows[0]!.n;

export interface UserPatch {
  role?: Role;
  passwordHash?: string;
  displayName?: string | null;
  extensions?: string[];
  disabled?: boolean;
}

export async function updateUser(q: Queryable, id: string, p: UserPatch): Promise<User | undefined> {
  const { rowCount } = await q.query(
    `update users set
       role = coalesce($2, role),
       password_hash = coalesce($3, password_hash),
       display_name = case when $4::boolean then $5 else display_name end,
       disabled = coalesce($6, disabled)
     where id = $1`,
    [id, p.role ?? null, p.passwordHash ?? null, p.displayName !== undefined, p.displayName ?? null, p.disabled ?? null],
  );
  if (rowCount === 0) return undefined;
  if (p.extensions) await setExtensions(q, id, p.extensions);
  return getUser(q, id);
}

export async function deleteUser(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('delete from users where id = $1', [id])).rowCount > 0;
}

/** Locks the enabled admins' rows (inside a transaction) and returns their ids: the last-admin check cannot race. */
export async function lockActiveAdmins(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>("select id from users where role = 'admin' and not disabled order by id for update");
  return rows.map((r) => r.id);
}

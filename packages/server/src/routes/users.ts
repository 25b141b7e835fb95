/** `/api/users` (admin only): accounts and roles. The last enabled admin can be neither demoted, disabled nor deleted. */
import { CreateUser, OneUser, UpdateUser, UserId, UserList } from '@tellflow/api';
import { hashPassword } from '../auth/password.ts';
import { checkPasswordPolicy } from '../auth/password-policy.ts';
import type { Deps } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';
import { deleteUserSessions } from '../sql/sessions.ts';
import { deleteUser, getUser, insertUser, listUsers, lockActiveAdmins, updateUser, type UserPatch } from '../sql/users.ts';

export function userRoutes({ db, options }: Deps) {
  const api = routeGroup('/api/users', 'users');
  const admin = ['admin'] as const;

  api.get('/', { summary: 'List users', access: admin, response: UserList }, async (c) => c.json({ users: await listUsers(db) }));

  api.post(
    '/',
    { summary: 'Create a user', access: admin, body: CreateUser, response: OneUser, status: 201, errors: [409, 503], idempotent: true },
    async (c, { body }) => {
      const { password, ...rest } = body;
      checkPasswordPolicy(password, body.username, 'password');
      const passwordHash = await hashPassword(password, options.scrypt, options.hashGate);
      const user = await db.transaction((tx) => insertUser(tx, { ...rest, passwordHash }));
      if (!user) throw conflict(`the username "${body.username}" is taken`);
      return c.json({ user }, 201);
    },
  );

  api.patch(
    '/:id',
    {
      summary: 'Change role, password, display name, extensions or disabled',
      access: admin,
      params: UserId,
      body: UpdateUser,
      response: OneUser,
      errors: [404, 409, 503],
    },
    async (c, { params, body }) => {
      const { password, ...rest } = body;
      if (password !== undefined) {
        const target = await getUser(db, params.id);
        if (!target) throw notFound(`user "${params.id}"`);
        checkPasswordPolicy(password, target.username, 'password');
      }
      const patch: UserPatch = { ...rest, ...(password !== undefined ? { passwordHash: await hashPassword(password, options.scrypt, options.hashGate) } : {}) };
      const user = await db.transaction(async (tx) => {
        const admins = await lockActiveAdmins(tx);
        const losesAdmin = (body.role !== undefined && body.role !== 'admin') || body.disabled === true;
        if (losesAdmin && admins.length === 1 && admins[0] === params.id) throw conflict('this is the last enabled admin: make another admin first');
        const updated = await updateUser(tx, params.id, patch);
        if (!updated) throw notFound(`user "${params.id}"`);
        // A new password or a disabled account ends the user's sessions.
        if (password !== undefined || body.disabled === true) await deleteUserSessions(tx, params.id);
        return updated;
      });
      return c.json({ user });
    },
  );

  api.delete('/:id', { summary: 'Delete a user', access: admin, params: UserId, status: 204, errors: [404, 409] }, async (c, { params }) => {
    await db.transaction(async (tx) => {
      const admins = await lockActiveAdmins(tx);
      if (admins.length === 1 && admins[0] === params.id) throw conflict('this is the last enabled admin: make another admin first');
      if (!(await deleteUser(tx, params.id))) throw notFound(`user "${params.id}"`);
    });
    return c.body(null, 204);
  });

  return api.group;
}

/** Accounts, sign-in and sessions. */
import { z } from 'zod';
import { DateTime, Role } from './common.ts';

export const Username = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'must start with a letter or digit and contain only letters, digits, "_", ".", "@" and "-"');

export const Password = z.string().min(10, 'must be at least 10 characters').max(1024, 'must be at most 1024 characters');

export const OperatorNumber = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9+*#_.-]+$/, 'may contain only letters, digits and "+*#_.-"');

/** A user's extensions: operator numbers, none repeated. */
export const Extensions = z
  .array(OperatorNumber)
  .max(20, 'at most 20 extensions')
  .refine((xs) => new Set(xs).size === xs.length, 'must not repeat a number');

const DisplayName = z.string().min(1, 'must not be empty').max(200);

/** A user as the API shows it (never the password hash). */
export const User = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: Role,
  /** The operator numbers the telephony layer rings for this user (an agent has one or more). */
  extensions: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: DateTime,
});
export type User = z.infer<typeof User>;

export const Login = z.object({
  username: z.string().min(1, 'must not be empty').max(200),
  password: z.string().min(1, 'must not be empty').max(1024),
});
export const ChangePassword = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: Password });
export const Me = z.object({ user: User });
export const Session = z.object({ user: User.nullable() });

export const CreateUser = z.object({
  username: Username,
  password: Password,
  role: Role,
  displayName: DisplayName.optional(),
  extensions: Extensions.optional(),
});
export const UpdateUser = z
  .object({
    role: Role.optional(),
    password: Password.optional(),
    displayName: DisplayName.nullable().optional(),
    /** Replaces the user's extensions. */
    extensions: Extensions.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export const UserId = z.object({ id: z.uuid() });
export const OneUser = z.object({ user: User });
export const UserList = z.object({ users: z.array(User) });

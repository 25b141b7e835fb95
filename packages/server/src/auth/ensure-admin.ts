/**
 * First start: with no users at all, create `admin` with the password from
 * TELLFLOW_ADMIN_PASSWORD, or a generated one that is printed once through
 * `print` (stdout) and never logged anywhere else.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '@tellflow/db';
import { countUsers, insertFirstUser } from '../sql/users.ts';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from './password.ts';
import { passwordProblem } from './password-policy.ts';

export const ADMIN_USERNAME = 'admin';

export type EnsureAdminResult = { created: false } | { created: true; generated: boolean };

export async function ensureAdmin(
  db: Database,
  env: NodeJS.ProcessEnv,
  print: (text: string) => void,
  scrypt: ScryptParams = DEFAULT_SCRYPT,
): Promise<EnsureAdminResult> {
  if ((await countUsers(db)) > 0) return { created: false };
  const given = env.TELLFLOW_ADMIN_PASSWORD;
  const problem = given === undefined ? undefined : passwordProblem(given, ADMIN_USERNAME);
  if (problem) throw new Error(`TELLFLOW_ADMIN_PASSWORD ${problem}`);
  const password = given ?? randomBytes(18).toString('base64url');
  const user = await insertFirstUser(db, {
    username: ADMIN_USERNAME,
    passwordHash: await hashPassword(password, scrypt),
    role: 'admin',
    displayName: 'Administrator',
  });
  if (!user) return { created: false }; // another process created the first user meanwhile
  if (given !== undefined) print(`Created the first user "${ADMIN_USERNAME}" with the password from TELLFLOW_ADMIN_PASSWORD.\n`);
  else {
    print(
      `\n  Created the first user "${ADMIN_USERNAME}" with the generated password:\n\n      ${password}\n\n` +
        '  It is shown only this once: sign in and change it (or set TELLFLOW_ADMIN_PASSWORD before the first start).\n\n',
    );
  }
  return { created: true, generated: given === undefined };
}

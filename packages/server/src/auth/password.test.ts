import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';

const cheap = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('are scrypt$N$r$p$salt$hash with a random salt, and verify', async () => {
    const a = await hashPassword('correct horse', cheap);
    const b = await hashPassword('correct horse', cheap);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse!', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('use the default cost unless told otherwise', async () => {
    expect(await hashPassword('x'.repeat(8))).toMatch(/^scrypt\$32768\$8\$3\$/);
  });

  it('verify with the parameters stored in the hash', async () => {
    const stronger = await hashPassword('pw', { N: 2048, r: 4, p: 2 });
    expect(await verifyPassword('pw', stronger)).toBe(true);
  });

  it('treat unreadable or tampered hashes as a wrong password instead of throwing', async () => {
    const good = await hashPassword('pw', cheap);
    const [, , r, p, salt, key] = good.split('$');
    for (const bad of [
      '',
      'plain',
      `bcrypt$1024$${r}$${p}$${salt}$${key}`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`,
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`,
      `scrypt$1024$${r}$${p}$${salt}`,
      `scrypt$1024$${r}$${p}$${salt}$${key}$x`,
    ]) {
      expect(await verifyPassword('pw', bad), bad).toBe(false);
    }
    expect(await verifyPassword('pw', `scrypt$1024$${r}$${p}$${salt}$${key!.slice(0, 10)}`)).toBe(false);
  });
});

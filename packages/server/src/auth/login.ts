/**
 * Sign-in: rate limit (per username and per client address, counted in the
 * database), then a constant-time password check — also for unknown users,
 * against a dummy hash, so timing does not tell which usernames exist.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { blockedUntil, clearFailures, recordFailure } from '../sql/login-failures.ts';
import type { User } from '@tellflow/api';
import { findLogin } from '../sql/users.ts';
import { hashPassword, verifyPassword } from './password.ts';

export interface LoginAttempt {
  username: string;
  password: string;
  ip: string;
}

export function loginChecker({ db, clock, options }: Deps) {
  let dummy: Promise<string> | undefined;
  const window = options.loginWindowMs;

  return async function checkLogin({ username, password, ip }: LoginAttempt): Promise<User> {
    const userKey = `user:${username.toLowerCase()}`;
    const limits = [
      { key: userKey, max: options.loginMaxFailuresPerUser },
      { key: `ip:${ip}`, max: options.loginMaxFailuresPerIp },
    ];
    const until = await blockedUntil(db, limits, clock.now(), window);
    if (until !== undefined) {
      const seconds = Math.max(1, Math.ceil((until - clock.now()) / 1000));
      throw new ApiError(429, `too many failed sign-ins; try again in ${seconds} s`, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
    }
    const user = await findLogin(db, username);
    dummy ??= hashPassword(randomBytes(16).toString('hex'), options.scrypt);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummy));
    if (!user || !ok || user.disabled) {
      await recordFailure(
        db,
        limits.map((l) => l.key),
        clock.now(),
        window,
      );
      throw new ApiError(401, 'wrong username or password');
    }
    await clearFailures(db, userKey);
    const { passwordHash: _, ...safe } = user;
    return safe;
  };
}

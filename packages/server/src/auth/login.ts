/**
 * Sign-in: the attempt is counted first (sql/login-throttle.ts: one atomic
 * statement), then refused with 429 without a password check while its
 * (username, address) pair must wait or a ceiling is exceeded; otherwise the
 * password is checked in constant time — also for unknown users, against a
 * dummy hash, so timing does not tell which usernames exist — through the
 * process's bounded hashing queue.
 *
 * An attacker at one address meets a doubling delay for the pair; the
 * per-user ceiling counts failures from all addresses and is high, so the
 * real user elsewhere keeps signing in; a success clears its pair's delay.
 */
import { randomBytes } from 'node:crypto';
import type { User } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { type AttemptKeys, clearAfterSuccess, countAttempt, refundAttempt, type ThrottlePolicy } from '../sql/login-throttle.ts';
import { findLogin } from '../sql/users.ts';
import { hashPassword, verifyPassword } from './password.ts';

export interface LoginAttempt {
  username: string;
  password: string;
  ip: string;
}

const tooMany = (ms: number, why: string) => {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new ApiError(429, `too many failed sign-ins ${why}; try again in ${seconds} s`, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
};

export function throttlePolicy(o: Deps['options']): ThrottlePolicy {
  return {
    freeFailures: o.loginFreeFailures,
    baseDelayMs: o.loginDelayBaseMs,
    maxDelayMs: o.loginDelayMaxMs,
    forgetAfterMs: Math.max(24 * 3600_000, o.loginDelayMaxMs * 4),
    maxPerUser: o.loginMaxFailuresPerUser,
    maxPerAddress: o.loginMaxFailuresPerIp,
    windowMs: o.loginWindowMs,
  };
}

export function loginChecker({ db, clock, options }: Deps) {
  let dummy: Promise<string> | undefined;
  const policy = throttlePolicy(options);
  const gate = options.hashGate;

  return async function checkLogin({ username, password, ip }: LoginAttempt): Promise<User> {
    const keys: AttemptKeys = { username: username.toLowerCase(), address: ip };
    const counted = await countAttempt(db, keys, clock.now(), policy);
    if (counted.kind === 'delayed') throw tooMany(counted.until - clock.now(), 'for this username from this address');
    const over = [
      { level: counted.userLevel, max: policy.maxPerUser, why: 'for this username' },
      { level: counted.addressLevel, max: policy.maxPerAddress, why: 'from this address' },
    ].filter((c) => c.level > c.max);
    if (over.length) {
      await refundAttempt(db, keys, policy);
      // The bucket drains `max` per window: it is back at the ceiling after (level - max) of those steps.
      const waits = over.map((c) => ({ ms: ((c.level - c.max) * policy.windowMs) / c.max, why: c.why }));
      const longest = waits.reduce((a, b) => (b.ms > a.ms ? b : a));
      throw tooMany(longest.ms, longest.why);
    }
    let ok: boolean;
    let user: Awaited<ReturnType<typeof findLogin>>;
    try {
      user = await findLogin(db, username);
      dummy ??= hashPassword(randomBytes(16).toString('hex'), options.scrypt, gate);
      ok = await verifyPassword(password, user?.passwordHash ?? (await dummy), gate);
    } catch (e) {
      // Not checked (the hashing queue is full, the database failed): not a failure either.
      await refundAttempt(db, keys, policy);
      throw e;
    }
    if (!user || !ok || user.disabled) throw new ApiError(401, 'wrong username or password');
    await clearAfterSuccess(db, keys);
    const { passwordHash: _, ...safe } = user;
    return safe;
  };
}

/**
 * Password hashes: scrypt (node:crypto) with a random salt per password,
 * stored as `scrypt$N$r$p$salt$hash` (salt and hash base64url) so the cost
 * can be raised later without breaking existing hashes. Verification derives
 * with the stored parameters and compares in constant time. Every
 * derivation passes through a HashGate (default: the process's), which bounds
 * how many run at once.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { DEFAULT_HASH_GATE, type HashGate } from './hash-gate.ts';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** One of OWASP's scrypt settings (N=2^15, r=8, p=3): 32 MiB and about 0.1 s per hash. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 3 };

const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Parameters read from a stored hash are bounded, so a tampered row cannot make a sign-in allocate gigabytes. */
const MAX_N = 2 ** 20;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, options, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT, gate: HashGate = DEFAULT_HASH_GATE): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await gate.run(() => derive(password, salt, params));
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong password and for a hash it cannot read (never throws on bad stored data). */
export async function verifyPassword(password: string, stored: string, gate: HashGate = DEFAULT_HASH_GATE): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await gate.run(() => derive(password, parsed.salt, parsed.params));
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length || !salt || !key) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const valid = Number.isInteger(params.N) && params.N > 1 && params.N <= MAX_N && (params.N & (params.N - 1)) === 0;
  if (!valid || ![params.r, params.p].every((x) => Number.isInteger(x) && x >= 1 && x <= 16)) return undefined;
  return { params, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

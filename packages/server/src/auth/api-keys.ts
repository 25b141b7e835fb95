/**
 * API key secrets: `tfk_` + 256 random bits (base64url). The prefix makes a
 * leaked key easy to recognise (secret scanners) and tells the bearer
 * middleware an API key from a customer token. Only the SHA-256 is stored —
 * a slow hash buys nothing against 256 random bits — and the first
 * characters, to tell keys apart in lists.
 */
import { randomBytes } from 'node:crypto';
import type { ApiKey, ApiKeyScope } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import { insertApiKey } from '../sql/api-keys.ts';
import { hashToken } from './tokens.ts';

export const API_KEY_PREFIX = 'tfk_';
/** `tfk_` and 8 characters of the secret: shown in lists, never enough to use. */
const VISIBLE = API_KEY_PREFIX.length + 8;

export interface NewSecret {
  secret: string;
  prefix: string;
  hash: string;
}

export function newApiKeySecret(): NewSecret {
  const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { secret, prefix: secret.slice(0, VISIBLE), hash: hashToken(secret) };
}

export const looksLikeApiKey = (value: string) => value.startsWith(API_KEY_PREFIX);

/** Stores a new key and returns it with its secret — the only time the secret is anywhere but with the caller (API and CLI). */
export async function createApiKey(
  q: Queryable,
  o: { name: string; scopes: readonly ApiKeyScope[]; createdBy: string | null; now: Date },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const { secret, prefix, hash } = newApiKeySecret();
  return { apiKey: await insertApiKey(q, { ...o, prefix, secretHash: hash }), secret };
}

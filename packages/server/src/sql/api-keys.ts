/** API keys: the rows behind /api/api-keys and `tellflow api-keys`, the statement that authenticates a key for minting, and the recent revocations. */
import type { ApiKey, ApiKeyScope } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';

const COLUMNS = `id, name, prefix, scopes, created_by as "createdBy", created_at as "createdAt", revoked_at as "revokedAt"`;

export interface NewApiKey {
  name: string;
  prefix: string;
  secretHash: string;
  scopes: readonly ApiKeyScope[];
  createdBy: string | null;
  now: Date;
}

export async function insertApiKey(q: Queryable, k: NewApiKey): Promise<ApiKey> {
  const { rows } = await q.query<ApiKey>(
    `insert into api_keys (name, prefix, secret_hash, scopes, created_by, created_at) values ($1, $2, $3, $4::text[], $5, $6) returning ${COLUMNS}`,
    [k.name, k.prefix, k.secretHash, k.scopes, k.createdBy, k.now],
  );
  return rows[0]!;
}

/** Every key, revoked ones too (for the record), newest first. */
export async function listApiKeys(q: Queryable): Promise<ApiKey[]> {
  return (await q.query<ApiKey>(`select ${COLUMNS} from api_keys order by created_at desc, id`)).rows;
}

/** Revokes the key (a second revoke keeps the first time); undefined when there is no such key. */
export async function revokeApiKey(q: Queryable, id: string, now: Date): Promise<ApiKey | undefined> {
  const { rows } = await q.query<ApiKey>(`update api_keys set revoked_at = coalesce(revoked_at, $2) where id = $1 returning ${COLUMNS}`, [id, now]);
  return rows[0];
}

/** The ids of keys revoked after `since`: older revocations need no check, their tokens have all expired. */
export async function revokedSince(q: Queryable, since: Date): Promise<string[]> {
  return (await q.query<{ id: string }>('select id from api_keys where revoked_at is not null and revoked_at > $1', [since])).rows.map((r) => r.id);
}

export interface MintPolicy {
  /** Mints a key may make at once after a pause (the bucket's size). */
  burst: number;
  /** How fast the bucket drains, in mints per second. */
  perSecond: number;
}

export type MintCheck =
  | { kind: 'unknown' }
  | { kind: 'revoked'; id: string }
  | { kind: 'noScope'; id: string }
  | { kind: 'throttled'; id: string; retryAfterMs: number }
  | { kind: 'allowed'; id: string };

/**
 * Finds the key by its hash and, if it may mint, counts one mint in its
 * leaky bucket — one statement, the row locked, so parallel mints on every
 * process count exactly. A refused mint is not counted.
 */
export async function checkMint(q: Queryable, secretHash: string, scope: ApiKeyScope, now: Date, p: MintPolicy): Promise<MintCheck> {
  const { rows } = await q.query<{ id: string; revoked: boolean; scoped: boolean; drained: number }>(
    `with k as (
       select id, revoked_at is not null as revoked, $3 = any(scopes) as scoped,
         greatest(0, mint_level - greatest(0, extract(epoch from ($2::timestamptz - coalesce(mint_level_at, $2::timestamptz)))) * $4::float8) as drained
       from api_keys where secret_hash = $1 for update
     ), counted as (
       update api_keys a set mint_level = k.drained + 1, mint_level_at = $2
       from k where a.id = k.id and not k.revoked and k.scoped and k.drained + 1 <= $5::float8
     )
     select id, revoked, scoped, drained from k`,
    [secretHash, now, scope, p.perSecond, p.burst],
  );
  const r = rows[0];
  if (!r) return { kind: 'unknown' };
  if (r.revoked) return { kind: 'revoked', id: r.id };
  if (!r.scoped) return { kind: 'noScope', id: r.id };
  const drained = Number(r.drained);
  if (drained + 1 > p.burst) return { kind: 'throttled', id: r.id, retryAfterMs: ((drained + 1 - p.burst) / p.perSecond) * 1000 };
  return { kind: 'allowed', id: r.id };
}

/** The HMAC secrets customer tokens are signed with (table token_signing_keys), shared by every server process. */
import type { Queryable } from '@tellflow/db';

export interface SigningKeyRow {
  kid: number;
  secret: string;
  retired: boolean;
}

export async function loadSigningKeys(q: Queryable): Promise<SigningKeyRow[]> {
  return (await q.query<SigningKeyRow>('select kid, secret, retired_at is not null as retired from token_signing_keys order by kid')).rows;
}

/**
 * Creates a key with `secret` when none is in use (none yet, or all retired),
 * numbered after the last; processes racing here agree on whichever row was
 * written first (the same `kid`: the others do nothing).
 */
export async function ensureSigningKey(q: Queryable, secret: string, now: Date): Promise<void> {
  await q.query(
    `insert into token_signing_keys (kid, secret, created_at)
     select coalesce(max(kid), 0) + 1, $1, $2 from token_signing_keys
     having bool_and(retired_at is not null) is not false
     on conflict (kid) do nothing`,
    [secret, now],
  );
}

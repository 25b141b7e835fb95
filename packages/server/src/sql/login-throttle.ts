/**
 * Sign-in throttling in the database, so every server process shares it.
 *
 * `countAttempt` records an attempt BEFORE the password is checked, in one
 * statement: concurrent attempts serialize on the rows' locks, so N parallel
 * attempts count N. It
 *   - raises the (username, address) pair's failure count and sets when its
 *     next attempt may come (a delay that doubles after `freeFailures`),
 *     unless the pair is still waiting: then nothing is counted at all;
 *   - otherwise raises the per-user and per-address leaky buckets by one.
 * The caller then refunds what turns out not to be a failure (`refundAttempt`,
 * `clearAfterSuccess`).
 */
import type { Queryable } from '@tellflow/db';

export interface ThrottlePolicy {
  /** Failures in a row a pair may have before its attempts are delayed. */
  freeFailures: number;
  /** The first delay; each further failure doubles it up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A pair whose last failure is older than this starts again from zero. */
  forgetAfterMs: number;
  /** Ceilings: failures per `windowMs` for one username (from all addresses) and from one address (for all usernames). */
  maxPerUser: number;
  maxPerAddress: number;
  windowMs: number;
}

export interface AttemptKeys {
  username: string;
  address: string;
}

export type Counted =
  /** The pair must still wait: nothing was counted. */
  | { kind: 'delayed'; until: number }
  /** Counted; the bucket levels include this attempt. */
  | { kind: 'counted'; failures: number; userLevel: number; addressLevel: number };

export const userKey = (username: string) => `user:${username}`;
export const addressKey = (address: string) => `ip:${address}`;

/** The delay after `f` failures in a row, as an SQL interval ($4 free failures, $5 base ms, $6 max ms). */
const delayAfter = (f: string) =>
  `(case when ${f} >= $4::int then least($6::float8, $5::float8 * power(2::float8, least(${f} - $4::int, 60))) else 0 end) * interval '1 millisecond'`;

const COUNT_ATTEMPT = `
with gone_pairs as (
  -- Old rows another attempt holds are left for a later one: waiting on them while holding our own could deadlock.
  delete from login_delays where ctid = any(array(
    select ctid from login_delays where last_failure_at <= $7::timestamptz and not (username = $1 and address = $2) for update skip locked))
), gone_buckets as (
  delete from login_buckets where ctid = any(array(
    select ctid from login_buckets
    where updated_at <= $3::timestamptz - $12::float8 * interval '1 millisecond' and key <> all(array[$8, $9]::text[]) for update skip locked))
), pair as (
  insert into login_delays as d (username, address, failures, last_failure_at, next_attempt_at)
  values ($1, $2, 1, $3::timestamptz, $3::timestamptz + ${delayAfter('1')})
  on conflict (username, address) do update set
    failures = case when d.last_failure_at <= $7::timestamptz then 1 else d.failures + 1 end,
    last_failure_at = $3::timestamptz,
    next_attempt_at = $3::timestamptz + ${delayAfter('(case when d.last_failure_at <= $7::timestamptz then 1 else d.failures + 1 end)')}
  where d.next_attempt_at <= $3::timestamptz
  returning failures
), buckets as (
  insert into login_buckets as b (key, level, updated_at)
  -- In key order, as the refunds' updates lock them (by the key's index): the same order everywhere, so no deadlock.
  select k, 1, $3::timestamptz from unnest(array[$8, $9]::text[]) as k where exists (select 1 from pair) order by k
  on conflict (key) do update set
    level = greatest(0, b.level - extract(epoch from ($3::timestamptz - b.updated_at)) * 1000
                       * (case when b.key = $8 then $10::float8 else $11::float8 end)) + 1,
    updated_at = $3::timestamptz
  returning key, level
)
select (select failures from pair) as failures,
       (select next_attempt_at from login_delays where username = $1 and address = $2) as waiting_until,
       (select level from buckets where key = $8) as user_level,
       (select level from buckets where key = $9) as address_level`;

export async function countAttempt(q: Queryable, k: AttemptKeys, now: number, p: ThrottlePolicy): Promise<Counted> {
  const { rows } = await q.query<{ failures: number | null; waiting_until: Date | null; user_level: number | null; address_level: number | null }>(
    COUNT_ATTEMPT,
    [
      k.username,
      k.address,
      new Date(now),
      p.freeFailures,
      p.baseDelayMs,
      p.maxDelayMs,
      new Date(now - p.forgetAfterMs),
      userKey(k.username),
      addressKey(k.address),
      p.maxPerUser / p.windowMs,
      p.maxPerAddress / p.windowMs,
      p.windowMs,
    ],
  );
  const r = rows[0]!;
  if (r.failures === null) {
    // The row read here is the one from before this statement; a pair created meanwhile by a parallel attempt reads as absent.
    return { kind: 'delayed', until: Math.max(r.waiting_until?.getTime() ?? 0, now + 1000) };
  }
  return { kind: 'counted', failures: r.failures, userLevel: Number(r.user_level), addressLevel: Number(r.address_level) };
}

/**
 * Takes back an attempt that was counted but whose password was never
 * checked (a ceiling or the hashing queue refused it): one failure off the
 * pair, its wait recomputed from the remaining ones, and one off each bucket.
 */
export async function refundAttempt(q: Queryable, k: AttemptKeys, p: ThrottlePolicy): Promise<void> {
  await q.query(
    `with pair as (
       update login_delays set failures = greatest(failures - 1, 0),
         next_attempt_at = last_failure_at + ${delayAfter('greatest(failures - 1, 0)')}
       where username = $1 and address = $2
     )
     update login_buckets set level = greatest(level - 1, 0) where key = any(array[$3, $7]::text[])`,
    [k.username, k.address, userKey(k.username), p.freeFailures, p.baseDelayMs, p.maxDelayMs, addressKey(k.address)],
  );
}

/** A correct password: the pair starts again from zero and the attempt leaves the buckets. */
export async function clearAfterSuccess(q: Queryable, k: AttemptKeys): Promise<void> {
  await q.query(
    `with pair as (delete from login_delays where username = $1 and address = $2)
     update login_buckets set level = greatest(level - 1, 0) where key = any(array[$3, $4]::text[])`,
    [k.username, k.address, userKey(k.username), addressKey(k.address)],
  );
}

/**
 * `Idempotency-Key` on the API's creates (as Stripe does it and the IETF
 * draft "The Idempotency-Key HTTP Header Field" describes): a client that
 * repeats a request with the same key gets the first answer again, never a
 * second execution, user or task.
 *
 *   1. The key is claimed by inserting its row (user, key, method, path,
 *      fingerprint) before the create runs; PostgreSQL's unique key makes the
 *      first of any number of processes win. The row is "in progress" while
 *      its holder works, and the holder keeps it so (every IN_PROGRESS_MS/3).
 *   2. The response is stored with the key: in the create's own transaction
 *      where the route can (`c.var.idempotency.record(tx, …)`, e.g. POST
 *      /api/executions, so a process killed at any moment leaves either both
 *      the execution and its answer or neither), otherwise right after it.
 *      Answers below 500 are stored, errors included ("the first answer
 *      wins"); after a 5xx the key is released so the client may try again.
 *   3. A repeat: same method, path, query and body → the stored response with
 *      `Idempotent-Replayed: true`; another path or body → 422; the first
 *      still in progress → 409 with Retry-After.
 *
 * A holder that died (kill -9) leaves its key in progress: after
 * IN_PROGRESS_MS without a keep-alive a repeat takes the key over and runs
 * the request. For a create stored in its own transaction that is exact; for
 * the others a kill between the create's commit and the answer's write (a
 * few milliseconds) means the repeat creates again.
 * Keys live KEEP_MS (24 h); expired rows are deleted as new keys come in
 * (at most once a minute per process) or by `pruneIdempotencyKeys`.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from '@tellflow/api';
import type { Clock } from '@tellflow/clock';
import type { Database, Queryable } from '@tellflow/db';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv, Log } from '../context.ts';
import { ApiError, badRequest, unprocessable } from '../errors.ts';
import { rawBody, type RawBodySpec } from '../http/raw-body.ts';

export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH };
/** How long a key and its answer are kept. */
export const KEEP_MS = 24 * 3600_000;
/** How long a key stays "in progress" without a keep-alive from its holder. */
export const IN_PROGRESS_MS = 30_000;
const PRUNE_EVERY_MS = 60_000;

/** What a route that runs its create in one transaction uses to store its answer in it. */
export interface IdempotencyClaim {
  /**
   * Stores the answer (a JSON body) with the key through `q`, the create's
   * transaction. Throws a 409 when this request no longer holds the key (it
   * was taken over after IN_PROGRESS_MS): the create must then not commit.
   */
  record(q: Queryable, status: number, body: unknown): Promise<void>;
}

/** The keys' table, shared by every idempotent route of an app (mounted by app.ts as `c.var.idempotencyKeys`). */
export class IdempotencyKeys {
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: { db: Database; clock: Clock; log: Log }) {}

  /** The route middleware: `raw` for an operation whose body is a streamed file. */
  guard(raw?: RawBodySpec): MiddlewareHandler<AppEnv> {
    return (c, next) => this.handle(c, next, raw);
  }

  private async handle(c: Context<AppEnv>, next: () => Promise<void>, raw: RawBodySpec | undefined): Promise<Response | undefined> {
    const header = c.req.header(IDEMPOTENCY_KEY_HEADER);
    if (header === undefined) {
      await next();
      return;
    }
    const key = parseKey(header);
    const user = c.get('user');
    // Creates are never public; without a user there is no one to scope the key to.
    if (!user) {
      await next();
      return;
    }
    const { db, clock } = this.o;
    const url = new URL(c.req.url);
    const request = { userId: user.id, key, method: c.req.method, path: url.pathname };
    // The query belongs to the request (`?publish=true`, an import's mapping): it is hashed with the body.
    const hash = createHash('sha256').update(`${url.search}\n`);
    const fingerprint = raw ? null : hash.update(new Uint8Array(await c.req.arrayBuffer())).digest('hex');
    const now = clock.now();
    await this.maybePrune(now);

    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      if (await claim(db, { ...request, fingerprint, token, now })) break;
      const held = await loadKey(db, user.id, key);
      // Released or expired between the two statements: claim again.
      if (!held && attempt < 3) continue;
      if (!held) throw new ApiError(409, `the Idempotency-Key "${key}" is in use by another request: try again`);
      if (held.method !== request.method || held.path !== request.path) {
        throw unprocessable(`the Idempotency-Key "${key}" was used for ${held.method} ${held.path}, not ${request.method} ${request.path}`, {
          method: held.method,
          path: held.path,
        });
      }
      let ours = fingerprint;
      if (raw && held.fingerprint !== null) ours = await hashStream(hash, rawBody(c, raw).chunks);
      if (held.fingerprint !== null && ours !== null && held.fingerprint !== ours) {
        throw unprocessable(`the Idempotency-Key "${key}" was used with another request body or query`);
      }
      if (held.status === null) {
        const seconds = Math.max(1, Math.ceil((held.lockedUntil.getTime() - now) / 1000));
        throw new ApiError(
          409,
          `a request with the Idempotency-Key "${key}" is still being processed: repeat it later for its answer`,
          { retryAfter: seconds },
          { 'Retry-After': String(seconds) },
        );
      }
      return new Response(held.body, {
        status: held.status,
        headers: { 'content-type': held.contentType ?? 'application/json', [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
      });
    }

    // This request holds the key: run it, keep the key alive meanwhile, then store (or release) its answer.
    let recorded = false;
    const holder = { ...request, token };
    c.set('idempotency', {
      record: async (q, status, body) => {
        if (!(await storeAnswer(q, holder, { status, contentType: 'application/json', body: JSON.stringify(body), fingerprint }))) throw lostKey(key);
        recorded = true;
      },
    });
    let streamed: (() => string | null) | undefined;
    if (raw) streamed = hashRequestBody(c, hash);
    const keepAlive = setInterval(() => {
      void extendLock(db, holder, clock.now() + IN_PROGRESS_MS).catch((e: unknown) => this.o.log('idempotency key keep-alive failed', { error: String(e) }));
    }, IN_PROGRESS_MS / 3);
    keepAlive.unref();
    try {
      await next();
    } finally {
      clearInterval(keepAlive);
    }
    const res = c.res;
    // Both are no-ops when the route's transaction already stored the answer (the key is no longer in progress).
    if (res.status >= 500) {
      await releaseKey(db, holder);
      return;
    }
    const stored = await storeAnswer(db, holder, {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: await res.clone().text(),
      fingerprint: streamed ? streamed() : fingerprint,
    });
    if (!stored && !recorded) this.o.log('an idempotency key was taken over while its request ran', { method: request.method, path: request.path });
  }

  private async maybePrune(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await pruneIdempotencyKeys(this.o.db, now);
  }
}

/** Deletes the keys kept past KEEP_MS. Returns how many. */
export async function pruneIdempotencyKeys(db: Queryable, now: number): Promise<number> {
  return (await db.query('delete from idempotency_keys where expires_at <= $1', [new Date(now)])).rowCount;
}

/** The header's value: an sf-string (`"…"`, as the draft writes it) or the bare text (as Stripe's clients send it). */
export function parseKey(header: string): string {
  const quoted = /^"((?:[^"\\]|\\["\\])*)"$/.exec(header.trim());
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : header.trim();
  if (key === '') throw badRequest(`the ${IDEMPOTENCY_KEY_HEADER} header is empty`);
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    throw badRequest(`the ${IDEMPOTENCY_KEY_HEADER} header is ${key.length} characters long; at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are allowed`);
  if (!/^[\x20-\x7e]+$/.test(key)) throw badRequest(`the ${IDEMPOTENCY_KEY_HEADER} header may hold only printable ASCII characters`);
  return key;
}

const lostKey = (key: string) =>
  new ApiError(409, `the Idempotency-Key "${key}" was taken over by a repeat of this request while it ran: nothing was done; repeat it for the answer`);

/** Replaces the request's body by one that hashes what passes; the returned function gives the hash once the body was read to its end. */
function hashRequestBody(c: Context, hash: Hash): () => string | null {
  const body = c.req.raw.body;
  if (!body) {
    const digest = hash.digest('hex');
    return () => digest;
  }
  let digest: string | null = null;
  const hashed = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        hash.update(chunk);
        out.enqueue(chunk);
      },
      flush() {
        digest = hash.digest('hex');
      },
    }),
  );
  c.req.raw = new Request(c.req.raw, { body: hashed, duplex: 'half' } as RequestInit);
  return () => digest;
}

async function hashStream(hash: Hash, chunks: AsyncIterable<Uint8Array>): Promise<string> {
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

interface KeyRef {
  userId: string;
  key: string;
  token: string;
}

interface HeldKey {
  method: string;
  path: string;
  fingerprint: string | null;
  status: number | null;
  contentType: string | null;
  body: string | null;
  lockedUntil: Date;
}

/**
 * Inserts the key in progress, or takes over one that expired or whose
 * holder stopped keeping it (the same request only). True when this request
 * now holds it.
 */
async function claim(db: Queryable, k: KeyRef & { method: string; path: string; fingerprint: string | null; now: number }): Promise<boolean> {
  const r = await db.query(
    `insert into idempotency_keys as k (user_id, key, method, path, fingerprint, token, created_at, locked_until, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (user_id, key) do update set method = excluded.method, path = excluded.path, fingerprint = excluded.fingerprint,
       token = excluded.token, status = null, content_type = null, body = null, created_at = excluded.created_at,
       locked_until = excluded.locked_until, expires_at = excluded.expires_at
     where k.expires_at <= excluded.created_at
        or (k.status is null and k.locked_until <= excluded.created_at and k.method = excluded.method and k.path = excluded.path
            and k.fingerprint is not distinct from excluded.fingerprint)
     returning k.token`,
    [k.userId, k.key, k.method, k.path, k.fingerprint, k.token, new Date(k.now), new Date(k.now + IN_PROGRESS_MS), new Date(k.now + KEEP_MS)],
  );
  return r.rowCount === 1;
}

async function loadKey(db: Queryable, userId: string, key: string): Promise<HeldKey | undefined> {
  const r = await db.query<{
    method: string;
    path: string;
    fingerprint: string | null;
    status: number | null;
    content_type: string | null;
    body: string | null;
    locked_until: Date;
  }>('select method, path, fingerprint, status, content_type, body, locked_until from idempotency_keys where user_id = $1 and key = $2', [userId, key]);
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    method: row.method,
    path: row.path,
    fingerprint: row.fingerprint,
    status: row.status,
    contentType: row.content_type,
    body: row.body,
    lockedUntil: new Date(row.locked_until),
  };
}

async function storeAnswer(
  q: Queryable,
  k: KeyRef,
  a: { status: number; contentType: string | null; body: string; fingerprint: string | null },
): Promise<boolean> {
  const r = await q.query(
    `update idempotency_keys set status = $4, content_type = $5, body = $6, fingerprint = coalesce(fingerprint, $7)
     where user_id = $1 and key = $2 and token = $3 and status is null`,
    [k.userId, k.key, k.token, a.status, a.contentType, a.body, a.fingerprint],
  );
  return r.rowCount === 1;
}

async function extendLock(db: Queryable, k: KeyRef, until: number): Promise<void> {
  await db.query('update idempotency_keys set locked_until = $4 where user_id = $1 and key = $2 and token = $3 and status is null', [
    k.userId,
    k.key,
    k.token,
    new Date(until),
  ]);
}

async function releaseKey(db: Queryable, k: KeyRef): Promise<void> {
  await db.query('delete from idempotency_keys where user_id = $1 and key = $2 and token = $3 and status is null', [k.userId, k.key, k.token]);
}

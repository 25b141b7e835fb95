/**
 * Customer tokens: compact JWTs (HS256) that the integrator's backend mints
 * with an API key and its web or app clients send as `Authorization: Bearer`.
 *
 *   header  { alg: 'HS256', typ: 'JWT', kid }   kid: the signing key (token_signing_keys)
 *   payload { iss: 'tellflow', aud: 'tellflow-customer', sub, name?, akid, iat, exp }
 *           sub: the integrator's customer id; akid: the API key that minted it
 *
 * Every process verifies them without a database query per request: the
 * signing keys and the list of recently revoked API keys are cached and
 * reloaded once they are `refreshMs` old (one query for both), so a revoked
 * key's tokens stop working on the revoking process at once and on the
 * others within `refreshMs` (default 5 s). A per-request lookup would close
 * that window at the cost of a query on every customer request; tokens live
 * 15 minutes by default anyway. Only revocations younger than the longest
 * token lifetime (24 h) are loaded: older ones' tokens have all expired.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MAX_CUSTOMER_TOKEN_TTL_SECONDS } from '@tellflow/api';
import type { Clock } from '@tellflow/clock';
import type { Queryable } from '@tellflow/db';
import { z } from 'zod';
import type { CustomerViewer } from '../context.ts';
import { ApiError } from '../errors.ts';
import { revokedSince } from '../sql/api-keys.ts';
import { ensureSigningKey, loadSigningKeys } from '../sql/signing-keys.ts';

export const CUSTOMER_AUDIENCE = 'tellflow-customer';
const ISSUER = 'tellflow';
/** Longer is not a token this server made. */
const MAX_TOKEN_LENGTH = 4096;
/** A token naming a signing key the cache does not know reloads it at most this often (a forged `kid` must not cost a query each). */
const UNKNOWN_KID_RELOAD_MS = 1000;

const Header = z.object({ alg: z.literal('HS256'), typ: z.literal('JWT').optional(), kid: z.string().regex(/^[1-9][0-9]{0,8}$/) });
const Claims = z.object({
  iss: z.literal(ISSUER),
  aud: z.literal(CUSTOMER_AUDIENCE),
  sub: z.string().min(1).max(200),
  name: z.string().min(1).max(200).optional(),
  akid: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
});
type Claims = z.infer<typeof Claims>;

/** 401 for a customer token that cannot be used, saying why; the header tells clients to fetch a new one. */
export const invalidToken = (why: string) => new ApiError(401, `the customer token ${why}`, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });

interface Keyring {
  loadedAt: number;
  /** kid → secret; retired keys are absent (their tokens are refused). */
  keys: Map<number, Buffer>;
  /** The key new tokens are signed with: the newest one not retired. */
  newest: number | undefined;
  revoked: Set<string>;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const sign = (input: string, secret: Buffer) => createHmac('sha256', secret).update(input).digest();

export class CustomerTokens {
  private ring: Keyring | undefined;
  private loading: Promise<Keyring> | undefined;
  /** Revoked by this process: kept across reloads, so a reload that started before the revoke committed cannot forget it. */
  private readonly revokedHere = new Set<string>();

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
    private readonly refreshMs: number,
  ) {}

  async mint(o: { apiKeyId: string; subject: string; name?: string | undefined; ttlSeconds: number }): Promise<{ token: string; expiresAt: Date }> {
    let ring = await this.fresh();
    if (ring.newest === undefined) {
      await ensureSigningKey(this.db, randomBytes(32).toString('base64url'), new Date(this.clock.now()));
      ring = await this.reload();
    }
    const kid = ring.newest;
    if (kid === undefined) throw new Error('no customer token signing key after creating one');
    const iat = Math.floor(this.clock.now() / 1000);
    const claims: Claims = {
      iss: ISSUER,
      aud: CUSTOMER_AUDIENCE,
      sub: o.subject,
      ...(o.name !== undefined ? { name: o.name } : {}),
      akid: o.apiKeyId,
      iat,
      exp: iat + o.ttlSeconds,
    };
    const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: String(kid) }))}.${b64(JSON.stringify(claims))}`;
    return { token: `${input}.${b64(sign(input, ring.keys.get(kid)!))}`, expiresAt: new Date(claims.exp * 1000) };
  }

  /** The customer a token names, or a 401 saying what is wrong with it. */
  async verify(token: string): Promise<CustomerViewer> {
    const parts = token.length <= MAX_TOKEN_LENGTH ? token.split('.') : [];
    if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) throw invalidToken('is malformed');
    const [h, p, s] = parts as [string, string, string];
    const header = Header.safeParse(parseJson(h));
    if (!header.success) throw invalidToken('is malformed');
    const kid = Number(header.data.kid);
    let ring = await this.fresh();
    if (!ring.keys.has(kid) && this.clock.now() - ring.loadedAt >= UNKNOWN_KID_RELOAD_MS) ring = await this.reload();
    const secret = ring.keys.get(kid);
    const signature = Buffer.from(s, 'base64url');
    const expected = secret ? sign(`${h}.${p}`, secret) : undefined;
    if (!expected || signature.length !== expected.length || !timingSafeEqual(signature, expected))
      throw invalidToken('is not signed by this server (or was altered)');
    const claims = Claims.safeParse(parseJson(p));
    if (!claims.success) throw invalidToken('is malformed');
    const c = claims.data;
    const expiresAt = new Date(c.exp * 1000);
    if (c.exp * 1000 <= this.clock.now()) throw invalidToken(`expired at ${expiresAt.toISOString()}: ask for a new one`);
    if (ring.revoked.has(c.akid)) throw invalidToken('was minted with an API key that has been revoked');
    return { kind: 'customer', subject: c.sub, name: c.name ?? null, apiKeyId: c.akid, expiresAt };
  }

  /** Called by the process that revokes a key: its tokens stop here at once (other processes: at their next reload). */
  noteRevoked(apiKeyId: string): void {
    this.revokedHere.add(apiKeyId);
    this.ring?.revoked.add(apiKeyId);
  }

  private fresh(): Promise<Keyring> {
    const ring = this.ring;
    return ring && this.clock.now() - ring.loadedAt < this.refreshMs ? Promise.resolve(ring) : this.reload();
  }

  /** One load at a time: concurrent requests share it. */
  private reload(): Promise<Keyring> {
    this.loading ??= (async () => {
      try {
        const now = this.clock.now();
        const [keys, revoked] = await Promise.all([loadSigningKeys(this.db), revokedSince(this.db, new Date(now - MAX_CUSTOMER_TOKEN_TTL_SECONDS * 1000))]);
        const live = keys.filter((k) => !k.retired);
        this.ring = {
          loadedAt: now,
          keys: new Map(live.map((k) => [k.kid, Buffer.from(k.secret, 'base64url')])),
          newest: live.at(-1)?.kid,
          revoked: new Set([...revoked, ...this.revokedHere]),
        };
        return this.ring;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** What every handler can reach: the app's dependencies and the typed context variables. */
import type { Clock } from '@tellflow/clock';
import type { TestRunWorkers } from '@tellflow/runtime/test-run';
import type { Database } from '@tellflow/db';
import type { Runtime } from '@tellflow/runtime';
import type { HashGate } from './auth/hash-gate.ts';
import type { ConcurrencyGate } from './http/gate.ts';
import type { ScryptParams } from './auth/password.ts';
import type { CallDesk } from './call-desk.ts';
import type { ApiError } from './errors.ts';
import type { CustomerTokens } from './auth/customer-tokens.ts';
import type { IdempotencyClaim, IdempotencyKeys } from './middleware/idempotency.ts';
import type { User } from '@tellflow/api';

/** The signed-in user, as loaded from the session cookie on every request. */
export type SessionUser = Pick<User, 'id' | 'username' | 'displayName' | 'role' | 'extensions'>;

/**
 * A customer of an integrator, as its customer token says (auth/customer-tokens.ts):
 * `subject` is the integrator's id for it. Set on requests with
 * `Authorization: Bearer <customer token>`; only routes whose access lists
 * 'customer' let it through.
 */
export interface CustomerViewer {
  kind: 'customer';
  subject: string;
  name: string | null;
  /** The API key that minted the token. */
  apiKeyId: string;
  expiresAt: Date;
}

export interface AppEnv {
  Variables: {
    /** Undefined when the request carries no valid session, or carries an Authorization header (judged by that alone). */
    user: SessionUser | undefined;
    /** A valid customer token's customer (middleware/bearer.ts). */
    customer: CustomerViewer | undefined;
    /** The API key sent as the bearer, not yet checked (only POST /api/customer-tokens takes one). */
    apiKeySecret: string | undefined;
    /** Why the Authorization header cannot be used (a bad or expired token): the 401 a protected route answers. */
    credentialError: ApiError | undefined;
    /** The Idempotency-Key table (set for every API request). */
    idempotencyKeys: IdempotencyKeys;
    /** Set while an idempotent create holds its request's key: how it stores its answer in its own transaction. */
    idempotency: IdempotencyClaim | undefined;
  };
}

/** Structured logging; callers never pass secrets (passwords, cookies, tokens). */
import type { Forwarding, TrustProxy } from './http/forwarded.ts';

export type Log = (message: string, fields?: Record<string, unknown>) => void;

export interface AppOptions {
  /** Request bodies larger than this get 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** The limit for a subscriber CSV upload instead (default 64 MiB). */
  maxImportBytes?: number;
  /** Session lifetime (default 12 h). */
  sessionTtlMs?: number;
  /**
   * Sign-in throttling (auth/login.ts): a (username, address) pair may fail
   * `loginFreeFailures` times in a row; after that each attempt waits
   * `loginDelayBaseMs`, doubling up to `loginDelayMaxMs`. Ceilings: failures
   * per `loginWindowMs` for one username from all addresses, and from one
   * address for all usernames.
   */
  loginFreeFailures?: number;
  loginDelayBaseMs?: number;
  loginDelayMaxMs?: number;
  loginMaxFailuresPerUser?: number;
  loginMaxFailuresPerIp?: number;
  loginWindowMs?: number;
  /** Bounds concurrent password hashing (default: the process's gate, half the cores at once, 32 waiting). */
  hashGate?: HashGate;
  /** A session ends after this long without a request (default 30 min), and at `sessionTtlMs` in any case. */
  sessionIdleMs?: number;
  /** Whose X-Forwarded-For / -Proto / -Host to believe: addresses and CIDRs of the reverse proxies (see http/forwarded.ts). */
  trustProxy?: TrustProxy;
  /** The address people use, e.g. `https://cc.example.com` (the expected Origin; https there makes cookies Secure). */
  publicUrl?: string;
  /** The built web app; default `web/dist` of this repository. */
  webDir?: string;
  /** scrypt cost for new password hashes (tests use a cheap one). */
  scrypt?: ScryptParams;
  /** The bearer token that opens GET /metrics; empty: metrics are off. */
  metricsToken?: string;
  /**
   * Customer tokens: how stale a process's copy of the signing keys and of the
   * revoked API keys may get (default 5 s: a revoked key's tokens work on other
   * processes at most this long), and how many tokens one API key may mint —
   * `customerTokenMintBurst` at once, refilled at `customerTokenMintsPerMinute`.
   */
  customerKeysRefreshMs?: number;
  customerTokenMintBurst?: number;
  customerTokenMintsPerMinute?: number;
  /** Live event streams (GET /api/events): a comment this often keeps each open, and checks its viewer (default 15 s). */
  eventHeartbeatMs?: number;
  /** Open event streams per user or customer (default 5) and per process (default 10,000). */
  maxEventStreamsPerViewer?: number;
  maxEventStreams?: number;
  /**
   * Test runs (POST /api/scenarios/test-run, …/tests/run): how many run at
   * once in this process and how many wait (default: the process's gate, 2
   * and 4; beyond that 503), the real time one run may take (default 10 s),
   * the clock that measures it, and where each run's throwaway database
   * comes from (default: a fresh scratch PGlite). Runs go to worker threads
   * (`testRunWorkers`, default: the process's pool), so a statement that
   * does not finish is cut off with its worker; null runs them in this
   * thread with `testRunSandbox` and `testRunWallClock` (for tests that
   * script the database or the clock).
   */
  testRunWorkers?: TestRunWorkers | null;
  testRunGate?: ConcurrencyGate;
  testRunWallMs?: number;
  testRunWallClock?: () => number;
  testRunSandbox?: () => Promise<Database>;
  log?: Log;
}

/** The resolved dependencies route groups are built from. */
export interface Deps {
  runtime: Runtime;
  db: Database;
  clock: Clock;
  /** Ringing operator calls, answered from the agent page. */
  calls: CallDesk;
  /** Mints and verifies customer tokens (one cache of keys per app). */
  customerTokens: CustomerTokens;
  options: Required<Omit<AppOptions, 'log'>>;
  /** Who is asking and at which address they reached us (behind trusted proxies). */
  forwarding: Forwarding;
  log: Log;
}

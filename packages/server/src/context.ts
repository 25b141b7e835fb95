/** What every handler can reach: the app's dependencies and the typed context variables. */
import type { Clock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import type { Runtime } from '@tellflow/runtime';
import type { HashGate } from './auth/hash-gate.ts';
import type { ScryptParams } from './auth/password.ts';
import type { CallDesk } from './call-desk.ts';
import type { IdempotencyClaim, IdempotencyKeys } from './middleware/idempotency.ts';
import type { User } from '@tellflow/api';

/** The signed-in user, as loaded from the session cookie on every request. */
export type SessionUser = Pick<User, 'id' | 'username' | 'displayName' | 'role' | 'extensions'>;

export interface AppEnv {
  Variables: {
    /** Undefined when the request carries no valid session. */
    user: SessionUser | undefined;
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
  /** Live event streams (GET /api/events): a comment this often keeps each open, and checks its viewer (default 15 s). */
  eventHeartbeatMs?: number;
  /** Open event streams per user or customer (default 5) and per process (default 10,000). */
  maxEventStreamsPerViewer?: number;
  maxEventStreams?: number;
  log?: Log;
}

/** The resolved dependencies route groups are built from. */
export interface Deps {
  runtime: Runtime;
  db: Database;
  clock: Clock;
  /** Ringing operator calls, answered from the agent page. */
  calls: CallDesk;
  options: Required<Omit<AppOptions, 'log'>>;
  /** Who is asking and at which address they reached us (behind trusted proxies). */
  forwarding: Forwarding;
  log: Log;
}

/**
 * Who is connected to an event stream. A `ViewerSource` recognizes a request
 * (the session cookie, or a customer token in the Authorization header) and
 * says how to check, at every heartbeat, that the viewer may still listen.
 */
import type { Clock } from '@tellflow/clock';
import type { Queryable } from '@tellflow/db';
import type { Viewer } from '@tellflow/runtime';
import type { Context } from 'hono';
import { readSessionToken } from '../auth/cookie.ts';
import { hashToken } from '../auth/tokens.ts';
import type { CustomerTokens } from '../auth/customer-tokens.ts';
import type { AppEnv } from '../context.ts';
import { LOCAL_ADMIN } from '../middleware/local-admin.ts';
import { sessionUser } from '../sql/sessions.ts';

export interface SeenViewer {
  viewer: Viewer;
  /** False once the viewer may no longer listen (signed out, disabled, session expired, role changed): the stream ends. */
  stillValid(): Promise<boolean>;
}

export type ViewerSource = (c: Context<AppEnv>) => Promise<SeenViewer | undefined>;

/**
 * The signed-in user. Checking the session again counts as using it (as any
 * request does): an open stream keeps an agent waiting for customers signed in.
 */
export function sessionViewer(o: { db: Queryable; clock: Clock; options: { sessionIdleMs: number } }): ViewerSource {
  return async (c) => {
    const user = c.get('user');
    if (!user) return undefined;
    const viewer: Viewer = { kind: 'user', id: user.id, role: user.role };
    // The local socket's read-only admin has no session to expire.
    if (user === LOCAL_ADMIN) return { viewer, stillValid: async () => true };
    const token = readSessionToken(c);
    return {
      viewer,
      async stillValid() {
        if (!token) return false;
        const now = await sessionUser(o.db, hashToken(token), new Date(o.clock.now()), o.options.sessionIdleMs);
        return now?.id === user.id && now.role === user.role;
      },
    };
  };
}

/**
 * A customer holding a customer token (`Authorization: Bearer`; browsers use
 * a fetch-based stream, as EventSource cannot send headers — tokens never go
 * in URLs). The token is verified again at every heartbeat: the stream ends
 * when it expires or its API key is revoked, and the client reconnects with
 * a fresh one.
 */
export function customerViewer(o: { customerTokens: CustomerTokens }): ViewerSource {
  return async (c) => {
    const customer = c.get('customer');
    if (!customer) return undefined;
    const token = /^Bearer +([^\s]+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
    return {
      viewer: { kind: 'customer', subject: customer.subject },
      async stillValid() {
        if (!token) return false;
        try {
          return (await o.customerTokens.verify(token)).subject === customer.subject;
        } catch {
          return false;
        }
      },
    };
  };
}

/**
 * Who may call what: one row per API operation. Every operation the app
 * documents must appear here, so a new route cannot skip this test.
 */
import { randomUUID } from 'node:crypto';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { useServer, type TestUser } from './test-support.ts';

/** 'customer': customer tokens only; 'apiKey': an API key only (no session, no customer token). */
type Who = 'public' | 'all' | 'staff' | 'admin' | 'customer' | 'apiKey' | 'allOrCustomer';
const ACCESS: Array<[method: string, path: string, who: Who]> = [
  ['GET', '/api/health', 'public'],
  ['GET', '/api/openapi.json', 'public'],
  ['GET', '/api/node-types', 'all'],
  ['GET', '/api/events', 'allOrCustomer'],
  ['POST', '/api/auth/login', 'public'],
  ['POST', '/api/auth/logout', 'public'],
  ['GET', '/api/auth/me', 'all'],
  ['GET', '/api/auth/session', 'public'],
  ['POST', '/api/auth/password', 'all'],
  ['GET', '/api/users', 'admin'],
  ['POST', '/api/users', 'admin'],
  ['PATCH', '/api/users/{id}', 'admin'],
  ['DELETE', '/api/users/{id}', 'admin'],
  ['GET', '/api/api-keys', 'admin'],
  ['POST', '/api/api-keys', 'admin'],
  ['DELETE', '/api/api-keys/{id}', 'admin'],
  ['POST', '/api/customer-tokens', 'apiKey'],
  ['GET', '/api/customer/me', 'customer'],
  ['GET', '/api/agents', 'staff'],
  ['GET', '/api/agents/me', 'all'],
  ['PUT', '/api/agents/me/presence', 'all'],
  ['POST', '/api/agents/me/ready', 'all'],
  ['PUT', '/api/agents/{id}/presence', 'staff'],
  ['GET', '/api/agents/me/queues', 'all'],
  ['PUT', '/api/agents/me/queues/{id}', 'all'],
  ['DELETE', '/api/agents/me/queues/{id}', 'all'],
  ['GET', '/api/agents/me/offer', 'all'],
  ['POST', '/api/agents/me/offer/accept', 'all'],
  ['POST', '/api/agents/me/offer/reject', 'all'],
  ['POST', '/api/agents/me/next', 'all'],
  ['POST', '/api/agents/me/call', 'all'],
  ['POST', '/api/agents/me/served', 'all'],
  ['GET', '/api/queues', 'staff'],
  ['POST', '/api/queues', 'admin'],
  ['GET', '/api/queues/{id}', 'staff'],
  ['PATCH', '/api/queues/{id}', 'admin'],
  ['DELETE', '/api/queues/{id}', 'admin'],
  ['GET', '/api/queues/{id}/entries', 'all'],
  ['GET', '/api/queues/{id}/events', 'staff'],
  ['POST', '/api/queues/{id}/join', 'customer'],
  ['GET', '/api/customer/queue', 'customer'],
  ['DELETE', '/api/customer/queue', 'customer'],
  ['GET', '/api/scenarios', 'staff'],
  ['POST', '/api/scenarios', 'admin'],
  ['POST', '/api/scenarios/validate', 'staff'],
  ['POST', '/api/scenarios/test-run', 'staff'],
  ['POST', '/api/scenarios/{id}/tests/run', 'staff'],
  ['GET', '/api/scenarios/{id}', 'staff'],
  ['PUT', '/api/scenarios/{id}/draft', 'admin'],
  ['POST', '/api/scenarios/{id}/publish', 'admin'],
  ['GET', '/api/scenarios/{id}/versions', 'staff'],
  ['GET', '/api/scenarios/{id}/versions/{version}/export', 'staff'],
  ['GET', '/api/scenarios/{id}/diff', 'staff'],
  ['DELETE', '/api/scenarios/{id}', 'admin'],
  ['POST', '/api/executions', 'staff'],
  ['GET', '/api/executions', 'staff'],
  ['GET', '/api/executions/{id}', 'staff'],
  ['GET', '/api/executions/{id}/trace', 'staff'],
  ['POST', '/api/executions/{id}/cancel', 'staff'],
  ['POST', '/api/executions/{id}/retry', 'staff'],
  ['GET', '/api/forms', 'all'],
  ['POST', '/api/forms/{executionId}/{step}', 'all'],
  ['GET', '/api/service-tasks', 'staff'],
  ['POST', '/api/service-tasks', 'admin'],
  ['PATCH', '/api/service-tasks/{id}', 'admin'],
  ['DELETE', '/api/service-tasks/{id}', 'admin'],
  ['POST', '/api/service-tasks/{id}/run', 'staff'],
  ['GET', '/api/service-tasks/{id}/runs', 'staff'],
  ['GET', '/api/outbound-tasks', 'staff'],
  ['POST', '/api/outbound-tasks', 'admin'],
  ['GET', '/api/outbound-tasks/{id}', 'staff'],
  ['GET', '/api/outbound-tasks/{id}/stats', 'staff'],
  ['PATCH', '/api/outbound-tasks/{id}', 'admin'],
  ['POST', '/api/outbound-tasks/{id}/start', 'staff'],
  ['POST', '/api/outbound-tasks/{id}/stop', 'staff'],
  ['POST', '/api/outbound-tasks/{id}/subscribers', 'admin'],
  ['GET', '/api/outbound-tasks/{id}/subscribers/{subscriberId}/calls', 'all'],
  ['GET', '/api/queues/{id}/stats', 'staff'],
  ['GET', '/api/subscribers', 'staff'],
  ['POST', '/api/subscribers/reset', 'admin'],
  ['GET', '/api/calls', 'all'],
  ['POST', '/api/calls/{callId}/answer', 'all'],
  ['POST', '/api/calls/{callId}/reject', 'all'],
];

const ALLOWED: Record<Who, TestUser[]> = {
  public: ['admin', 'supervisor', 'agent'],
  all: ['admin', 'supervisor', 'agent'],
  staff: ['admin', 'supervisor'],
  admin: ['admin'],
  customer: [],
  apiKey: [],
  allOrCustomer: ['admin', 'supervisor', 'agent'],
};
/** The rows a customer token opens (add a Who here for routes that let customers and some roles in). */
const CUSTOMERS_ALLOWED: readonly Who[] = ['public', 'customer', 'allOrCustomer'];

/** What a protected route answers a request without any credential. */
const NO_CREDENTIAL: Partial<Record<Who, string>> = {
  customer: 'sign in first, or send a customer token',
  allOrCustomer: 'sign in first, or send a customer token',
  apiKey: 'send an API key as "Authorization: Bearer tfk_…"',
};

/** Ids named like the resource's own (scenario and task ids are names, the rest UUIDs or numbers); none of them exists. */
const NAMED_IDS = ['/api/scenarios', '/api/service-tasks', '/api/outbound-tasks', '/api/queues', '/api/agents/me/queues'];
const concrete = (path: string) =>
  path
    .replace(/\{(id|executionId|callId)\}/g, (_m, name: string) =>
      NAMED_IDS.some((p) => path.startsWith(p)) && name === 'id' ? 'no-such-thing' : randomUUID(),
    )
    .replace('{version}', '1')
    .replace('{step}', '1')
    .replace('{subscriberId}', '1');

const protectedRoutes = ACCESS.filter(([, , who]) => who !== 'public');

describe.each(DATABASE_KINDS)('access control on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('the table covers every documented operation', () => {
    const documented = h()
      .app.operations.map((o) => `${o.method.toUpperCase()} ${o.path}`)
      .sort();
    expect(ACCESS.map(([m, p]) => `${m} ${p}`).sort()).toEqual(documented);
  });

  it.skipIf(skip)('every protected operation answers 401 without a session', async () => {
    for (const [method, path, who] of protectedRoutes) {
      const r = await h().call(method, concrete(path), method === 'GET' ? {} : { body: {} });
      expect([r.status, r.body], `${method} ${path}`).toEqual([401, { error: NO_CREDENTIAL[who] ?? 'sign in first' }]);
    }
  });

  it.skipIf(skip).each(protectedRoutes)('%s %s: 403 for the roles not allowed (%s), never 401/403 for the others', async (method, path, who) => {
    for (const role of ['admin', 'supervisor', 'agent'] as const) {
      const r = await h().call(method, concrete(path), { as: role, ...(method === 'GET' ? {} : { body: {} }) });
      if (ALLOWED[who].includes(role)) expect([401, 403], `${role} is allowed`).not.toContain(r.status);
      else if (who === 'apiKey') {
        // A session is no API key: the mint route does not look at it.
        expect([r.status, r.body.error], `${role} has no API key`).toEqual([401, NO_CREDENTIAL.apiKey]);
      } else {
        expect(r.status, `${role} is not allowed`).toBe(403);
        expect(r.body.error).toMatch(new RegExp(`the ${role} role may not do this`));
      }
      expect(r.status).toBeLessThan(500);
    }
  });

  it.skipIf(skip)('a customer token opens only the routes that let customers in: 403 everywhere else (401 where an API key is wanted)', async () => {
    const created = await h().call('POST', '/api/api-keys', { as: 'admin', body: { name: 'shop' } });
    const minted = await h().call('POST', '/api/customer-tokens', { headers: { authorization: `Bearer ${created.body.secret}` }, body: { subject: 'c-1' } });
    expect(minted.status).toBe(201);
    const headers = { authorization: `Bearer ${minted.body.token}` };
    for (const [method, path, who] of ACCESS) {
      const r = await h().call(method, concrete(path), { headers, ...(method === 'GET' ? {} : { body: {} }) });
      if (CUSTOMERS_ALLOWED.includes(who)) expect([401, 403], `${method} ${path}: customers are allowed`).not.toContain(r.status);
      else if (who === 'apiKey') expect([r.status, r.body.error], `${method} ${path}`).toEqual([401, NO_CREDENTIAL.apiKey]);
      else {
        expect(r.status, `${method} ${path}: customers are not allowed`).toBe(403);
        expect(r.body.error, `${method} ${path}`).toMatch(/^a customer token may not do this/);
      }
      expect(r.status).toBeLessThan(500);
    }
  });

  it.skipIf(skip)("a disabled user's existing session no longer opens anything", async () => {
    const cookie = await h().cookieFor('supervisor');
    await h().t.db.query("update users set disabled = true where username = 'supervisor'");
    expect((await h().call('GET', '/api/scenarios', { cookie })).status).toBe(401);
  });

  it.skipIf(skip)('a role change applies to the next request of an existing session', async () => {
    const cookie = await h().cookieFor('supervisor');
    expect((await h().call('GET', '/api/scenarios', { cookie })).status).toBe(200);
    await h().call('PATCH', `/api/users/${h().userIds.supervisor}`, { as: 'admin', body: { role: 'agent' } });
    expect((await h().call('GET', '/api/scenarios', { cookie })).status).toBe(403);
  });
});

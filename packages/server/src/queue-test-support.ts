/** Set-ups shared by the queue tests: customer tokens, and a queue with agents serving it. */
import { expect } from 'vitest';
import type { CallInit, ServerHarness, TestUser } from './test-support.ts';

const bearer = (token: string): CallInit => ({ headers: { authorization: `Bearer ${token}` } });

/** Customer tokens for these subjects, minted with one API key. */
export async function customerTokens(h: ServerHarness, ...subjects: string[]): Promise<Record<string, string>> {
  const key = await h.call('POST', '/api/api-keys', { as: 'admin', body: { name: 'shop' } });
  const out: Record<string, string> = {};
  for (const subject of subjects) {
    const minted = await h.call('POST', '/api/customer-tokens', {
      ...bearer(key.body.secret),
      body: { subject, name: subject.toUpperCase(), ttlSeconds: 3600 },
    });
    out[subject] = minted.body.token;
  }
  return out;
}

/** Queue `support` served by the agents named, all available. */
export async function supportQueue(h: ServerHarness, agents: TestUser[] = ['agent'], queue: Record<string, unknown> = {}) {
  expect((await h.call('POST', '/api/queues', { as: 'admin', body: { id: 'support', name: 'Support', ...queue } })).status).toBe(201);
  for (const a of agents) {
    expect((await h.call('PUT', '/api/agents/me/queues/support', { as: a, body: {} })).status).toBe(200);
    await h.call('PUT', '/api/agents/me/presence', { as: a, body: { state: 'available' } });
  }
}

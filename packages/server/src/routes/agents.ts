/**
 * `/api/agents`: the people who take calls, their extensions and presence.
 * Every signed-in user reads and sets its own presence (`me`); supervisors
 * and admins see everyone and may set anyone's (e.g. log out an agent who
 * left). Extensions are given with the user (`/api/users`, admins).
 */
import { AgentList, AgentParams, OneAgent, SetPresence } from '@tellflow/api';
import { pendingOffer } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

export function agentRoutes({ runtime, db, clock }: Deps) {
  const api = routeGroup('/api/agents', 'agents');
  const staff = ['admin', 'supervisor'] as const;
  const { agents } = runtime;

  api.get('/', { summary: 'Agents with their presence and what they are doing', access: staff, response: AgentList }, async (c) =>
    c.json({ agents: await agents.list() }),
  );

  api.get('/me', { summary: 'My extensions and presence', access: 'signedIn', response: OneAgent }, async (c, { user }) =>
    c.json({ agent: await agents.get(user.id) }),
  );

  api.put(
    '/me/presence',
    { summary: 'Say I am available, in DND or offline', access: 'signedIn', body: SetPresence, response: OneAgent },
    async (c, { user, body }) => c.json({ agent: await setPresence(user.id, body.state, body.reason) }),
  );

  api.post('/me/ready', { summary: 'End my wrap-up now', access: 'signedIn', response: OneAgent }, async (c, { user }) => {
    const agent = await agents.ready(user.id);
    runtime.queueLive.agentChanged(user.id);
    return c.json({ agent });
  });

  api.put(
    '/:id/presence',
    { summary: "Set an agent's presence", access: staff, params: AgentParams, body: SetPresence, response: OneAgent, errors: [404] },
    async (c, { params, body }) => c.json({ agent: await setPresence(params.id, body.state, body.reason) }),
  );

  /** Presence changes who is free in the agent's queues; going offline withdraws its offer, which the agent is told. */
  async function setPresence(userId: string, state: SetPresence['state'], reason?: string) {
    const before = await pendingOffer(db, userId, clock.now());
    const agent = await agents.setPresence(userId, state, reason);
    const after = before && (await pendingOffer(db, userId, clock.now()));
    if (before && after?.id !== before.id) runtime.queueLive.offerChanged(userId, before.id, 'cancelled', 'you went offline');
    runtime.queueLive.agentChanged(userId);
    return agent;
  }

  return api.group;
}

/**
 * `/api/agents`: the people who take calls, their extensions and presence.
 * Every signed-in user reads and sets its own presence (`me`); supervisors
 * and admins see everyone and may set anyone's (e.g. log out an agent who
 * left). Extensions are given with the user (`/api/users`, admins).
 */
import { AgentList, AgentParams, OneAgent, SetPresence } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

export function agentRoutes({ runtime }: Deps) {
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
    async (c, { user, body }) => c.json({ agent: await agents.setPresence(user.id, body.state, body.reason) }),
  );

  api.post('/me/ready', { summary: 'End my wrap-up now', access: 'signedIn', response: OneAgent }, async (c, { user }) =>
    c.json({ agent: await agents.ready(user.id) }),
  );

  api.put(
    '/:id/presence',
    { summary: "Set an agent's presence", access: staff, params: AgentParams, body: SetPresence, response: OneAgent, errors: [404] },
    async (c, { params, body }) => c.json({ agent: await agents.setPresence(params.id, body.state, body.reason) }),
  );

  return api.group;
}

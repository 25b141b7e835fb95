/**
 * `/api/calls`: the agent page's phone. The simulator rings operators
 * ('manual' operator rules, the default) until someone answers or rejects
 * the call here. An agent sees and settles the calls to their own operator
 * number (or username, as for forms); supervisors and admins see all of
 * them, and only an admin settles a call to someone else.
 */
import { CallParams, RejectCall, RingingList, SettledCall } from '@tellflow/api';
import type { Deps, SessionUser } from '../context.ts';
import { routeGroup, type OperationSpec } from '../http/route-group.ts';
import { operatorsOf } from './forms.ts';

export function callRoutes({ calls }: Deps) {
  const api = routeGroup('/api/calls', 'calls');

  api.get(
    '/',
    {
      summary: 'Operator calls ringing for me, oldest first (all of them for supervisors and admins)',
      access: 'signedIn',
      response: RingingList,
    },
    async (c, { user }) => c.json({ calls: await calls.ringing(user.role === 'agent' ? operatorsOf(user) : undefined) }),
  );

  const settled = { access: 'signedIn', params: CallParams, response: SettledCall, errors: [403, 404, 409] } satisfies Partial<OperationSpec>;
  /** Whose calls the user may settle: undefined for an admin (anyone's). */
  const mayAnswer = (user: SessionUser) => (user.role === 'admin' ? undefined : operatorsOf(user));

  api.post('/:callId/answer', { summary: 'Answer a ringing operator call', ...settled }, async (c, { params, user }) =>
    c.json({ call: await calls.settle(params.callId, { answer: true }, mayAnswer(user)) }),
  );

  api.post(
    '/:callId/reject',
    { summary: 'Reject a ringing operator call: busy (default) or failed', ...settled, body: RejectCall },
    async (c, { params, body, user }) =>
      c.json({ call: await calls.settle(params.callId, { reject: body.reason ?? 'busy', reason: `rejected by ${user.username}` }, mayAnswer(user)) }),
  );

  return api.group;
}

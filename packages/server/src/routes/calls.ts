/**
 * `/api/calls`: the agent page's phone. The simulator rings operators
 * ('manual' operator rules, the default) until someone answers or rejects
 * the call here. An agent sees and settles the calls to their own operator
 * number (or username, as for forms); supervisors and admins see all of
 * them, and only an admin settles a call to someone else.
 */
import { z } from 'zod';
import type { Deps, SessionUser } from '../context.ts';
import { routeGroup, type OperationSpec } from '../http/route-group.ts';
import { DateTime } from '../schemas.ts';
import { operatorsOf } from './forms.ts';

const CallParam = z.object({ callId: z.string().min(1).max(200) });
const Reject = z.object({ reason: z.enum(['busy', 'failed']).optional().meta({ description: 'default busy' }) });

const RingingCall = z.object({
  callId: z.string(),
  operator: z.string().meta({ description: 'the operator number being called' }),
  startedAt: DateTime,
  executionId: z.string().nullable().meta({ description: 'the execution that placed the call' }),
  taskId: z.string().nullable(),
  subscriber: z.object({ id: z.number().int(), tel: z.string(), firstName: z.string().nullable(), lastName: z.string().nullable() }).nullable(),
});
const Call = z.object({
  callId: z.string(),
  operator: z.string(),
  state: z.enum(['ringing', 'answered', 'ended']),
  outcome: z.enum(['answered', 'busy', 'noAnswer', 'failed']).nullable(),
  startedAt: DateTime,
  answeredAt: DateTime.nullable(),
  endedAt: DateTime.nullable(),
});

export function callRoutes({ calls }: Deps) {
  const api = routeGroup('/api/calls', 'calls');

  api.get(
    '/',
    {
      summary: 'Operator calls ringing for me, oldest first (all of them for supervisors and admins)',
      access: 'signedIn',
      response: z.object({ calls: z.array(RingingCall) }),
    },
    async (c, { user }) => c.json({ calls: await calls.ringing(user.role === 'agent' ? operatorsOf(user) : undefined) }),
  );

  const settled = { access: 'signedIn', params: CallParam, response: z.object({ call: Call }), errors: [403, 404, 409] } satisfies Partial<OperationSpec>;
  /** Whose calls the user may settle: undefined for an admin (anyone's). */
  const mayAnswer = (user: SessionUser) => (user.role === 'admin' ? undefined : operatorsOf(user));

  api.post('/:callId/answer', { summary: 'Answer a ringing operator call', ...settled }, async (c, { params, user }) =>
    c.json({ call: await calls.settle(params.callId, { answer: true }, mayAnswer(user)) }),
  );

  api.post(
    '/:callId/reject',
    { summary: 'Reject a ringing operator call: busy (default) or failed', ...settled, body: Reject },
    async (c, { params, body, user }) =>
      c.json({ call: await calls.settle(params.callId, { reject: body.reason ?? 'busy', reason: `rejected by ${user.username}` }, mayAnswer(user)) }),
  );

  return api.group;
}

/**
 * `/api/forms`: the forms waiting for the current user, and submitting one.
 * An agent sees forms assigned to their operator number or username plus
 * unassigned ones; supervisors and admins see all. Only an admin may answer
 * a form assigned to someone else. Values are checked against the form's
 * field types by the runtime (400 names each bad field).
 */
import { z } from 'zod';
import { JsonValue } from '@tellflow/engine';
import type { Deps, SessionUser } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';
import { MAX_INT } from '../schemas.ts';

const Submit = z.object({ values: z.record(z.string(), JsonValue) });
const FormParams = z.object({ executionId: z.uuid(), step: z.coerce.number().int().min(0).max(MAX_INT) });

const PendingForm = z.object({
  executionId: z.string(),
  step: z.number().int(),
  nodeId: z.string(),
  scenarioId: z.string(),
  assignee: z.string().nullable(),
  form: z.record(z.string(), JsonValue),
  createdAt: z.string(),
  deadline: z.string().nullable(),
});

/** The operator identities a user answers for. */
export const operatorsOf = (user: SessionUser): string[] => [user.operatorNumber, user.username].filter((x): x is string => !!x);

export function formRoutes({ runtime }: Deps) {
  const api = routeGroup('/api/forms', 'forms');

  api.get(
    '/',
    { summary: 'Forms waiting for me (all of them for supervisors and admins)', access: 'signedIn', response: z.object({ forms: z.array(PendingForm) }) },
    async (c, { user }) => c.json({ forms: await runtime.pendingForms(user.role === 'agent' ? operatorsOf(user) : undefined) }),
  );

  api.post(
    '/:executionId/:step',
    {
      summary: 'Submit a form',
      access: 'signedIn',
      params: FormParams,
      body: Submit,
      response: z.object({ values: z.record(z.string(), JsonValue) }),
      errors: [403, 404, 409],
    },
    async (c, { params, body, user }) => {
      const values = await runtime.submitForm(params.executionId, params.step, body.values, {
        ...(user.role === 'admin' ? {} : { operators: operatorsOf(user) }),
        user: user.username,
      });
      return c.json({ values });
    },
  );

  return api.group;
}

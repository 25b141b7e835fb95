/**
 * `/api/forms`: the forms waiting for the current user, and submitting one.
 * An agent sees forms assigned to one of their extensions or their username plus
 * unassigned ones; supervisors and admins see all. Only an admin may answer
 * a form assigned to someone else. Values are checked against the form's
 * field types by the runtime (400 names each bad field).
 */
import { FormList, FormParams, SubmitForm, Submitted } from '@tellflow/api';
import type { Deps, SessionUser } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

/** The operator identities a user answers for. */
export const operatorsOf = (user: SessionUser): string[] => [...user.extensions, user.username];

export function formRoutes({ runtime }: Deps) {
  const api = routeGroup('/api/forms', 'forms');

  api.get('/', { summary: 'Forms waiting for me (all of them for supervisors and admins)', access: 'signedIn', response: FormList }, async (c, { user }) =>
    c.json({ forms: await runtime.pendingForms(user.role === 'agent' ? operatorsOf(user) : undefined) }),
  );

  api.post(
    '/:executionId/:step',
    {
      summary: 'Submit a form',
      access: 'signedIn',
      params: FormParams,
      body: SubmitForm,
      response: Submitted,
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

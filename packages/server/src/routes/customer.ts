/** `/api/customer`: what a customer (a customer token, not a session) may ask about itself. */
import { CustomerMe } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

export function customerRoutes(_deps: Deps) {
  const api = routeGroup('/api/customer', 'customer');

  api.get('/me', { summary: 'Who the customer token says the caller is', access: ['customer'], response: CustomerMe }, async (c, { customer }) =>
    c.json({ subject: customer.subject, name: customer.name, expiresAt: customer.expiresAt }),
  );

  return api.group;
}

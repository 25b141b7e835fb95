/**
 * `/api/customer`: what a customer (a customer token, not a session) may ask
 * about itself: who the token says it is, and its place in a queue.
 */
import { CustomerMe, CustomerQueueEntry } from '@tellflow/api';
import { currentEntry } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

export function customerRoutes({ runtime, db, clock }: Deps) {
  const api = routeGroup('/api/customer', 'customer');

  api.get('/me', { summary: 'Who the customer token says the caller is', access: ['customer'], response: CustomerMe }, async (c, { customer }) =>
    c.json({ subject: customer.subject, name: customer.name, expiresAt: customer.expiresAt }),
  );

  api.get(
    '/queue',
    {
      summary: 'My place in a queue: position, time waited, estimated wait (null when I wait nowhere)',
      description: 'The same entry is pushed on GET /api/events as `queue.position` events whenever it changes.',
      access: ['customer'],
      response: CustomerQueueEntry,
    },
    async (c, { customer }) => c.json({ entry: await currentEntry(db, customer.subject, clock.now()) }),
  );

  api.delete(
    '/queue',
    {
      summary: 'Leave my queue (stopQueuing)',
      description: 'An agent being offered me is told (its offer is cancelled). 404 when I wait in no queue (an agent who accepted me already serves me).',
      access: ['customer'],
      status: 204,
      errors: [404],
    },
    async (c, { customer }) => {
      await runtime.dispatcher.leave(customer.subject, 'the customer left');
      return c.body(null, 204);
    },
  );

  return api.group;
}

/**
 * `/api/subscribers`: the rows of every outbound task's subscriber list
 * (domain.md §1) as the people who run them see them — with status, the
 * reason Tellflow gave for it, and the due time of a callback — and an
 * admin's reset of rows that are stuck or must be called again.
 */
import { ResetDone, ResetSubscribers, SubscriberList, SubscriberListQuery } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

const STAFF = ['admin', 'supervisor'] as const;
const ADMIN = ['admin'] as const;

export function subscriberRoutes({ runtime }: Deps) {
  const subscribers = runtime.stores.subscribers;
  const api = routeGroup('/api/subscribers', 'subscribers');

  api.get(
    '/',
    {
      summary: 'List subscribers by due time (rows without one last), then id; filter by task, status and due time; paged',
      description: 'Pass `nextCursor` as `cursor` for the next page; `total` counts every row matching the filter.',
      access: STAFF,
      query: SubscriberListQuery,
      response: SubscriberList,
      errors: [404],
    },
    async (c, { query }) => c.json(await subscribers.list(query)),
  );

  api.post(
    '/reset',
    {
      summary: 'Reset subscribers to new, or to a callback due at a time (default now)',
      description:
        'Select rows by `ids`, or by `task` (and `status`). `new`: status null, no operator, dialled again; `callback`: status 10 due at `dueAt` ' +
        'by the row\'s operator. Each row gets the status reason "reset by <user>". 409, and nothing changes, when a row is served by a live ' +
        'execution (cancel it first; `details.subscribers` names them) or a callback row has no operator.',
      access: ADMIN,
      body: ResetSubscribers,
      response: ResetDone,
      errors: [404, 409],
    },
    async (c, { body, user }) => c.json(await subscribers.reset(body, user.username)),
  );

  return api.group;
}

/**
 * `/api/queues` (seed 000, docs/queues.md): admins configure queues;
 * supervisors and admins see them with their live figures, their waiting
 * customers and their event log ("why did this agent get this customer");
 * an agent sees the customers of a queue it serves (getQueueUsers); a
 * customer (customer token) joins one (startQueuing2).
 */
import {
  JoinQueue,
  OneEntry,
  OneQueue,
  QueueEntryList,
  QueueEventList,
  QueueEventsQuery,
  QueueInput,
  QueueList,
  QueueParams,
  QueuePatch,
  QueueWithStatus,
} from '@tellflow/api';
import { entryById, QUEUE_CHANNEL, readQueueEvents, waitingIn } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { forbidden } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';

const STAFF = ['admin', 'supervisor'] as const;
const ADMIN = ['admin'] as const;

export function queueRoutes({ runtime, db, clock }: Deps) {
  const { queues, dispatcher } = runtime;
  const api = routeGroup('/api/queues', 'queues');

  api.get('/', { summary: 'Queues with their live figures (getAllQueueInfo)', access: STAFF, response: QueueList }, async (c) =>
    c.json({ queues: await queues.list() }),
  );

  api.post(
    '/',
    { summary: 'Create a queue (initQueueDat)', access: ADMIN, body: QueueInput, response: OneQueue, status: 201, errors: [409] },
    async (c, { body }) => {
      const queue = await queues.create(body);
      runtime.queueLive.queuesChanged([queue.id]);
      return c.json({ queue }, 201);
    },
  );

  api.get(
    '/:id',
    { summary: 'A queue with its live figures', access: STAFF, params: QueueParams, response: QueueWithStatus, errors: [404] },
    async (c, { params }) => c.json({ queue: await queues.get(params.id), status: await queues.status(params.id) }),
  );

  api.patch(
    '/:id',
    {
      summary: 'Change a queue',
      description: 'Applies from the next dispatch: pending offers keep the timeout they were made with.',
      access: ADMIN,
      params: QueueParams,
      body: QueuePatch,
      response: OneQueue,
      errors: [404, 409],
    },
    async (c, { params, body }) => {
      const queue = await queues.update(params.id, body);
      // A priority or overflow change may make offers possible now.
      await db.notify(QUEUE_CHANNEL, queue.id);
      return c.json({ queue });
    },
  );

  api.delete(
    '/:id',
    {
      summary: 'Delete a queue nobody waits in (409 otherwise), with its log',
      access: ADMIN,
      params: QueueParams,
      status: 204,
      errors: [404, 409],
    },
    async (c, { params }) => {
      await queues.delete(params.id);
      return c.body(null, 204);
    },
  );

  api.get(
    '/:id/entries',
    {
      summary: 'The customers waiting, in the order they will be offered (getQueueUsers)',
      description: 'Admins and supervisors see every queue; an agent sees the queues it serves (403 for the others).',
      access: [...STAFF, 'agent'],
      params: QueueParams,
      response: QueueEntryList,
      errors: [404],
    },
    async (c, { params, user }) => {
      await queues.get(params.id);
      if (user.role === 'agent' && !(await queues.serving(user.id)).some((m) => m.queueId === params.id)) {
        throw forbidden(`you do not serve queue "${params.id}": start serving it first`);
      }
      return c.json({ entries: await waitingIn(db, params.id, clock.now()) });
    },
  );

  api.get(
    '/:id/events',
    {
      summary: "The queue's event log, newest first, a page at a time",
      description:
        'One row per thing that happened: joined, offered (the reason says why this agent was chosen), accepted, rejected, timedOut, cancelled, ' +
        "abandoned, waitTimedOut, overflowed, served, startService, stopService, agentDnd. Page with `before` = the previous page's `nextBefore`; " +
        "filter by `entryId` to see one customer's story.",
      access: STAFF,
      params: QueueParams,
      query: QueueEventsQuery,
      response: QueueEventList,
      errors: [404],
    },
    async (c, { params, query }) => {
      await queues.get(params.id);
      return c.json(await readQueueEvents(db, params.id, query));
    },
  );

  api.post(
    '/:id/join',
    {
      summary: 'Wait in this queue (startQueuing / startQueuing2), as the customer the token names',
      description:
        'A customer waits in one queue at a time: a second join is a 409 that names the queue it is in (`details.queueId`). ' +
        'Where you are is pushed on GET /api/events as `queue.position` events, and GET /api/customer/queue reads it.',
      access: ['customer'],
      params: QueueParams,
      body: JoinQueue,
      response: OneEntry,
      status: 201,
      errors: [404, 409],
    },
    async (c, { params, body, customer }) => {
      const id = await dispatcher.join({
        queueId: params.id,
        customer: customer.subject,
        name: body.name ?? customer.name,
        extra: body.extra ?? {},
        callbackNumber: body.callbackNumber ?? null,
      });
      return c.json({ entry: await entryById(db, id, clock.now()) }, 201);
    },
  );

  return api.group;
}

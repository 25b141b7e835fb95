/**
 * `/api/agents/me/…`: an agent's queue work (seed 000, docs/queues.md) —
 * the queues it serves (startService / stopService / getServingQueues), the
 * customer offered to it (autoAssignUser → accept / reject), asking for the
 * next or a named customer (reqAssignUser / reqAssignUser2), and calling its
 * customer back (call). Every action's result also goes to the agent as an
 * `agent.action` live event (responseAssignUserRslt and the like).
 */
import {
  type AgentActionResult,
  CallCustomer,
  CallingCustomer,
  MembershipList,
  NextCustomer,
  OneEntry,
  OneOffer,
  QueueParams,
  RejectOffer,
  RequestCustomer,
  ServedCustomer,
  StartService,
} from '@tellflow/api';
import { entryById, offerById, pendingOffer, QUEUE_CALLBACK_SCENARIO, QUEUE_CHANNEL, serveEntry } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';

export function agentQueueRoutes({ runtime, db, clock }: Deps) {
  const { queues, dispatcher, agents, queueLive } = runtime;
  const api = routeGroup('/api/agents/me', 'agents');

  /** Runs an agent action and tells the agent how it went (an `agent.action` event), failures included. */
  async function acting<T>(
    agentId: string,
    action: AgentActionResult['action'],
    run: () => Promise<T>,
    about: (r: T) => { queueId?: string | null; offerId?: number | null } = () => ({}),
  ): Promise<T> {
    try {
      const r = await run();
      const { queueId = null, offerId = null } = about(r);
      queueLive.action(agentId, { action, ok: true, error: null, queueId, offerId });
      return r;
    } catch (e) {
      queueLive.action(agentId, { action, ok: false, error: e instanceof Error ? e.message : String(e), queueId: null, offerId: null });
      throw e;
    }
  }

  const serving = async (userId: string) => ({ queues: await queues.serving(userId) });

  api.get(
    '/queues',
    { summary: 'The queues I serve, with my priority there (getServingQueues)', access: 'signedIn', response: MembershipList },
    async (c, { user }) => c.json(await serving(user.id)),
  );

  api.put(
    '/queues/:id',
    {
      summary: 'Serve a queue, with a priority there (startService / startService2); again: changes the priority',
      description: 'For agents: users with the role agent or with an extension (403 otherwise). Higher priority agents are offered customers first.',
      access: 'signedIn',
      params: QueueParams,
      body: StartService,
      response: MembershipList,
      errors: [404],
    },
    async (c, { user, params, body }) => {
      const me = await agents.get(user.id);
      if (me.role !== 'agent' && me.extensions.length === 0) throw forbidden('only agents serve queues: a user with the role agent or with an extension');
      await acting(
        user.id,
        'startService',
        () => queues.startService(user.id, params.id, body.priority ?? 0),
        () => ({ queueId: params.id }),
      );
      queueLive.queuesChanged([params.id]);
      await db.notify(QUEUE_CHANNEL, params.id);
      return c.json(await serving(user.id));
    },
  );

  api.delete(
    '/queues/:id',
    {
      summary: 'Stop serving a queue (stopService)',
      description: "A pending offer of that queue's customer is withdrawn (the customer keeps its place and goes to the next agent).",
      access: 'signedIn',
      params: QueueParams,
      status: 204,
      errors: [404],
    },
    async (c, { user, params }) => {
      await acting(
        user.id,
        'stopService',
        () => dispatcher.stopService(user.id, params.id),
        () => ({ queueId: params.id }),
      );
      await db.notify(QUEUE_CHANNEL, params.id);
      return c.body(null, 204);
    },
  );

  api.get('/offer', { summary: 'The customer offered to me now (autoAssignUser), or null', access: 'signedIn', response: OneOffer }, async (c, { user }) =>
    c.json({ offer: await pendingOffer(db, user.id, clock.now()) }),
  );

  api.post(
    '/offer/accept',
    {
      summary: 'Take the customer offered to me (acceptAssignUser)',
      description: '409 when no offer is pending (it timed out, was withdrawn, or the customer left).',
      access: 'signedIn',
      response: OneOffer,
      errors: [409],
    },
    async (c, { user }) => {
      const offer = await acting(
        user.id,
        'accept',
        async () => offerById(db, await dispatcher.accept(user.id), clock.now()),
        (o) => ({ queueId: o.entry.queueId, offerId: o.id }),
      );
      return c.json({ offer });
    },
  );

  api.post(
    '/offer/reject',
    {
      summary: 'Turn down the customer offered to me (rejectAssignUser), with an optional reason',
      description: "The customer keeps its place and goes to the next agent; I am not offered it again for the queue's re-offer delay.",
      access: 'signedIn',
      body: RejectOffer,
      response: OneOffer,
      errors: [409],
    },
    async (c, { user, body }) => {
      const offer = await acting(
        user.id,
        'reject',
        async () => offerById(db, await dispatcher.reject(user.id, body.reason), clock.now()),
        (o) => ({ queueId: o.entry.queueId, offerId: o.id }),
      );
      // The customer goes to the next free agent now, not at the next scheduled round.
      await db.notify(QUEUE_CHANNEL, offer.entry.queueId);
      return c.json({ offer });
    },
  );

  api.post(
    '/served',
    {
      summary: 'I am done with a customer I accepted: it is served, and my wrap-up begins',
      description:
        "For a customer no scenario holds (one who joined through the API): a scenario's caller, or a customer being called back, is served when its execution ends. " +
        '409 when the customer is not mine, is held by a scenario, or is not being served.',
      access: 'signedIn',
      body: ServedCustomer,
      response: OneEntry,
      errors: [404, 409],
    },
    async (c, { user, body }) => {
      const entry = await acting(
        user.id,
        'served',
        async () => {
          const now = clock.now();
          // Checked and served in one transaction, the entry locked: "call the customer" may not take it over meanwhile.
          await db.transaction(async (tx) => {
            const { rows } = await tx.query<{ agent_id: string | null; state: string; execution_id: string | null }>(
              'select agent_id, state, execution_id from queue_entries where id = $1 for update',
              [body.entryId],
            );
            const e = rows[0];
            if (!e) throw notFound(`queue entry ${body.entryId}`);
            if (e.agent_id !== user.id || e.state !== 'assigned') throw conflict(`customer entry ${body.entryId} is not a customer you are serving`);
            if (e.execution_id !== null) throw conflict(`customer entry ${body.entryId} is served when its scenario ends`);
            await serveEntry(tx, body.entryId, now);
          });
          return entryById(db, body.entryId, now);
        },
        (e) => ({ queueId: e.queueId }),
      );
      queueLive.queuesChanged([entry.queueId]);
      return c.json({ entry });
    },
  );

  api.post(
    '/next',
    {
      summary: 'Take the next customer of my queues, or a named one (reqAssignUser / reqAssignUser2)',
      description:
        'Manual mode: works in DND and wrap-up (asking is being ready), not while on a call, a form or an offer (409). ' +
        '`queueId` limits it to one queue, `entryId` names a waiting customer (409 when it is not waiting in a queue I serve). ' +
        "Nobody waiting is the result `nobodyWaiting` (the seed's QUE_NOUSER), not an error.",
      access: 'signedIn',
      body: RequestCustomer,
      response: NextCustomer,
      errors: [409],
    },
    async (c, { user, body }) => {
      const offerId = await acting(
        user.id,
        'next',
        () => dispatcher.request(user.id, body),
        (id) => ({ queueId: body.queueId ?? null, offerId: id }),
      );
      if (offerId === null) return c.json({ result: 'nobodyWaiting' as const });
      return c.json({ result: 'assigned' as const, offer: await offerById(db, offerId, clock.now()) });
    },
  );

  api.post(
    '/call',
    {
      summary: 'Call my customer back (call): ring me, then dial the customer and connect us',
      description:
        `Starts the bundled "${QUEUE_CALLBACK_SCENARIO}" scenario for a customer I accepted: it rings my first extension, dials the customer's ` +
        '`callbackNumber` (or `extra.phone`) and bridges the call; when it ends the customer is served and I go into wrap-up. ' +
        '409 when the customer is not mine, left no number, or is already connected by its own scenario.',
      access: 'signedIn',
      body: CallCustomer,
      response: CallingCustomer,
      status: 202,
      errors: [404, 409],
    },
    async (c, { user, body }) => {
      const started = await acting(
        user.id,
        'call',
        () => callCustomer(user.id, body.entryId),
        (r) => ({ queueId: r.queueId }),
      );
      return c.json({ executionId: started.executionId, number: started.number }, 202);
    },
  );

  async function callCustomer(agentId: string, entryId: number): Promise<{ executionId: string; number: string; queueId: string }> {
    const entry = await entryById(db, entryId, clock.now());
    if (entry.state !== 'assigned' || entry.agentId !== agentId) throw conflict(`customer entry ${entryId} is not a customer you accepted`);
    const phone = entry.extra.phone;
    const number = entry.callbackNumber ?? (typeof phone === 'string' && phone !== '' ? phone : null);
    if (!number) throw conflict(`customer entry ${entryId} left no number to call (callbackNumber or extra.phone)`);
    const [extension] = (await agents.get(agentId)).extensions;
    if (!extension) throw conflict('you have no extension to be rung on');
    const executionId = await runtime.start(QUEUE_CALLBACK_SCENARIO, {
      startedBy: agentId,
      input: { agent: extension, number, entryId },
      // The call holds the entry: it may ring its own agent, and when it ends the customer is served (the queues migration's trigger).
      inTransaction: async (tx, id) => {
        const held = await tx.query(`update queue_entries set execution_id = $2 where id = $1 and state = 'assigned' and execution_id is null`, [entryId, id]);
        if (held.rowCount === 0) throw conflict(`customer entry ${entryId} is already connected by its own call`);
      },
    });
    return { executionId, number, queueId: entry.queueId };
  }

  return api.group;
}

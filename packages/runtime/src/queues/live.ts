/**
 * The queues' live events (GET /api/events; names in QUEUE_LIVE_EVENTS):
 *
 *   queue.status    a queue's waiting customers, free and busy agents, longest
 *                   wait → admins, supervisors and the queue's agents
 *   queue.position  a customer's own entry (position, waited, estimated wait;
 *                   its final state once assigned or ended) → that customer
 *   queue.offer     an offer made to the agent, or what became of it → that agent
 *   agent.action    the result of what the agent asked (accept, reject, next …) → that agent
 *
 * The dispatcher calls this (as its QueueNotifier) after each change commits;
 * so do the API routes for what they change outside it (presence, actions).
 * Publishing runs in the background, one change after another, so a request
 * is not held up by it; `settled()` waits for it. Events are state, not
 * deltas: a client keeps the latest of each. So the queues changed meanwhile
 * are published together, once each, by one pending pass: a queue's status
 * and every waiting customer's position cost a statement each, and
 * publishing them again for every join, offer and answer under load fell
 * behind without bound (the offers with it, queued after them: told a
 * minute late to agents who had 20 s to answer). And an agent's events
 * (offers, action results) go ahead of the pending pass: a pass over a busy
 * queue is hundreds of rows, an offer one, and the agent has seconds to
 * answer it. A (re)connecting viewer first gets its snapshot: its pending
 * offer and the queues it sees, or, for a customer, its entry.
 *
 * Changes made where no QueueLive is (a runner's `queue` node, an
 * execution's end) reach it through the dispatcher's round (outbox.ts).
 * Positions are pushed to customers who joined through the API (entries no
 * execution holds): a caller waiting in a scenario has no event stream.
 */
import { AgentActionResult, CustomerQueueEntry, OfferEvent, QUEUE_LIVE_EVENTS, QueueStatus, type Offer, type QueueEntry } from '@tellflow/api';
import type { Clock } from '@tellflow/clock';
import type { Database, Queryable } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import { z } from 'zod';
import type { LiveEvents } from '../events/live-events.ts';
import type { NewLiveEvent, SnapshotEvent, Viewer } from '../events/types.ts';
import type { QueueNotifier } from './dispatcher.ts';
import { currentEntry, entryById, waitingIn } from './entries.ts';
import { offerById, pendingOffer } from './offers.ts';
import { queueStatuses } from './queue-store.ts';

/** An entry assigned or ended this recently is still told its final state when its queue changes. */
const FINAL_STATE_WINDOW_MS = 10_000;

const STAFF = ['admin', 'supervisor'] as const;

const json = <S extends z.ZodType>(schema: S, value: z.output<S>): Json => z.encode(schema, value) as Json;

export interface QueueLiveOptions {
  db: Database;
  clock: Clock;
  events: LiveEvents;
  /** Executions whose `queue` effect completed are due: wake the workers. */
  wake: () => Promise<void>;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class QueueLive implements QueueNotifier {
  /** The agents' events (offers, action results) not yet published, each read when its turn comes: they go before any pass. */
  private readonly urgent: (() => Promise<NewLiveEvent>)[] = [];
  /** Queues and agents changed since the pending pass was queued; that pass publishes them all (null: none is queued). */
  private pending: { queues: Set<string>; agents: Set<string> } | null = null;
  /** The loop publishing what is queued, while it runs. */
  private running: Promise<void> | null = null;
  private readonly log: NonNullable<QueueLiveOptions['log']>;

  constructor(private readonly o: QueueLiveOptions) {
    this.log = o.log ?? (() => {});
    o.events.registerSnapshot('queues', (viewer, db) => this.snapshot(viewer, db));
  }

  wake(): Promise<void> {
    return this.o.wake();
  }

  queuesChanged(queueIds: string[]): void {
    for (const id of queueIds) this.changed().queues.add(id);
  }

  offerChanged(agentId: string, offerId: number, state: string, reason?: string): void {
    this.soon(async () => {
      const offer = state === 'pending' ? await offerById(this.o.db, offerId, this.o.clock.now()) : null;
      // An offer that was answered or withdrawn before this ran is told as it is now.
      const now = offer?.state ?? (state as Offer['state']);
      const data = { offerId, state: now, reason: reason ?? offer?.reason ?? null, offer: now === 'pending' ? offer : null };
      return { type: QUEUE_LIVE_EVENTS.offer, audience: { users: [agentId] }, data: json(OfferEvent, data) };
    });
  }

  /** The agent's presence or wrap-up changed: the queues it serves have other free agents now. */
  agentChanged(agentId: string): void {
    this.changed().agents.add(agentId);
  }

  /** The result of something the agent asked, to that agent. */
  action(agentId: string, result: AgentActionResult): void {
    this.soon(async () => ({ type: QUEUE_LIVE_EVENTS.action, audience: { users: [agentId] }, data: json(AgentActionResult, result) }));
  }

  /** Resolves once everything handed to this so far is published (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The changes the pending pass will publish, queuing one when there is none. */
  private changed(): { queues: Set<string>; agents: Set<string> } {
    if (!this.pending) {
      this.pending = { queues: new Set(), agents: new Set() };
      this.kick();
    }
    return this.pending;
  }

  /** An event for one agent: it goes ahead of the pending pass (an offer has seconds to be answered; figures can wait). */
  private soon(work: () => Promise<NewLiveEvent>): void {
    this.urgent.push(work);
    this.kick();
  }

  private kick(): void {
    this.running ??= this.publishQueued();
  }

  /**
   * Publishes what is queued, one thing after another: the agents' events
   * first, then the pending pass, then the agents' events that came
   * meanwhile, and so on; a pass also lets them go between its reads. An
   * offer waits for at most one read of a pass; a pass, for the agents'
   * events queued at each of those points (so a stream of offers cannot hold
   * it back for ever).
   */
  private async publishQueued(): Promise<void> {
    // Let the caller finish what it is handing over (a round's changes and offers come together).
    await Promise.resolve();
    for (;;) {
      await this.publishUrgent();
      const pass = this.pending;
      if (pass) {
        // From here on, changes go to the next pass: this one reads the state after them, or the next one does.
        this.pending = null;
        await this.attempt(() => this.publishPass(pass));
        continue;
      }
      if (this.urgent.length === 0) {
        this.running = null;
        return;
      }
    }
  }

  /** The agents' events queued now, in one statement. */
  private async publishUrgent(): Promise<void> {
    const batch = this.urgent.splice(0);
    if (batch.length === 0) return;
    const events: NewLiveEvent[] = [];
    for (const build of batch) await this.attempt(async () => void events.push(await build()));
    if (events.length) await this.attempt(async () => void (await this.o.events.publishAll(this.o.db, events)));
  }

  private async attempt(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.log('queue live events not published', { error: String(e) });
    }
  }

  private async publishPass(pass: { queues: Set<string>; agents: Set<string> }): Promise<void> {
    const ids = new Set(pass.queues);
    if (pass.agents.size) {
      const { rows } = await this.o.db.query<{ queue_id: string }>('select distinct queue_id from queue_members where user_id = any($1::uuid[])', [
        [...pass.agents],
      ]);
      for (const r of rows) ids.add(r.queue_id);
    }
    await this.publishQueues([...ids]);
  }

  private async publishQueues(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { db, clock, events } = this.o;
    const now = clock.now();
    const statuses = await queueStatuses(db, ids, now);
    const { rows: members } = await db.query<{ queue_id: string; user_id: string }>(
      'select queue_id, user_id::text from queue_members where queue_id = any($1::text[])',
      [ids],
    );
    // One statement for them all: a busy queue has many waiting customers to tell.
    await events.publishAll(db, [
      ...statuses.map((status) => ({
        type: QUEUE_LIVE_EVENTS.status,
        audience: { roles: STAFF, users: members.filter((m) => m.queue_id === status.queueId).map((m) => m.user_id) },
        data: json(QueueStatus, status),
      })),
      ...(await customersToTell(db, ids, now, () => this.publishUrgent())).map((entry) => ({
        type: QUEUE_LIVE_EVENTS.position,
        audience: { customers: [entry.customer] },
        data: json(CustomerQueueEntry, { entry }),
      })),
    ]);
  }

  private async snapshot(viewer: Viewer, db: Queryable): Promise<SnapshotEvent[]> {
    const now = this.o.clock.now();
    if (viewer.kind === 'customer') {
      return [{ type: QUEUE_LIVE_EVENTS.position, data: json(CustomerQueueEntry, { entry: await currentEntry(db, viewer.subject, now) }) }];
    }
    const out: SnapshotEvent[] = [];
    const offer = await pendingOffer(db, viewer.id, now);
    if (offer) out.push({ type: QUEUE_LIVE_EVENTS.offer, data: json(OfferEvent, { offerId: offer.id, state: 'pending', reason: offer.reason, offer }) });
    const { rows } = await db.query<{ id: string }>(
      (STAFF as readonly string[]).includes(viewer.role)
        ? 'select id from queues order by priority desc, id'
        : 'select q.id from queues q join queue_members m on m.queue_id = q.id and m.user_id = $1 order by q.priority desc, q.id',
      (STAFF as readonly string[]).includes(viewer.role) ? [] : [viewer.id],
    );
    for (const status of await queueStatuses(
      db,
      rows.map((r) => r.id),
      now,
    )) {
      out.push({ type: QUEUE_LIVE_EVENTS.status, data: json(QueueStatus, status) });
    }
    return out;
  }
}

/**
 * The API customers of these queues to tell where they are: those waiting,
 * and those assigned or ended just now (their final state).
 */
async function customersToTell(db: Queryable, queueIds: string[], now: number, between: () => Promise<void>): Promise<QueueEntry[]> {
  const { rows } = await db.query<{ id: number; queue_id: string; waiting: boolean }>(
    `select id::float8 as id, queue_id, state in ('waiting', 'offered') as waiting from queue_entries
     where queue_id = any($1::text[]) and execution_id is null
       and (state in ('waiting', 'offered') or coalesce(ended_at, assigned_at) >= $2)`,
    [queueIds, new Date(now - FINAL_STATE_WINDOW_MS)],
  );
  if (rows.length === 0) return [];
  const out: QueueEntry[] = [];
  for (const queueId of new Set(rows.filter((r) => r.waiting).map((r) => r.queue_id))) {
    const mine = new Set(rows.filter((r) => r.queue_id === queueId).map((r) => r.id));
    await between();
    out.push(...(await waitingIn(db, queueId, now)).filter((e) => mine.has(e.id)));
  }
  for (const r of rows) {
    if (r.waiting) continue;
    await between();
    out.push(await entryById(db, r.id, now));
  }
  return out;
}

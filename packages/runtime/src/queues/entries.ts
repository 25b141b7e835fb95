/**
 * Customers in queues: joining (the seed's startQueuing / startQueuing2, or
 * a scenario's `queue` node), leaving (stopQueuing), and where they are:
 * position, time waited and the estimated wait (docs/queues.md).
 */
import type { QueueEntry } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import { conflict, notFound } from '../errors.ts';
import { completeEffect } from '../sql/effects.ts';
import { logQueueEvents } from './log.ts';

export type { QueueEntry };

export interface Join {
  queueId: string;
  /** Who waits: a customer token's subject, a caller's number, or the execution. One queue at a time each. */
  customer: string;
  name?: string | null;
  extra?: Record<string, unknown>;
  /** Overrides the queue's priority for this entry (the `queue` node's priority). */
  priority?: number | null;
  /** The execution waiting at this step (the `queue` node). */
  waiting?: { executionId: string; step: number };
  callbackNumber?: string | null;
}

/** Puts a customer in a queue; a customer already in one is a 409 naming it. Returns the entry id. */
export async function joinQueue(q: Queryable, j: Join, now: number): Promise<number> {
  const queue = await q.query('select 1 from queues where id = $1', [j.queueId]);
  if (queue.rows.length === 0) throw notFound(`queue "${j.queueId}"`);
  const { rows } = await q.query<{ id: number }>(
    `insert into queue_entries (queue_id, customer, name, extra, priority, execution_id, step, callback_number, state, enqueued_at)
     values ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $8, 'waiting', $9)
     on conflict (customer) where state in ('waiting', 'offered', 'assigned') do nothing returning id`,
    [
      j.queueId,
      j.customer,
      j.name ?? null,
      JSON.stringify(j.extra ?? {}),
      j.priority ?? null,
      j.waiting?.executionId ?? null,
      j.waiting?.step ?? null,
      j.callbackNumber ?? null,
      new Date(now),
    ],
  );
  if (!rows[0]) {
    const where = await q.query<{ queue_id: string; state: string }>(
      `select queue_id, state from queue_entries where customer = $1 and state in ('waiting', 'offered', 'assigned')`,
      [j.customer],
    );
    const w = where.rows[0];
    throw conflict(w ? `the customer is already in queue "${w.queue_id}" (${w.state}): leave it first` : 'the customer is already in a queue', {
      queueId: w?.queue_id ?? null,
    });
  }
  await logQueueEvents(q, now, [{ kind: 'joined', queueId: j.queueId, entryId: rows[0].id, data: { customer: j.customer } }]);
  return Number(rows[0].id);
}

/**
 * The customer leaves its queue (stopQueuing, or the caller hung up): a
 * pending offer is cancelled (its agent is told), a waiting execution goes on
 * with `left`. Returns the entry's queue and the agent whose offer went, if any.
 */
export async function leaveQueue(
  q: Queryable,
  customer: string,
  now: number,
  reason = 'the customer left',
): Promise<{ entryId: number; queueId: string; cancelledOffer: { id: number; agentId: string } | null }> {
  const { rows } = await q.query<{ id: number; queue_id: string; execution_id: string | null; step: number | null; enqueued_at: Date }>(
    `update queue_entries set state = 'left', ended_at = $2, reason = $3
     where customer = $1 and state in ('waiting', 'offered') returning id, queue_id, execution_id, step, enqueued_at`,
    [customer, new Date(now), reason],
  );
  const e = rows[0];
  if (!e) throw notFound('a queue you are waiting in');
  const offer = await q.query<{ id: number; agent_id: string }>(
    `update queue_offers set state = 'cancelled', decided_at = $2, reason = $3 where entry_id = $1 and state = 'pending' returning id, agent_id`,
    [e.id, new Date(now), reason],
  );
  const o = offer.rows[0];
  await logQueueEvents(q, now, [
    ...(o ? [{ kind: 'cancelled' as const, queueId: e.queue_id, entryId: e.id, agentId: o.agent_id, reason }] : []),
    { kind: 'abandoned', queueId: e.queue_id, entryId: e.id, reason, data: { waitedMs: now - e.enqueued_at.getTime() } },
  ]);
  if (e.execution_id !== null && e.step !== null) {
    const left: Json = { outcome: 'left', waitedMs: now - e.enqueued_at.getTime() };
    await completeEffect(q, e.execution_id, e.step, left, now);
  }
  return { entryId: Number(e.id), queueId: e.queue_id, cancelledOffer: o ? { id: Number(o.id), agentId: o.agent_id } : null };
}

/**
 * SQL: how many agents serve the queue `queueId` and are signed in (not
 * offline, account enabled): the divisor of the estimated wait. Agents in
 * DND count, as they may still ask for customers themselves.
 */
export const signedInServing = (queueId: string) =>
  `(select count(*)::int from queue_members m join users u on u.id = m.user_id join agent_presence p on p.user_id = m.user_id
    where m.queue_id = ${queueId} and p.state <> 'offline' and not u.disabled)`;

type EntryRow = Omit<QueueEntry, 'position' | 'waitedSec' | 'estimatedWaitSec'> & {
  position: number | null;
  serving: number;
  aht_ms: number | null;
};

const ENTRY_SELECT = `
  select e.id::float8 as id, e.queue_id as "queueId", e.customer, e.name, e.extra, e.state, e.enqueued_at as "enqueuedAt", e.agent_id as "agentId",
    e.callback_number as "callbackNumber",
    case when e.state in ('waiting', 'offered') then (
      select count(*)::int from queue_entries o join queues oq on oq.id = o.queue_id
      where o.queue_id = e.queue_id and o.state in ('waiting', 'offered')
        and (coalesce(o.priority, oq.priority), -extract(epoch from o.enqueued_at), -o.id)
         >= (coalesce(e.priority, q.priority), -extract(epoch from e.enqueued_at), -e.id)
    ) end as position,
    ${signedInServing('e.queue_id')} as serving,
    q.aht_ms
  from queue_entries e join queues q on q.id = e.queue_id`;

/**
 * The estimated wait (docs/queues.md "Estimated wait"): the queue's smoothed
 * handle time × the customer's position (those ahead and itself) ÷ the
 * agents signed in serving it, in whole seconds; null before the queue has a
 * handle time or while nobody signed in serves it.
 */
export function estimatedWaitSec(position: number | null, ahtMs: number | null, serving: number): number | null {
  if (position === null || ahtMs === null || serving === 0) return null;
  return Math.round((ahtMs * position) / serving / 1000);
}

function toEntry(r: EntryRow, now: number): QueueEntry {
  const { serving, aht_ms, ...rest } = r;
  return {
    ...rest,
    waitedSec: Math.max(0, Math.round((now - r.enqueuedAt.getTime()) / 1000)),
    estimatedWaitSec: estimatedWaitSec(r.position, aht_ms, serving),
  };
}

/** The customers waiting in a queue, in the order they will be offered (getQueueUsers). */
export async function waitingIn(q: Queryable, queueId: string, now: number): Promise<QueueEntry[]> {
  const { rows } = await q.query<EntryRow>(
    `${ENTRY_SELECT} where e.queue_id = $1 and e.state in ('waiting', 'offered') order by coalesce(e.priority, q.priority) desc, e.enqueued_at, e.id`,
    [queueId],
  );
  return rows.map((r) => toEntry(r, now));
}

/** One entry; the customer's own current one with `customer`. */
export async function entryById(q: Queryable, id: number, now: number): Promise<QueueEntry> {
  const { rows } = await q.query<EntryRow>(`${ENTRY_SELECT} where e.id = $1`, [id]);
  if (!rows[0]) throw notFound(`queue entry ${id}`);
  return toEntry(rows[0], now);
}

/** The customer's entry while it waits or is being served. */
export async function currentEntry(q: Queryable, customer: string, now: number): Promise<QueueEntry | null> {
  const { rows } = await q.query<EntryRow>(`${ENTRY_SELECT} where e.customer = $1 and e.state in ('waiting', 'offered', 'assigned')`, [customer]);
  return rows[0] ? toEntry(rows[0], now) : null;
}

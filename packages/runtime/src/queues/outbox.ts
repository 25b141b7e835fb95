/**
 * Queue changes made where no QueueNotifier is — a runner's `queue` node
 * joining or timing out, an execution's end taking its entry with it (the
 * trigger, migration 0019) — are recorded in `queue_live_outbox` in the
 * transaction that makes them. The dispatcher's round takes them (each row
 * by one process) and hands them to its notifier, which publishes them like
 * its own changes: the queue's status and positions, and the agent told of
 * the offer it lost. Recorded, not NOTIFYed: a NOTIFY reaches every process
 * (each would publish it again) and is lost with a process that dies.
 */
import type { Queryable } from '@tellflow/db';

/** An offer taken from an agent because its customer went. */
export interface CancelledOffer {
  offerId: number;
  agentId: string;
  reason: string;
}

export interface QueueChanges {
  queueIds: string[];
  cancelledOffers: CancelledOffer[];
}

/** Records that `queueId` changed (and the offer cancelled with it), in the caller's transaction. */
export async function recordQueueChange(q: Queryable, queueId: string, cancelled?: CancelledOffer): Promise<void> {
  await q.query('insert into queue_live_outbox (queue_id, offer_id, agent_id, reason) values ($1, $2, $3, $4)', [
    queueId,
    cancelled?.offerId ?? null,
    cancelled?.agentId ?? null,
    cancelled?.reason ?? null,
  ]);
}

/** Takes every recorded change, oldest first: they are this caller's to publish once its transaction commits. */
export async function takeQueueChanges(q: Queryable): Promise<QueueChanges> {
  const { rows } = await q.query<{ id: number; queue_id: string; offer_id: number | null; agent_id: string | null; reason: string | null }>(
    'delete from queue_live_outbox returning id, queue_id, offer_id, agent_id::text, reason',
  );
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  return {
    queueIds: [...new Set(rows.map((r) => r.queue_id))],
    cancelledOffers: rows.flatMap((r) =>
      r.offer_id !== null && r.agent_id !== null ? [{ offerId: Number(r.offer_id), agentId: r.agent_id, reason: r.reason ?? 'the customer left' }] : [],
    ),
  };
}

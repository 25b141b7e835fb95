/**
 * Queue statistics (docs/queues.md "Statistics", one definition each): the
 * figures now, from the entries and the agents, and over a sliding window
 * ending now, from the event log — each thing counted when it happened, in
 * the queue it happened in (a customer who overflowed is answered or
 * abandoned in the queue it went to). Every query starts from an index:
 * queue_events (queue_id, at), the partial indexes of unfinished entries,
 * and entries by id.
 */
import type { QueueStats } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import { notFound } from '../errors.ts';
import { estimatedWaitSec, signedInServing } from './entries.ts';
import { queueStatuses } from './queue-store.ts';

export type { QueueStats };
export type LiveQueueFigures = QueueStats['now'];

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const seconds = (ms: number | null) => (ms === null ? null : round(ms / 1000, 3));

/** The figures now of each queue, in the order asked (unknown ids are left out). */
export async function liveQueueFigures(q: Queryable, ids: readonly string[], now: number): Promise<LiveQueueFigures[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query<{ id: string; offers_pending: number; being_served: number; ahead: number; signed_in: number; aht_ms: number | null }>(
    `select q.id,
       (select count(*)::int from queue_entries e where e.queue_id = q.id and e.state = 'offered') as offers_pending,
       (select count(*)::int from queue_entries e where e.queue_id = q.id and e.state = 'assigned') as being_served,
       (select count(*)::int from queue_entries e where e.queue_id = q.id and e.state in ('waiting', 'offered')
          and coalesce(e.priority, q.priority) >= q.priority) as ahead,
       ${signedInServing('q.id')} as signed_in,
       q.aht_ms
     from unnest($1::text[]) with ordinality as x(id, ord) join queues q on q.id = x.id order by x.ord`,
    [ids],
  );
  const statuses = new Map((await queueStatuses(q, ids, now)).map((s) => [s.queueId, s]));
  return rows.map((r) => ({
    ...statuses.get(r.id)!,
    offersPending: r.offers_pending,
    beingServed: r.being_served,
    averageHandleTimeSec: seconds(r.aht_ms),
    // A customer joining now at the queue's own priority comes after everyone waiting at that priority or higher.
    estimatedWaitSec: estimatedWaitSec(r.ahead + 1, r.aht_ms, r.signed_in),
  }));
}

interface WindowRow {
  offered: number;
  accepted: number;
  rejected: number;
  timed_out: number;
  cancelled: number;
  joined: number;
  answered_within: number;
  abandoned: number;
  short_abandoned: number;
  wait_timed_out: number;
  overflowed: number;
  served: number;
  asa_ms: number | null;
  aht_ms: number | null;
}

/** A queue's statistics at `now`, over the `windowSec` seconds before it. */
export async function queueStats(q: Queryable, queueId: string, now: number, windowSec: number): Promise<QueueStats> {
  const { rows: found } = await q.query<{ service_level_sec: number; short_abandon_sec: number }>(
    'select service_level_sec, short_abandon_sec from queues where id = $1',
    [queueId],
  );
  const queue = found[0];
  if (!queue) throw notFound(`queue "${queueId}"`);
  const from = new Date(now - windowSec * 1000);
  const to = new Date(now);
  // The customer's wait: joining this queue (or overflowing into it) → assigned, or → leaving.
  const { rows } = await q.query<WindowRow>(
    `with ev as (
       select v.kind, v.data, e.enqueued_at, e.assigned_at, e.ended_at
       from queue_events v left join queue_entries e on e.id = v.entry_id and v.kind in ('accepted', 'abandoned')
       where v.queue_id = $1 and v.at > $2 and v.at <= $3
     )
     select
       count(*) filter (where kind = 'offered')::int as offered,
       count(*) filter (where kind = 'accepted')::int as accepted,
       count(*) filter (where kind = 'rejected')::int as rejected,
       count(*) filter (where kind = 'timedOut')::int as timed_out,
       count(*) filter (where kind = 'cancelled')::int as cancelled,
       count(*) filter (where kind = 'joined')::int as joined,
       count(*) filter (where kind = 'accepted' and assigned_at - enqueued_at <= make_interval(secs => $4))::int as answered_within,
       count(*) filter (where kind = 'abandoned' and ended_at - enqueued_at >= make_interval(secs => $5))::int as abandoned,
       count(*) filter (where kind = 'abandoned' and ended_at - enqueued_at < make_interval(secs => $5))::int as short_abandoned,
       count(*) filter (where kind = 'waitTimedOut')::int as wait_timed_out,
       count(*) filter (where kind = 'overflowed')::int as overflowed,
       count(*) filter (where kind = 'served')::int as served,
       (avg(greatest(extract(epoch from assigned_at - enqueued_at), 0)) filter (where kind = 'accepted') * 1000)::float8 as asa_ms,
       (avg((data->>'handleMs')::float8) filter (where kind = 'served'))::float8 as aht_ms
     from ev`,
    [queueId, from, to, queue.service_level_sec, queue.short_abandon_sec],
  );
  const w = rows[0]!;
  const live = (await liveQueueFigures(q, [queueId], now))[0]!;
  const measured = w.accepted + w.abandoned;
  return {
    queueId,
    at: to,
    serviceLevelSec: queue.service_level_sec,
    shortAbandonSec: queue.short_abandon_sec,
    now: live,
    window: {
      from,
      to,
      seconds: windowSec,
      offers: { offered: w.offered, accepted: w.accepted, rejected: w.rejected, timedOut: w.timed_out, cancelled: w.cancelled },
      joined: w.joined,
      answered: w.accepted,
      answeredWithinServiceLevel: w.answered_within,
      abandoned: w.abandoned,
      shortAbandoned: w.short_abandoned,
      waitTimedOut: w.wait_timed_out,
      overflowed: w.overflowed,
      served: w.served,
      averageSpeedOfAnswerSec: seconds(w.asa_ms),
      averageHandleTimeSec: seconds(w.aht_ms),
      serviceLevel: measured === 0 ? null : round(w.answered_within / measured, 4),
    },
  };
}

/** The queue event log (queue_events): one row per thing that happened, with why. */
import type { QUEUE_EVENT_KINDS, QueueLogEvent } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';

export type QueueEventKind = (typeof QUEUE_EVENT_KINDS)[number];

export interface QueueEvent {
  kind: QueueEventKind;
  queueId?: string | null;
  entryId?: number | null;
  agentId?: string | null;
  reason?: string | null;
  data?: unknown;
}

/** Writes events in one statement. */
export async function logQueueEvents(q: Queryable, at: number, events: readonly QueueEvent[]): Promise<void> {
  if (events.length === 0) return;
  await q.query(
    `insert into queue_events (at, queue_id, entry_id, agent_id, kind, reason, data)
     select $1, e.queue_id, e.entry_id, e.agent_id, e.kind, e.reason, e.data
     from jsonb_to_recordset($2::text::jsonb) as e(queue_id text, entry_id bigint, agent_id uuid, kind text, reason text, data jsonb)`,
    [
      new Date(at),
      JSON.stringify(
        events.map((e) => ({
          queue_id: e.queueId ?? null,
          entry_id: e.entryId ?? null,
          agent_id: e.agentId ?? null,
          kind: e.kind,
          reason: e.reason ?? null,
          data: e.data ?? null,
        })),
      ),
    ],
  );
}

export interface QueueEventPage {
  events: QueueLogEvent[];
  /** The `before` of the next (older) page; null on the last. */
  nextBefore: number | null;
}

/** A queue's log, newest first, a page at a time (`before`: an event id), optionally one customer's, agent's or kind's. */
export async function readQueueEvents(
  q: Queryable,
  queueId: string,
  o: { before?: number; limit?: number; entryId?: number; agentId?: string; kind?: QueueEventKind } = {},
): Promise<QueueEventPage> {
  const limit = o.limit ?? 100;
  const { rows } = await q.query<QueueLogEvent>(
    `select id::float8 as id, at, queue_id as "queueId", entry_id::float8 as "entryId", agent_id::text as "agentId", kind, reason, data
     from queue_events
     where queue_id = $1 and ($2::bigint is null or id < $2) and ($3::bigint is null or entry_id = $3) and ($4::uuid is null or agent_id = $4)
       and ($5::text is null or kind = $5)
     order by id desc limit $6`,
    [queueId, o.before ?? null, o.entryId ?? null, o.agentId ?? null, o.kind ?? null, limit + 1],
  );
  const more = rows.length > limit;
  const events = rows.slice(0, limit);
  return { events, nextBefore: more ? events.at(-1)!.id : null };
}

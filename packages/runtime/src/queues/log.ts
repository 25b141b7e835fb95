/** The queue event log (queue_events): one row per thing that happened, with why. */
import type { Queryable } from '@tellflow/db';

export type QueueEventKind =
  | 'joined'
  | 'offered'
  | 'accepted'
  | 'rejected'
  | 'timedOut'
  | 'cancelled'
  | 'abandoned'
  | 'waitTimedOut'
  | 'overflowed'
  | 'served'
  | 'startService'
  | 'stopService'
  | 'agentDnd';

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

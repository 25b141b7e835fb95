/**
 * A queue customer has been served (the agent finished with it). The SQL
 * function `tellflow_queue_serve` (migration 0018) does it for every path —
 * this one, for customers without an execution, and the trigger that serves
 * a scenario's caller when its execution ends: the entry becomes `served`,
 * its handle time goes into the `served` event and the queue's smoothed
 * handle time (docs/queues.md "Estimated wait"), and the agent goes into the
 * queue's wrap-up.
 */
import type { Queryable } from '@tellflow/db';
import { conflict, notFound } from '../errors.ts';

export interface Served {
  queueId: string;
  agentId: string;
  /** Assigned → served, plus the queue's wrap-up time. */
  handleMs: number;
}

/** Serves an assigned entry at `now`; 404 for no such entry, 409 for one not being served. */
export async function serveEntry(q: Queryable, entryId: number, now: number, reason = 'the agent finished'): Promise<Served> {
  const { rows } = await q.query<{ served_queue_id: string; served_agent_id: string; handle_ms: number }>(
    'select served_queue_id, served_agent_id, handle_ms from tellflow_queue_serve($1, $2, $3)',
    [entryId, new Date(now), reason],
  );
  const r = rows[0];
  if (r) return { queueId: r.served_queue_id, agentId: r.served_agent_id, handleMs: r.handle_ms };
  const { rows: found } = await q.query<{ state: string }>('select state from queue_entries where id = $1', [entryId]);
  if (!found[0]) throw notFound(`queue entry ${entryId}`);
  throw conflict(`queue entry ${entryId} is ${found[0].state}, not being served by an agent`);
}

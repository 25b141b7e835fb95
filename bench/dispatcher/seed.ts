/**
 * The dispatcher bench's data, bulk inserted (one `insert … select
 * generate_series` per table): `agents` online agents (users with one
 * extension each, presence available since a spread of times), `queues`
 * queues, every agent serving 3 of them with an agent priority 0–2, and
 * `customers` waiting customers spread over the queues in arrival order.
 *
 * Queue i has priority 1 when i % 10 = 0 (so the order across queues
 * matters), a max wait of an hour on even queues (none is reached: the
 * round's check still runs), offer timeout 20 s, re-offer delay 30 s, no
 * wrap-up. One customer in 97 has its own priority (the `queue` node's
 * override). Enqueued one millisecond apart, ending at `now`.
 */
import type { Queryable } from '@tellflow/db';

export interface Shape {
  agents: number;
  queues: number;
  customers: number;
}

/** Agents serve queue (i, i·7+3, i·13+11) mod queues, made distinct. */
export const MEMBERSHIPS_PER_AGENT = 3;

export async function seed(db: Queryable, s: Shape, now: number): Promise<void> {
  const at = new Date(now);
  await db.query(
    `insert into queues (id, name, priority, offer_timeout_sec, max_wait_sec, wrap_up_sec, reoffer_delay_sec, created_at, updated_at)
     select 'q' || lpad(i::text, 3, '0'), 'Queue ' || i, case when i % 10 = 0 then 1 else 0 end, 20,
       case when i % 2 = 0 then 3600 end, 0, 30, $1, $1
     from generate_series(0, $2::int - 1) as i`,
    [at, s.queues],
  );
  await db.query(
    `insert into users (id, username, password_hash, role)
     select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'agent' || lpad(i::text, 5, '0'), 'bench$none', 'agent'
     from generate_series(1, $1::int) as i`,
    [s.agents],
  );
  await db.query(
    `insert into agent_extensions (extension, user_id)
     select (100000 + i)::text, ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid from generate_series(1, $1::int) as i`,
    [s.agents],
  );
  await db.query(
    `insert into agent_presence (user_id, state, since)
     select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'available', $2::timestamptz - make_interval(secs => (i * 7919) % 3600)
     from generate_series(1, $1::int) as i`,
    [s.agents, at],
  );
  await db.query(
    `insert into queue_members (queue_id, user_id, priority, since)
     select distinct on (q, i) 'q' || lpad(q::text, 3, '0'), ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, i % 3, $3
     from generate_series(1, $1::int) as i,
       lateral (values (i % $2::int), ((i * 7 + 3) % $2::int), ((i * 13 + 11) % $2::int)) as m(q)`,
    [s.agents, s.queues, at],
  );
  await db.query(
    `insert into queue_entries (queue_id, customer, name, priority, state, enqueued_at)
     select 'q' || lpad(((i * 31) % $2::int)::text, 3, '0'), 'customer' || i, 'Customer ' || i, case when i % 97 = 0 then 5 end,
       'waiting', $3::timestamptz - make_interval(secs => ($1::int - i) / 1000.0)
     from generate_series(1, $1::int) as i`,
    [s.customers, s.queues, at],
  );
  await db.query(
    `insert into queue_events (at, queue_id, entry_id, kind, data)
     select enqueued_at, queue_id, id, 'joined', jsonb_build_object('customer', customer) from queue_entries`,
  );
  await db.query('analyze');
}

/** The ids of the bench's agents, in order. */
export function agentId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

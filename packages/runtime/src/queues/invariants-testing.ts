/**
 * What must hold of the queues however many processes race over them, read
 * from the database alone: shared by the concurrency tests (Runtime
 * instances in one process, and real `tellflow serve` processes driven over
 * HTTP). Each check returns what is wrong, as sentences, so a test asserts
 * an empty list and a failure names the entries and agents concerned.
 */
import type { Queryable } from '@tellflow/db';

/** A tiny seeded generator, so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One statement (one snapshot): agents with two things at once right now, queue work and calls together. */
const DOUBLE_BOOKED = `
  with offers as (select agent_id, count(*) as n from queue_offers where state = 'pending' group by agent_id),
  served as (select agent_id, count(*) as n from queue_entries where state = 'assigned' group by agent_id),
  calls as (
    select e.user_id as agent_id, count(distinct h.execution_id) as n from agent_holds h join agent_extensions e on e.extension = h.extension
    join executions x on x.id = h.execution_id and x.status in ('running', 'waiting')
    -- The call that connects the agent with its own customer (the caller's scenario, or the call-back) is that one thing.
    where not exists (select 1 from queue_entries qe where qe.execution_id = h.execution_id and qe.agent_id = e.user_id and qe.state = 'assigned')
    group by e.user_id
  ), busy as (select agent_id from offers union select agent_id from served union select agent_id from calls)
  select b.agent_id::text, coalesce(o.n, 0)::int as offers, coalesce(s.n, 0)::int as customers, coalesce(c.n, 0)::int as calls
  from busy b left join offers o on o.agent_id = b.agent_id left join served s on s.agent_id = b.agent_id left join calls c on c.agent_id = b.agent_id
  where coalesce(o.n, 0) + coalesce(s.n, 0) + coalesce(c.n, 0) > 1`;

/** Agents with more than one thing at once — pending offers, customers and live calls counted together — now, in one snapshot. */
export async function doubleBookedNow(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ agent_id: string; offers: number; customers: number; calls: number }>(DOUBLE_BOOKED);
  return rows.map((r) => `agent ${r.agent_id}: ${r.offers} pending offers, ${r.customers} customers, ${r.calls} calls at once`);
}

/**
 * Within each queue (one priority per queue, no entry with its own), entries
 * are first offered in arrival order: an entry that has never been offered
 * has no agent cooling for it, so when an agent serving its queue got a later
 * entry at `t`, it was offered in that same round (same `t`) or the agent was
 * taken. A violation: entry `ahead` joined before `e`, surely waited at `e`'s
 * first offer (joined a second before, still waiting a second after: commits
 * in flight are not "surely"), and was first offered after it or never.
 */
const ORDER_VIOLATIONS = `
  with first_offer as (
    select entry_id, min(created_at) as at from queue_offers where mode = 'auto' group by entry_id
  )
  select e.id::text as entry, ahead.id::text as ahead, f.at
  from queue_entries e join first_offer f on f.entry_id = e.id
  join queue_entries ahead on ahead.queue_id = e.queue_id and (ahead.enqueued_at, ahead.id) < (e.enqueued_at, e.id)
  left join first_offer fa on fa.entry_id = ahead.id
  where ahead.enqueued_at < f.at - interval '1 second'
    and (fa.at is null or fa.at > f.at)
    and coalesce(least(ahead.ended_at, ahead.assigned_at, fa.at), 'infinity') > f.at + interval '1 second'
  limit 20`;

/** The entries by state, e.g. `{ waiting: 3, served: 40 }`. */
export async function entryStates(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; n: number }>(`select state, count(*)::int as n from queue_entries group by state order by state`);
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/**
 * After the race, with every process stopped or idle: no customer with two
 * entries or assigned twice, every entry in a defined state consistent with
 * its offers, every offer and state change in the log (one event per offer
 * answer), and the order within each queue.
 */
export async function queueInvariantProblems(db: Queryable): Promise<string[]> {
  const problems: string[] = [];
  const check = async (what: string, sql: string) => {
    const { rows } = await db.query<Record<string, unknown>>(sql);
    if (rows.length) problems.push(`${what}: ${JSON.stringify(rows.slice(0, 10))}`);
  };
  await check('customers with more than one entry', `select customer from queue_entries group by customer having count(*) > 1`);
  await check(
    'entries in an unknown state',
    `select id::text, state from queue_entries where state not in ('waiting', 'offered', 'assigned', 'served', 'left', 'timedOut')`,
  );
  await check('entries accepted twice', `select entry_id::text from queue_offers where state = 'accepted' group by entry_id having count(*) > 1`);
  await check('entries with two accepted events', `select entry_id::text from queue_events where kind = 'accepted' group by entry_id having count(*) > 1`);
  await check('agents with two pending offers', `select agent_id::text from queue_offers where state = 'pending' group by agent_id having count(*) > 1`);
  await check('agents with two customers', `select agent_id::text from queue_entries where state = 'assigned' group by agent_id having count(*) > 1`);
  // Each entry's state agrees with its offers: offered ⇔ one pending offer; assigned and served came from an accepted one.
  await check(
    'entries whose state disagrees with their pending offer',
    `select e.id::text, e.state from queue_entries e
     where (e.state = 'offered') <> exists (select 1 from queue_offers o where o.entry_id = e.id and o.state = 'pending')`,
  );
  await check(
    'assigned or served entries without an accepted offer by their agent',
    `select e.id::text from queue_entries e where e.state in ('assigned', 'served')
     and not exists (select 1 from queue_offers o where o.entry_id = e.id and o.state = 'accepted' and o.agent_id = e.agent_id)`,
  );
  // Every state change has its row in the log.
  await check(
    'entries without a joined event',
    `select e.id::text from queue_entries e where not exists (select 1 from queue_events v where v.entry_id = e.id and v.kind = 'joined')`,
  );
  for (const [state, kind] of [
    ['served', 'served'],
    ['left', 'abandoned'],
    ['timedOut', 'waitTimedOut'],
  ] as const) {
    await check(
      `${state} entries without a ${kind} event`,
      `select e.id::text from queue_entries e where e.state = '${state}'
       and not exists (select 1 from queue_events v where v.entry_id = e.id and v.kind = '${kind}')`,
    );
  }
  for (const [state, kind] of [
    ['accepted', 'accepted'],
    ['rejected', 'rejected'],
    ['timedOut', 'timedOut'],
    ['cancelled', 'cancelled'],
  ] as const) {
    // Offers and their events pair up one to one, by entry and agent.
    await check(
      `${state} offers against ${kind} events`,
      `with o as (select entry_id, agent_id, count(*)::int as n from queue_offers where state = '${state}' group by 1, 2),
       v as (select entry_id, agent_id, count(*)::int as n from queue_events where kind = '${kind}' group by 1, 2)
       select coalesce(o.entry_id, v.entry_id)::text as entry_id, coalesce(o.agent_id, v.agent_id)::text as agent_id,
         coalesce(o.n, 0) as offers, coalesce(v.n, 0) as events
       from o full join v on v.entry_id = o.entry_id and v.agent_id = o.agent_id where coalesce(o.n, 0) <> coalesce(v.n, 0) limit 10`,
    );
  }
  await check(
    'offers without their offered (auto) or accepted (manual) event',
    `select o.id::text from queue_offers o where not exists (
       select 1 from queue_events v where v.entry_id = o.entry_id and v.agent_id = o.agent_id and v.kind = case o.mode when 'auto' then 'offered' else 'accepted' end)`,
  );
  await check('entries offered out of order within their queue', ORDER_VIOLATIONS);
  return problems;
}

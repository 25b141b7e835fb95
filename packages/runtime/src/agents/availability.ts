/**
 * The one availability rule: may this agent be given something now?
 *
 * An extension's person is available unless
 *   - offline (the default for an agent who never said otherwise, and a
 *     disabled account) or in DND;
 *   - busy: one of its numbers is held by a live execution (it won the agent
 *     for a call and its dialog: see agent_holds), or a form of a live
 *     execution waits for it (the after-call form of the dialog), or it holds
 *     a queue offer, or serves a queue customer it accepted;
 *   - in wrap-up after a call (until `wrap_until`, or until it says ready).
 * An agent's numbers are all its extensions and its username (forms may be
 * assigned to either). A number no agent has is a bare extension: nobody
 * says whether it is present, so only what holds it counts.
 *
 * Who asks matters: an execution does not make its own agent busy to itself
 * or to its children (a dialog started by the call that won the agent).
 * The dialer, the `call` effect and the queue dispatcher all decide here,
 * under `lockAgent`, so two of them never win one agent at once.
 */
import type { AgentState } from '@tellflow/api';
import type { Database, Queryable } from '@tellflow/db';

export type { AgentState };

export interface Availability {
  extension: string;
  /** The agent (user) the extension belongs to; null for a bare extension. */
  userId: string | null;
  state: AgentState;
  /** The execution that makes it busy. */
  executionId: string | null;
}

/** Why an agent in this state is not given anything, in words. */
export function unavailableReason(a: Availability): string | null {
  switch (a.state) {
    case 'available':
      return null;
    case 'offline':
      return `agent ${a.extension} is offline`;
    case 'dnd':
      return `agent ${a.extension} is in do-not-disturb`;
    case 'wrapUp':
      return `agent ${a.extension} is in wrap-up`;
    case 'busy':
      return `agent ${a.extension} is busy (execution ${a.executionId})`;
  }
}

const LIVE = `x.status in ('running', 'waiting')`;

/**
 * The availability of each extension at `now`, as seen by `asker` (an
 * execution: it and its ancestors do not count against it). Extensions come
 * back in the order asked.
 */
export async function availability(q: Queryable, extensions: readonly string[], now: number, asker: string | null = null): Promise<Availability[]> {
  if (extensions.length === 0) return [];
  const { rows } = await q.query<Availability>(
    `with recursive mine(id) as (
       select $3::uuid where $3::uuid is not null
       union all select e.parent_id from executions e join mine on e.id = mine.id where e.parent_id is not null
     ),
     asked as (
       select x.extension, x.ord, a.user_id, coalesce(u.disabled, false) as disabled from unnest($1::text[]) with ordinality as x(extension, ord)
       left join agent_extensions a on a.extension = x.extension left join users u on u.id = a.user_id
     ),
     -- Every number that reaches the same person.
     reach as (
       select asked.extension, coalesce(o.extension, asked.extension) as number from asked left join agent_extensions o on o.user_id = asked.user_id
       union select asked.extension, u.username from asked join users u on u.id = asked.user_id
     )
     select asked.extension, asked.user_id as "userId",
       case
         when asked.user_id is not null and (asked.disabled or coalesce(p.state, 'offline') = 'offline') then 'offline'
         when p.state = 'dnd' then 'dnd'
         when coalesce(h.execution_id, f.execution_id) is not null or ${queueBusy('asked.user_id', 'mine')} then 'busy'
         when p.wrap_until > $2 then 'wrapUp'
         else 'available'
       end as state,
       coalesce(h.execution_id, f.execution_id) as "executionId"
     from asked
     left join agent_presence p on p.user_id = asked.user_id
     left join lateral (
       select h.execution_id from agent_holds h join executions x on x.id = h.execution_id and ${LIVE}
       where h.extension in (select number from reach r where r.extension = asked.extension) and h.execution_id not in (select id from mine)
       limit 1
     ) h on true
     left join lateral (
       select f.execution_id from effects f join executions x on x.id = f.execution_id and ${LIVE}
       where f.kind = 'form' and f.status = 'pending' and f.assignee in (select number from reach r where r.extension = asked.extension)
         and f.execution_id not in (select id from mine)
       limit 1
     ) f on true
     order by asked.ord`,
    [extensions, new Date(now), asker],
  );
  return rows;
}

/**
 * SQL: the agent `userId` holds a pending queue offer or serves a queue
 * customer it accepted. With `mine` (the asker's family): a customer whose
 * execution is the asker's does not count, as the asker's own holds do not:
 * the inbound scenario (or the queue callback) that got the agent rings it.
 */
const queueBusy = (userId: string, mine?: string) =>
  `(exists (select 1 from queue_offers o where o.agent_id = ${userId} and o.state = 'pending')
    or exists (select 1 from queue_entries qe where qe.agent_id = ${userId} and qe.state = 'assigned'${
      mine ? ` and (qe.execution_id is null or qe.execution_id not in (select id from ${mine}))` : ''
    }))`;

/**
 * SQL: the rule for the agent whose users row is `u`, at `now` (a
 * parameter), for the queue dispatcher's bulk choice. `manual`: the agent
 * asked for a customer itself, so DND and wrap-up do not count (asking is
 * being ready).
 */
export function agentFreeSql(u: string, now: string, { manual = false } = {}): string {
  const presence = manual ? `p.state in ('available', 'dnd')` : `p.state = 'available' and (p.wrap_until is null or p.wrap_until <= ${now})`;
  return `(not ${u}.disabled
    and exists (select 1 from agent_presence p where p.user_id = ${u}.id and ${presence})
    and not exists (select 1 from agent_extensions e join agent_holds h on h.extension = e.extension
                    join executions x on x.id = h.execution_id and ${LIVE} where e.user_id = ${u}.id)
    and not exists (select 1 from effects f join executions x on x.id = f.execution_id and ${LIVE}
                    where f.kind = 'form' and f.status = 'pending'
                      and (f.assignee = ${u}.username or f.assignee in (select e.extension from agent_extensions e where e.user_id = ${u}.id)))
    and not ${queueBusy(`${u}.id`)})`;
}

/**
 * Serializes everyone deciding about the person behind `extension` until the
 * transaction ends (all its extensions share one lock).
 */
export async function lockAgent(tx: Queryable, extension: string): Promise<void> {
  await tx.query(
    `select pg_advisory_xact_lock(hashtext('tellflow:agent:' || coalesce((select user_id::text from agent_extensions where extension = $1), $1)))`,
    [extension],
  );
}

/**
 * Records that `executionId` holds the extension (call under `lockAgent`,
 * after checking it is available to that execution). A live hold of the
 * execution's own family stays as it is: the hold lasts as long as the
 * outermost holder.
 */
export async function recordHold(tx: Queryable, extension: string, executionId: string, now: number): Promise<void> {
  await tx.query(
    `insert into agent_holds (extension, execution_id, since) values ($1, $2, $3)
     on conflict (extension) do update set execution_id = excluded.execution_id, since = excluded.since
     where not exists (select 1 from executions x where x.id = agent_holds.execution_id and ${LIVE})`,
    [extension, executionId, new Date(now)],
  );
}

/**
 * Wins the agent behind `extension` for `executionId` if it is available to
 * it: in one transaction, under the agent's lock. Returns why not otherwise.
 */
export async function holdAgent(
  db: Database,
  extension: string,
  executionId: string,
  now: number,
): Promise<{ held: true } | { held: false; availability: Availability; reason: string }> {
  return db.transaction(async (tx) => {
    await lockAgent(tx, extension);
    const [a] = await availability(tx, [extension], now, executionId);
    const reason = unavailableReason(a!);
    if (reason) return { held: false, availability: a!, reason };
    await recordHold(tx, extension, executionId, now);
    return { held: true };
  });
}

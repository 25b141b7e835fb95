/**
 * The queue dispatcher (seed 000): customers wait in queues, agents serving
 * them are offered the next one.
 *
 * Order: entries by their queue's priority (or the entry's own, set by the
 * `queue` node), then by how long they have waited; each goes to the free
 * agent (the availability rule, agents/availability.ts) serving its queue
 * with the highest agent priority there, ties to the one idle longest. So a
 * free agent gets the entry of the highest-priority queue it serves, the
 * longest-waiting among equals. An agent who rejected an entry or let it
 * time out is not offered it again for the queue's re-offer delay.
 *
 * Everything is rows: an offer (`queue_offers`, pending until accepted,
 * rejected, timed out or cancelled; unique per agent and per entry while
 * pending), the entry's state, and an event row for each thing that happened
 * (`queue_events`, with why an agent was chosen). A round runs under one
 * advisory lock (one process matches at a time; others skip) and the lock of
 * each agent it offers to (as the dialer and the call effect take it), so an
 * agent is never given two things at once by different processes.
 */
import type { Clock } from '@tellflow/clock';
import type { Database, Queryable } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import { agentFreeSql } from '../agents/availability.ts';
import { conflict, notFound } from '../errors.ts';
import type { ScenarioStore } from '../scenarios.ts';
import { completeEffect } from '../sql/effects.ts';
import { isCallback, startQueueCallback } from './callback.ts';
import { joinQueue, leaveQueue, type Join } from './entries.ts';
import { logQueueEvents, type QueueEvent } from './log.ts';
import { takeQueueChanges } from './outbox.ts';

/** What the dispatcher tells the world after it changed something (live events, wake-ups). */
export interface QueueNotifier {
  /** Executions whose `queue` effect completed: due now (other processes are told). */
  wake(): Promise<void>;
  /** Queues whose waiting customers or agents changed. */
  queuesChanged(queueIds: string[]): void;
  /** An offer was made to, or taken from, an agent. */
  offerChanged(agentId: string, offerId: number, state: string, reason?: string): void;
}

/** NOTIFY channel: something in the queues changed (a join, an agent freed): dispatch now. */
export const QUEUE_CHANNEL = 'tellflow_queue';

export const quietNotifier: QueueNotifier = { wake: async () => {}, queuesChanged: () => {}, offerChanged: () => {} };

/**
 * The QUEUE_CHANNEL payload of a change that can have freed this one agent
 * and nothing else (it went available, or ended its wrap-up). Any other
 * payload (a queue's id, a word) may have changed anything. Queue ids have no
 * colon.
 */
const AGENT_FREED = 'agent:';
export const agentFreedPayload = (agentId: string) => `${AGENT_FREED}${agentId}`;

/**
 * A round after nothing but named agents were freed matches only them: every
 * other free agent was offered what it could take by an earlier round, so the
 * result is the same and the round does not read every online agent. A full
 * round at least this often still covers what nobody names: a wrap-up or a
 * re-offer delay that ran out, a pair skipped because its agent's lock was
 * busy.
 */
const FULL_ROUND_EVERY_MS = 500;
/** More named agents than this: a full round (it reads about as much). */
const MAX_NAMED = 200;

export interface RoundResult {
  offered: number;
  timedOut: number;
  waitTimedOut: number;
}

/** Offers made per transaction (each holds its agents' advisory locks until it commits). */
const ROUND_BATCH = 500;
/**
 * Pairs matched from one reading of the free agents and waiting heads. The
 * reading is the costly part of a batch, so one serves several batches; not
 * more, or its last offers would be made from a stale picture.
 */
const MATCH_LIMIT = 2_000;

// Ids are bigserial: postgres.js returns them as strings, so what leaves this module goes through Number().

interface Candidate {
  id: number;
  queue_id: string;
  effective_priority: number;
}
interface FreeAgent {
  queue_id: string;
  user_id: string;
  priority: number;
  idle_since: Date;
}

/**
 * One process matches at a time: the others skip (the one in a round sees
 * their changes next time). With the lock, whether an offer's time is up or
 * an entry has waited its queue's longest (index probes: the oldest pending
 * offer, each max-wait queue's oldest entry), so a round with nothing due
 * skips those steps: most rounds only match.
 */
async function dispatchLock(tx: Queryable, now: number, targeted: boolean): Promise<{ ok: boolean; offersDue: boolean; waitsDue: boolean }> {
  // JIT off for the transaction: the availability rule's anti-joins look costly to the planner (over every agent), and
  // compiling them took 20–50 ms of a round whose queries run in a few.
  const { rows } = await tx.query<{ ok: boolean; offers_due: boolean; waits_due: boolean }>(
    `select set_config('jit', 'off', true), ${planFor(targeted)}, pg_try_advisory_xact_lock(hashtext('tellflow:dispatch')) as ok,
       exists (select 1 from queue_offers o where o.state = 'pending' and o.expires_at <= $1) as offers_due,
       exists (select 1 from queues q where q.max_wait_sec is not null and exists (
         select 1 from queue_entries e where e.queue_id = q.id and e.state = 'waiting' and e.enqueued_at <= $1::timestamptz - make_interval(secs => q.max_wait_sec))) as waits_due`,
    [new Date(now)],
  );
  const r = rows[0]!;
  return { ok: r.ok, offersDue: r.offers_due, waitsDue: r.waits_due };
}

/**
 * A targeted round's statements read a few rows by index, whatever their
 * parameters: their generic plans serve, and planning them afresh each time
 * (the larger ones ~1 ms) was most of such a round. A full round's depend on
 * how many agents are free: planned for each.
 */
const planFor = (targeted: boolean) => `set_config('plan_cache_mode', '${targeted ? 'force_generic_plan' : 'auto'}', true)`;

export class Dispatcher {
  /** Agents notifications named since the last round began, and whether anything unnamed changed (see agentFreedPayload). */
  private named = new Set<string>();
  private unnamed = true;
  private lastFullAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly notifier: QueueNotifier = quietNotifier,
    /** Where the callback scenario is found (callback.ts); without it a callback entry cannot be taken. */
    private readonly scenarios?: ScenarioStore,
  ) {}

  /** Hears a QUEUE_CHANNEL payload: what the next round needs to look at. */
  noticed(payload: string): void {
    if (payload.startsWith(AGENT_FREED)) this.named.add(payload.slice(AGENT_FREED.length));
    else this.unnamed = true;
  }

  /** The agents the next round matches (null: all), taken: what is noticed from now on counts for the round after. */
  private takeScope(now: number): string[] | null {
    const named = [...this.named];
    this.named.clear();
    const full = this.unnamed || named.length === 0 || named.length > MAX_NAMED || now - this.lastFullAt >= FULL_ROUND_EVERY_MS;
    this.unnamed = false;
    return full ? null : named;
  }

  /**
   * One round: offers that timed out go back (their entries keep their
   * place), entries past their queue's max wait end or overflow, and free
   * agents are offered waiting entries — only the agents notifications named,
   * when nothing else changed (see agentFreedPayload); the changes recorded
   * where nothing publishes them (outbox.ts) go to the notifier with its own.
   * Returns what it did; does nothing when another process is in a round.
   */
  async round(): Promise<RoundResult> {
    const now = this.clock.now();
    let scope = this.takeScope(now);
    const result: RoundResult = { offered: 0, timedOut: 0, waitTimedOut: 0 };
    const changed = new Set<string>();
    const offers: { agentId: string; offerId: number; state: string; reason?: string }[] = [];
    let woke = false;
    const took = (made: Made[], tried: number) => {
      // A pair skipped (its agent's lock busy, its customer gone) leaves someone free: the next round looks at everyone.
      if (made.length < tried) this.unnamed = true;
      result.offered += made.length;
      for (const m of made) {
        changed.add(m.queueId);
        offers.push({ agentId: m.agentId, offerId: m.offerId, state: 'pending' });
      }
    };
    // Pairs matched and not yet offered, and whether the match was cut (there may be more to match after them).
    let pairs: Pair[] = [];
    let cut = false;
    let locked = false;
    try {
      locked = await this.db.transaction(async (tx) => {
        const lock = await dispatchLock(tx, now, scope !== null);
        if (!lock.ok) return false;
        // Entries waiting again, or in another queue: for any free agent, so a full round from here on.
        const widen = async () => {
          if (!scope) return;
          scope = null;
          await tx.query(`select ${planFor(false)}`);
        };
        if (lock.offersDue) {
          const expired = await expireOffers(tx, now);
          result.timedOut = expired.length;
          if (expired.length) await widen();
          for (const e of expired) {
            changed.add(e.queue_id);
            offers.push({ agentId: e.agent_id, offerId: Number(e.id), state: 'timedOut' });
          }
        }
        if (lock.waitsDue) {
          const waited = await endLongWaits(tx, now);
          result.waitTimedOut = waited.ended;
          if (waited.queues.length) await widen();
          woke ||= waited.ended > 0;
          for (const id of waited.queues) changed.add(id);
        }
        ({ pairs, cut } = await matchFree(tx, now, scope));
        // Taken after the match (alongside the offers): a change that freed an agent matched just now committed before
        // the match read it, so it is taken here too, and its agent hears of the offer it lost before the one it got.
        // A dispatcher that publishes nothing leaves them to one that does.
        const batch = pairs.splice(0, ROUND_BATCH);
        const [made, recorded] = await Promise.all([makeOffers(tx, batch, now), this.notifier !== quietNotifier ? takeQueueChanges(tx) : null]);
        took(made, batch.length);
        if (recorded) {
          for (const id of recorded.queueIds) changed.add(id);
          offers.unshift(...recorded.cancelledOffers.map((c) => ({ agentId: c.agentId, offerId: c.offerId, state: 'cancelled', reason: c.reason })));
        }
        return true;
      });
    } finally {
      // Another process is in a round (it may have read before these changes), or this one failed: they stay for the next.
      if (!locked) {
        if (scope) for (const a of scope) this.named.add(a);
        else this.unnamed = true;
      } else if (!scope) this.lastFullAt = now;
    }
    // The rest of the match: each batch its own transaction (its offers durable and its agents' locks let go), then,
    // when the match was cut, a new one. Another process in a round meanwhile ends this one.
    while (locked && (pairs.length > 0 || cut)) {
      const going = await this.db.transaction(async (tx) => {
        if (!(await dispatchLock(tx, now, scope !== null)).ok) return false;
        if (pairs.length === 0) {
          ({ pairs, cut } = await matchFree(tx, now, scope));
          if (pairs.length === 0) return false;
        }
        const batch = pairs.splice(0, ROUND_BATCH);
        took(await makeOffers(tx, batch, now), batch.length);
        return true;
      });
      if (!going) break;
    }
    // Cut short by another process's round: what was left unmatched is for a full round.
    if (pairs.length > 0 || cut) this.unnamed = true;
    if (woke) await this.notifier.wake();
    if (changed.size) this.notifier.queuesChanged([...changed]);
    for (const o of offers) this.notifier.offerChanged(o.agentId, o.offerId, o.state, o.reason);
    return result;
  }

  /** The seed's acceptAssignUser: the agent takes its pending offer; the waiting execution goes on with `assigned`. */
  async accept(agentId: string): Promise<number> {
    const now = this.clock.now();
    const offer = await this.db.transaction(async (tx) => {
      const entryId = await lockOfferedEntry(tx, agentId);
      const { rows } = await tx.query<AssignedRow & { entry_id: number }>(
        `with o as (
           update queue_offers set state = 'accepted', decided_at = $2 where agent_id = $1 and state = 'pending' and entry_id = $3 returning id, entry_id
         ), e as (
           update queue_entries set state = 'assigned', agent_id = $1, assigned_at = $2 from o where queue_entries.id = o.entry_id
           returning queue_entries.id, queue_id, execution_id, step, enqueued_at, callback_number
         )
         select o.id, o.entry_id, e.queue_id, e.execution_id, e.step, e.enqueued_at, e.callback_number from o join e on e.id = o.entry_id`,
        [agentId, new Date(now), entryId],
      );
      const o = rows[0];
      if (!o) throw conflict('you have no pending offer');
      await logQueueEvents(tx, now, [{ kind: 'accepted', queueId: o.queue_id, entryId: o.entry_id, agentId }]);
      return { ...o, woke: await this.goOn(tx, { ...o, id: o.entry_id }, agentId, now) };
    });
    if (offer.woke) await this.notifier.wake();
    this.notifier.queuesChanged([offer.queue_id]);
    this.notifier.offerChanged(agentId, Number(offer.id), 'accepted');
    return Number(offer.id);
  }

  /** The seed's rejectAssignUser: the entry keeps its place and goes to the next agent; this one is not offered it again for a while. */
  async reject(agentId: string, reason?: string): Promise<number> {
    const now = this.clock.now();
    const offer = await this.db.transaction(async (tx) => {
      const entryId = await lockOfferedEntry(tx, agentId);
      const { rows } = await tx.query<{ id: number; entry_id: number; queue_id: string }>(
        `with o as (
           update queue_offers set state = 'rejected', decided_at = $2, reason = $3 where agent_id = $1 and state = 'pending' and entry_id = $4
           returning id, entry_id
         ), e as (
           update queue_entries set state = 'waiting' from o where queue_entries.id = o.entry_id and queue_entries.state = 'offered'
           returning queue_entries.id, queue_id
         )
         select o.id, o.entry_id, e.queue_id from o join e on e.id = o.entry_id`,
        [agentId, new Date(now), reason ?? null, entryId],
      );
      const o = rows[0];
      if (!o) throw conflict('you have no pending offer');
      await logQueueEvents(tx, now, [{ kind: 'rejected', queueId: o.queue_id, entryId: o.entry_id, agentId, reason: reason ?? null }]);
      return o;
    });
    this.notifier.queuesChanged([offer.queue_id]);
    this.notifier.offerChanged(agentId, Number(offer.id), 'rejected', reason);
    return Number(offer.id);
  }

  /**
   * Manual mode (the seed's reqAssignUser / reqAssignUser2): the agent asks
   * for the next customer of the queues it serves, in the same order, or for
   * a named waiting one. DND and wrap-up do not stop it (asking is being
   * ready); a call, a form or an offer does. The customer is assigned at
   * once. Null: nobody waiting (QUE_NOUSER).
   */
  async request(agentId: string, want: { queueId?: string; entryId?: number } = {}): Promise<number | null> {
    const now = this.clock.now();
    const got = await this.db.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('tellflow:dispatch'))`);
      await tx.query(`select pg_advisory_xact_lock(hashtext('tellflow:agent:' || $1))`, [agentId]);
      // Manual: presence and wrap-up do not count, so no time is needed.
      const free = await tx.query<{ ok: boolean }>(`select ${agentFreeSql('u', 'null', { manual: true })} as ok from users u where u.id = $1`, [agentId]);
      if (!free.rows[0]) throw notFound(`user "${agentId}"`);
      if (!free.rows[0].ok) throw conflict('you are busy: finish the call, the form or the offer you have first');
      const { rows } = await tx.query<AssignedRow>(
        `select e.id, e.queue_id, e.execution_id, e.step, e.enqueued_at, e.callback_number
         from queue_entries e join queues q on q.id = e.queue_id join queue_members m on m.queue_id = e.queue_id and m.user_id = $1
         where e.state = 'waiting' and ($2::text is null or e.queue_id = $2) and ($3::bigint is null or e.id = $3)
         order by coalesce(e.priority, q.priority) desc, e.enqueued_at, e.id
         limit 1 for update of e skip locked`,
        [agentId, want.queueId ?? null, want.entryId ?? null],
      );
      const e = rows[0];
      if (!e) {
        if (want.entryId !== undefined) throw conflict(`customer entry ${want.entryId} is not waiting in a queue you serve`);
        return null;
      }
      const offer = await tx.query<{ id: number }>(
        `insert into queue_offers (entry_id, agent_id, state, mode, created_at, decided_at) values ($1, $2, 'accepted', 'manual', $3, $3) returning id`,
        [e.id, agentId, new Date(now)],
      );
      await tx.query(`update queue_entries set state = 'assigned', agent_id = $2, assigned_at = $3 where id = $1`, [e.id, agentId, new Date(now)]);
      await tx.query('update agent_presence set wrap_until = null where user_id = $1', [agentId]);
      await logQueueEvents(tx, now, [
        {
          kind: 'accepted',
          queueId: e.queue_id,
          entryId: e.id,
          agentId,
          reason: want.entryId !== undefined ? 'the agent asked for this customer' : 'the agent asked for the next customer',
        },
      ]);
      return { offerId: Number(offer.rows[0]!.id), queueId: e.queue_id, woke: await this.goOn(tx, e, agentId, now) };
    });
    if (!got) return null;
    if (got.woke) await this.notifier.wake();
    this.notifier.queuesChanged([got.queueId]);
    return got.offerId;
  }

  /**
   * What follows an assignment, in its transaction: the waiting `queue` node
   * goes on with `assigned`, or a callback entry's scenario starts
   * (callback.ts). Returns whether an execution became due. A node that no
   * longer waits (its own timeout came first, or its execution ended) is a
   * 409: the customer is gone, and the assignment is undone.
   */
  private async goOn(tx: Queryable, e: AssignedRow, agentId: string, now: number): Promise<boolean> {
    if (e.execution_id !== null && e.step !== null) {
      const done = await completeEffect(tx, e.execution_id, e.step, await assignedResult(tx, agentId, now - e.enqueued_at.getTime()), now);
      if (!done) throw conflict(`customer entry ${e.id} no longer waits: it timed out or left`);
      return true;
    }
    if (isCallback(e)) {
      if (!this.scenarios) throw conflict(`customer entry ${e.id} is a callback, and this dispatcher cannot start scenarios`);
      await startQueueCallback(tx, this.scenarios, e, await agentNumber(tx, agentId), now);
      return true;
    }
    return false;
  }

  /** The seed's startQueuing / startQueuing2: a customer joins (a 409 names the queue it is already in). Returns the entry id. */
  async join(j: Join): Promise<number> {
    const now = this.clock.now();
    const id = await this.db.transaction((tx) => joinQueue(tx, j, now));
    // Every process dispatches now: an agent may be free for this customer.
    await this.db.notify(QUEUE_CHANNEL, j.queueId);
    this.notifier.queuesChanged([j.queueId]);
    return id;
  }

  /** The seed's stopQueuing: the customer leaves; a pending offer is cancelled and its agent told. */
  async leave(customer: string, reason?: string): Promise<{ entryId: number; queueId: string }> {
    const now = this.clock.now();
    const left = await this.db.transaction((tx) => leaveQueue(tx, customer, now, reason));
    // A scenario waiting for this customer goes on with `left`.
    await this.notifier.wake();
    this.notifier.queuesChanged([left.queueId]);
    if (left.cancelledOffer) {
      this.notifier.offerChanged(left.cancelledOffer.agentId, left.cancelledOffer.id, 'cancelled', reason ?? 'the customer left');
      // The agent it was offered to is free again: offered the next customer now, not at the next full round.
      await this.db.notify(QUEUE_CHANNEL, agentFreedPayload(left.cancelledOffer.agentId));
    }
    return { entryId: left.entryId, queueId: left.queueId };
  }

  /** The seed's stopService: the agent stops serving a queue; a pending offer of that queue goes back. */
  async stopService(agentId: string, queueId: string): Promise<void> {
    const now = this.clock.now();
    const withdrawn = await this.db.transaction(async (tx) => {
      const gone = await tx.query('delete from queue_members where queue_id = $1 and user_id = $2', [queueId, agentId]);
      if (gone.rowCount === 0) throw notFound(`your service of queue "${queueId}"`);
      await logQueueEvents(tx, now, [{ kind: 'stopService', queueId, agentId }]);
      return withdrawOffers(tx, agentId, 'the agent stopped serving the queue', now, queueId);
    });
    this.notifier.queuesChanged([queueId]);
    for (const w of withdrawn) this.notifier.offerChanged(agentId, Number(w.id), 'cancelled', 'you stopped serving the queue');
  }
}

/**
 * Takes the agent's pending offer back (it stopped serving the queue, or
 * went offline): the entry keeps its place. Runs in the caller's transaction.
 */
export async function withdrawOffers(
  tx: Queryable,
  agentId: string,
  reason: string,
  now: number,
  queueId?: string,
): Promise<{ id: number; queue_id: string }[]> {
  const entryId = await lockOfferedEntry(tx, agentId, queueId);
  if (entryId === null) return [];
  const { rows } = await tx.query<{ id: number; entry_id: number; queue_id: string }>(
    `with o as (
       update queue_offers o set state = 'cancelled', decided_at = $2, reason = $3
       from queue_entries e where e.id = o.entry_id and o.agent_id = $1 and o.state = 'pending' and o.entry_id = $4
       returning o.id, o.entry_id
     ), e as (
       update queue_entries set state = 'waiting' from o where queue_entries.id = o.entry_id and queue_entries.state = 'offered'
       returning queue_entries.id, queue_id
     )
     select o.id, o.entry_id, e.queue_id from o join e on e.id = o.entry_id`,
    [agentId, new Date(now), reason, entryId],
  );
  await logQueueEvents(
    tx,
    now,
    rows.map((r) => ({ kind: 'cancelled' as const, queueId: r.queue_id, entryId: r.entry_id, agentId, reason })),
  );
  return rows;
}

/**
 * Locks the entry of the agent's pending offer (of `queueId`, if given) and
 * returns its id, or null. Entry first, then offer: the order in which a
 * customer leaving (leaveQueue, the execution-ended trigger) takes them, so
 * an answer racing a leave waits instead of deadlocking.
 */
async function lockOfferedEntry(tx: Queryable, agentId: string, queueId?: string): Promise<number | null> {
  const { rows } = await tx.query<{ id: number }>(
    `select e.id from queue_entries e join queue_offers o on o.entry_id = e.id
     where o.agent_id = $1 and o.state = 'pending' and ($2::text is null or e.queue_id = $2) for update of e`,
    [agentId, queueId ?? null],
  );
  return rows[0]?.id ?? null;
}

/** An entry just assigned, with what decides what follows (goOn). */
interface AssignedRow {
  id: number;
  queue_id: string;
  execution_id: string | null;
  step: number | null;
  enqueued_at: Date;
  callback_number: string | null;
}

/** The number that rings the agent: its first extension, else its username. */
async function agentNumber(q: Queryable, agentId: string): Promise<string> {
  const { rows } = await q.query<{ username: string; extension: string | null }>(
    `select u.username, (select min(e.extension) from agent_extensions e where e.user_id = u.id) as extension from users u where u.id = $1`,
    [agentId],
  );
  const a = rows[0]!;
  return a.extension ?? a.username;
}

/** What the `queue` node's execution gets when its caller is assigned. */
async function assignedResult(q: Queryable, agentId: string, waitedMs: number): Promise<Json> {
  return { outcome: 'assigned', agent: await agentNumber(q, agentId), waitedMs };
}

/** Offers past their time go back: the entry waits again in its place; N in a row put the agent in DND. */
async function expireOffers(tx: Queryable, now: number) {
  const { rows } = await tx.query<{ id: number; entry_id: number; agent_id: string; queue_id: string; dnd_after: number }>(
    `with o as (
       update queue_offers set state = 'timedOut', decided_at = $1, reason = 'no answer in time'
       where id in (
         -- The entry's lock with the offer's (entry first is the order everyone else takes them in): skipped while
         -- the customer is leaving, timed out in the next round.
         select o.id from queue_offers o join queue_entries e on e.id = o.entry_id where o.state = 'pending' and o.expires_at <= $1
         order by o.expires_at limit 1000 for update of o, e skip locked
       )
       returning id, entry_id, agent_id
     ), e as (
       update queue_entries set state = 'waiting' from o where queue_entries.id = o.entry_id and queue_entries.state = 'offered'
       returning queue_entries.id, queue_id
     )
     select o.id, o.entry_id, o.agent_id, q.id as queue_id, q.consecutive_timeouts_to_dnd as dnd_after
     from o join queue_entries en on en.id = o.entry_id join queues q on q.id = en.queue_id`,
    [new Date(now)],
  );
  const events: QueueEvent[] = rows.map((r) => ({ kind: 'timedOut', queueId: r.queue_id, entryId: r.entry_id, agentId: r.agent_id }));
  for (const r of rows) {
    if (r.dnd_after <= 0) continue;
    // The agent's last N answers (this one included) all timed out: it is not there; stop offering (Asterisk's auto-pause).
    const { rows: last } = await tx.query<{ state: string }>(
      `select state from queue_offers where agent_id = $1 and state <> 'pending' and mode = 'auto' order by decided_at desc, id desc limit $2`,
      [r.agent_id, r.dnd_after],
    );
    if (last.length === r.dnd_after && last.every((o) => o.state === 'timedOut')) {
      const reason = `${r.dnd_after} offers in a row were not answered`;
      const set = await tx.query(`update agent_presence set state = 'dnd', since = $2, reason = $3 where user_id = $1 and state = 'available'`, [
        r.agent_id,
        new Date(now),
        reason,
      ]);
      if (set.rowCount > 0) events.push({ kind: 'agentDnd', queueId: r.queue_id, agentId: r.agent_id, reason });
    }
  }
  await logQueueEvents(tx, now, events);
  return rows;
}

/** Entries past their queue's max wait: overflow to the next queue (keeping their wait), or end as timed out. */
async function endLongWaits(tx: Queryable, now: number): Promise<{ ended: number; queues: string[] }> {
  const { rows } = await tx.query<{
    id: number;
    queue_id: string;
    overflow: string | null;
    execution_id: string | null;
    step: number | null;
    enqueued_at: Date;
  }>(
    // Per queue with a max wait, from the oldest entry on (an index range): not a scan of every waiting entry.
    `select e.id, e.queue_id, q.overflow_queue_id as overflow, e.execution_id, e.step, e.enqueued_at
     from queues q cross join lateral (
       select e.id, e.queue_id, e.execution_id, e.step, e.enqueued_at from queue_entries e
       where e.queue_id = q.id and e.state = 'waiting' and e.enqueued_at <= $1::timestamptz - make_interval(secs => q.max_wait_sec)
       order by e.enqueued_at limit 1000 for update of e skip locked
     ) e
     where q.max_wait_sec is not null
     order by e.enqueued_at limit 1000`,
    [new Date(now)],
  );
  const events: QueueEvent[] = [];
  let ended = 0;
  for (const r of rows) {
    if (r.overflow) {
      // The wait in the next queue counts from now; the time already waited stays in the entry's log.
      await tx.query('update queue_entries set queue_id = $2, enqueued_at = $3 where id = $1', [r.id, r.overflow, new Date(now)]);
      events.push({ kind: 'overflowed', queueId: r.queue_id, entryId: r.id, data: { to: r.overflow } });
      continue;
    }
    await tx.query(`update queue_entries set state = 'timedOut', ended_at = $2, reason = 'waited the longest the queue allows' where id = $1`, [
      r.id,
      new Date(now),
    ]);
    events.push({ kind: 'waitTimedOut', queueId: r.queue_id, entryId: r.id });
    if (r.execution_id !== null && r.step !== null) {
      await completeEffect(tx, r.execution_id, r.step, { outcome: 'timeout', waitedMs: now - r.enqueued_at.getTime() }, now);
      ended++;
    }
  }
  await logQueueEvents(tx, now, events);
  return { ended, queues: [...new Set(rows.flatMap((r) => (r.overflow ? [r.queue_id, r.overflow] : [r.queue_id])))] };
}

/** An entry matched to an agent, with why (for the log). */
interface Pair {
  entry: Candidate;
  agent: FreeAgent;
  why: string;
}

/** An offer made. */
interface Made {
  offerId: number;
  queueId: string;
  agentId: string;
}

/**
 * Available agents without an offer or a customer. Of everyone: hashes of
 * both sets (an anti-join's plan depends on statistics, and a burst of offers
 * makes them stale at once: a nested loop over every pending offer per agent
 * took 37 ms at 10,000 agents). Of the named agents ($2): index probes for
 * each, a plan that stays right as a prepared statement's generic plan.
 */
const IDLE = `
  select p.user_id from agent_presence p
  where p.state = 'available' and p.user_id not in (select o.agent_id from queue_offers o where o.state = 'pending')
    and p.user_id not in (select qe.agent_id from queue_entries qe where qe.state = 'assigned' and qe.agent_id is not null)`;
const IDLE_OF = `
  select p.user_id from unnest($2::uuid[]) as named(id) join agent_presence p on p.user_id = named.id
  where p.state = 'available'
    and not exists (select 1 from queue_offers o where o.agent_id = p.user_id and o.state = 'pending')
    and not exists (select 1 from queue_entries qe where qe.agent_id = p.user_id and qe.state = 'assigned')`;

/**
 * The greedy match of the rule from one reading: waiting entries in order,
 * each to the best free agent of its queue, cut after MATCH_LIMIT pairs
 * (`cut`: there may be more to match). Only queues with a free agent are
 * read, and of each only the head a match can reach: an entry further back
 * waits behind as many entries as its queue has free agents (each of those
 * takes one), or is reached past an entry only because that entry's free
 * agents are all cooling for it (a recent reject or timeout: one pair each).
 * So a queue whose agents are all busy never holds up another one.
 */
async function matchFree(tx: Queryable, now: number, only: string[] | null): Promise<{ pairs: Pair[]; cut: boolean }> {
  const at = new Date(now);
  const none = { pairs: [], cut: false };
  // The agents the rule lets be given something, with the queues each serves and the entries each is cooling for
  // (its answers within the longest re-offer delay, an index range per agent, then each queue's own). Most online
  // agents are busy with an offer or a customer: those are set aside first, over the partial indexes of pending
  // offers and assigned entries (IDLE), so the whole rule (calls, forms) runs for the few left, not for every online agent.
  type Cooling = { entry_id: number; queue_id: string };
  type Serves = { queue_id: string; priority: number };
  const { rows: free } = await tx.query<{ user_id: string; idle_since: Date; serves: Serves[] | string; cooling: Cooling[] | string | null }>(
    `with idle as materialized (${only ? IDLE_OF : IDLE})
     select u.id as user_id, greatest(p.since, p.wrap_until,
       (select max(o.decided_at) from queue_offers o where o.agent_id = u.id),
       (select max(x.ended_at) from queue_entries x where x.agent_id = u.id)) as idle_since,
       (select json_agg(json_build_object('queue_id', m.queue_id, 'priority', m.priority)) from queue_members m where m.user_id = u.id) as serves,
       (select json_agg(json_build_object('entry_id', o.entry_id, 'queue_id', e.queue_id))
        from queue_offers o join queue_entries e on e.id = o.entry_id join queues q on q.id = e.queue_id
        where o.agent_id = u.id and o.decided_at > $1::timestamptz - (select make_interval(secs => coalesce(max(reoffer_delay_sec), 0)) from queues)
          and o.state in ('rejected', 'timedOut') and e.state = 'waiting' and o.decided_at > $1::timestamptz - make_interval(secs => q.reoffer_delay_sec)) as cooling
     from idle join users u on u.id = idle.user_id join agent_presence p on p.user_id = u.id
     where ${agentFreeSql('u', '$1')} and exists (select 1 from queue_members m where m.user_id = u.id)`,
    only ? [at, only] : [at],
  );
  if (free.length === 0) return none;
  // postgres.js parses json columns; PGlite hands them over as text.
  const parsed = <T>(v: T[] | string | null): T[] => (typeof v === 'string' ? (JSON.parse(v) as T[]) : (v ?? []));
  const byQueue = new Map<string, FreeAgent[]>();
  const cooling = new Set<string>();
  const coolingPerQueue = new Map<string, number>();
  for (const f of free) {
    for (const m of parsed(f.serves)) {
      const a: FreeAgent = { queue_id: m.queue_id, user_id: f.user_id, priority: m.priority, idle_since: f.idle_since };
      const list = byQueue.get(a.queue_id);
      if (list) list.push(a);
      else byQueue.set(a.queue_id, [a]);
    }
    for (const c of parsed(f.cooling)) {
      cooling.add(`${c.entry_id}:${f.user_id}`);
      coolingPerQueue.set(c.queue_id, (coolingPerQueue.get(c.queue_id) ?? 0) + 1);
    }
  }
  for (const list of byQueue.values())
    list.sort((a, b) => b.priority - a.priority || a.idle_since.getTime() - b.idle_since.getTime() || a.user_id.localeCompare(b.user_id));
  const heads = [...byQueue].map(([queueId, list]) => ({ queue_id: queueId, k: Math.min(list.length, MATCH_LIMIT) + (coolingPerQueue.get(queueId) ?? 0) }));
  // Each queue's head in its own order (entries with their own priority first when it is higher), merged into the one order.
  const { rows: entries } = await tx.query<Candidate>(
    `select c.id, c.queue_id, c.effective_priority
     from jsonb_to_recordset($1::text::jsonb) as x(queue_id text, k int) join queues q on q.id = x.queue_id
     cross join lateral (
       select h.id, h.queue_id, coalesce(h.priority, q.priority) as effective_priority, h.enqueued_at from (
         (select e.id, e.queue_id, e.priority, e.enqueued_at from queue_entries e
          where e.queue_id = x.queue_id and e.state = 'waiting' and e.priority is not null order by e.priority desc nulls last, e.enqueued_at, e.id limit x.k)
         union all
         (select e.id, e.queue_id, e.priority, e.enqueued_at from queue_entries e
          where e.queue_id = x.queue_id and e.state = 'waiting' and e.priority is null order by e.enqueued_at, e.id limit x.k)
       ) h order by coalesce(h.priority, q.priority) desc, h.enqueued_at, h.id limit x.k
     ) c
     order by c.effective_priority desc, c.enqueued_at, c.id`,
    [JSON.stringify(heads)],
  );
  const taken = new Set<string>();
  const pairs: Pair[] = [];
  for (const entry of entries) {
    const candidates = byQueue.get(entry.queue_id)!;
    const agent = candidates.find((a) => !taken.has(a.user_id) && !cooling.has(`${entry.id}:${a.user_id}`));
    if (!agent) continue;
    taken.add(agent.user_id);
    pairs.push({ entry, agent, why: reasonFor(entry, agent, candidates, taken) });
    if (pairs.length === MATCH_LIMIT) return { pairs, cut: true };
  }
  return { pairs, cut: false };
}

/**
 * Offers the pairs (in the caller's transaction): each agent under its own
 * lock, as the dialer and the call effect take it (one someone else holds is
 * skipped), and only if still free and its entry still waiting — the match
 * may be a batch or two old, and a call, a dialer or a leaving customer may
 * have come in between.
 */
async function makeOffers(tx: Queryable, pairs: Pair[], now: number): Promise<Made[]> {
  if (pairs.length === 0) return [];
  const at = new Date(now);
  const agents = pairs.map((p) => p.agent.user_id).sort();
  // One pipeline, two statements: the second reads after the first has taken the locks (each statement its own
  // snapshot), so what a lock holder committed before letting go is seen.
  const [{ rows: locked }, { rows: stillFree }] = await Promise.all([
    tx.query<{ user_id: string }>(
      `select id::text as user_id from unnest($1::uuid[]) as id where pg_try_advisory_xact_lock(hashtext('tellflow:agent:' || id::text))`,
      [agents],
    ),
    tx.query<{ id: string }>(`select u.id::text as id from users u where u.id = any($1::uuid[]) and ${agentFreeSql('u', '$2')}`, [agents, at]),
  ]);
  const ok = new Set(stillFree.map((r) => r.id));
  const mine = new Set(locked.filter((l) => ok.has(l.user_id)).map((l) => l.user_id));
  const go = pairs.filter((p) => mine.has(p.agent.user_id));
  if (go.length === 0) return [];
  const { rows: made } = await tx.query<{ id: number; agent_id: string; queue_id: string }>(
    `with input as (
       select * from jsonb_to_recordset($1::text::jsonb) as i(entry_id bigint, agent_id uuid, reason text)
     ), e as (
       update queue_entries set state = 'offered' from input where queue_entries.id = input.entry_id and queue_entries.state = 'waiting'
       returning queue_entries.id, queue_entries.queue_id
     ), o as (
       insert into queue_offers (entry_id, agent_id, state, mode, created_at, expires_at, reason)
       select i.entry_id, i.agent_id, 'pending', 'auto', $2, $2::timestamptz + make_interval(secs => q.offer_timeout_sec), i.reason
       from input i join e on e.id = i.entry_id join queues q on q.id = e.queue_id
       returning id, entry_id, agent_id, reason
     ), logged as (
       insert into queue_events (at, queue_id, entry_id, agent_id, kind, reason)
       select $2, e.queue_id, o.entry_id, o.agent_id, 'offered', o.reason from o join e on e.id = o.entry_id
     )
     select o.id, o.agent_id, e.queue_id from o join e on e.id = o.entry_id`,
    [JSON.stringify(go.map((p) => ({ entry_id: p.entry.id, agent_id: p.agent.user_id, reason: p.why }))), at],
  );
  return made.map((m) => ({ offerId: Number(m.id), queueId: m.queue_id, agentId: m.agent_id }));
}

/** Why this agent got this entry, for "why did this agent get this customer". */
function reasonFor(entry: Candidate, agent: FreeAgent, candidates: FreeAgent[], taken: Set<string>): string {
  const tied = candidates.filter((a) => a.priority === agent.priority && a.user_id !== agent.user_id && !taken.has(a.user_id));
  const idle = tied.length ? `, idle longest (since ${agent.idle_since.toISOString()}) of ${tied.length + 1} at that priority` : '';
  return `next in order (priority ${entry.effective_priority}); free agent with the highest priority in ${entry.queue_id} (${agent.priority})${idle}`;
}

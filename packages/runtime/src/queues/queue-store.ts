/**
 * Queues: what an administrator configures (queues), who serves them
 * (queue_members), and their state now (waiting, longest wait, agents free
 * and busy by the availability rule).
 */
import { QueueInput, QueuePatch, type Queue, type QueueStatus } from '@tellflow/api';
import { queues, selectList, type Database, type Queryable, type RowOf } from '@tellflow/db';
import { agentFreeSql } from '../agents/availability.ts';
import { conflict, notFound, parseInput } from '../errors.ts';
import { type QueueEntry, waitingIn } from './entries.ts';
import { logQueueEvents, type QueueEventKind, type QueueEventPage, readQueueEvents } from './log.ts';

export { QueueInput, QueuePatch, type Queue, type QueueStatus };

const KEYS = [
  'id',
  'name',
  'priority',
  'offerTimeoutSec',
  'maxWaitSec',
  'wrapUpSec',
  'serviceLevelSec',
  'shortAbandonSec',
  'reofferDelaySec',
  'consecutiveTimeoutsToDnd',
  'overflowQueueId',
] as const;
export const QUEUE_COLUMNS = selectList(queues, KEYS);
type QueueRow = RowOf<typeof queues, (typeof KEYS)[number]>;
const toQueue = (r: QueueRow): Queue => r;

export class QueueStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  async create(raw: unknown): Promise<Queue> {
    const q = parseInput(QueueInput, raw, 'queue');
    if (q.overflowQueueId) await this.get(q.overflowQueueId, 'overflowQueueId');
    const { rows } = await this.db.query<QueueRow>(
      `insert into queues (id, name, priority, offer_timeout_sec, max_wait_sec, wrap_up_sec, service_level_sec, short_abandon_sec,
         reoffer_delay_sec, consecutive_timeouts_to_dnd, overflow_queue_id, created_at, updated_at)
       values ($1, $2, coalesce($3, 0), coalesce($4, 20), $5, coalesce($6, 0), coalesce($7, 20), coalesce($8, 5), coalesce($9, 30),
         coalesce($10, 3), $11, $12, $12)
       on conflict (id) do nothing returning ${QUEUE_COLUMNS}`,
      [
        q.id,
        q.name ?? q.id,
        q.priority ?? null,
        q.offerTimeoutSec ?? null,
        q.maxWaitSec ?? null,
        q.wrapUpSec ?? null,
        q.serviceLevelSec ?? null,
        q.shortAbandonSec ?? null,
        q.reofferDelaySec ?? null,
        q.consecutiveTimeoutsToDnd ?? null,
        q.overflowQueueId ?? null,
        new Date(this.now()),
      ],
    );
    if (!rows[0]) throw conflict(`queue "${q.id}" already exists`);
    return toQueue(rows[0]);
  }

  async update(id: string, raw: unknown): Promise<Queue> {
    const p = parseInput(QueuePatch, raw, 'queue');
    const n = { ...(await this.get(id)), ...p };
    if (n.overflowQueueId === id) throw conflict(`queue "${id}" cannot overflow into itself`);
    if (p.overflowQueueId) await this.get(p.overflowQueueId, 'overflowQueueId');
    const { rows } = await this.db.query<QueueRow>(
      `update queues set name = $2, priority = $3, offer_timeout_sec = $4, max_wait_sec = $5, wrap_up_sec = $6, service_level_sec = $7,
         short_abandon_sec = $8, reoffer_delay_sec = $9, consecutive_timeouts_to_dnd = $10, overflow_queue_id = $11, updated_at = $12
       where id = $1 returning ${QUEUE_COLUMNS}`,
      [
        id,
        n.name,
        n.priority,
        n.offerTimeoutSec,
        n.maxWaitSec,
        n.wrapUpSec,
        n.serviceLevelSec,
        n.shortAbandonSec,
        n.reofferDelaySec,
        n.consecutiveTimeoutsToDnd,
        n.overflowQueueId,
        new Date(this.now()),
      ],
    );
    return toQueue(rows[0]!);
  }

  /** Only a queue nobody waits in. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    const { rows } = await this.db.query<{ n: number }>(
      `select count(*)::int as n from queue_entries where queue_id = $1 and state in ('waiting', 'offered', 'assigned')`,
      [id],
    );
    if (rows[0]!.n > 0) throw conflict(`queue "${id}" has ${rows[0]!.n} customers waiting or being served`);
    await this.db.query('delete from queue_events where queue_id = $1', [id]);
    await this.db.query('delete from queue_entries where queue_id = $1', [id]);
    await this.db.query('delete from queues where id = $1', [id]);
  }

  async get(id: string, field?: string): Promise<Queue> {
    const { rows } = await this.db.query<QueueRow>(`select ${QUEUE_COLUMNS} from queues where id = $1`, [id]);
    if (!rows[0]) throw field ? conflict(`${field}: queue "${id}" does not exist`) : notFound(`queue "${id}"`);
    return toQueue(rows[0]);
  }

  async list(): Promise<{ queue: Queue; status: QueueStatus }[]> {
    const { rows } = await this.db.query<QueueRow>(`select ${QUEUE_COLUMNS} from queues order by priority desc, id`);
    const statuses = new Map(
      (
        await queueStatuses(
          this.db,
          rows.map((r) => r.id),
          this.now(),
        )
      ).map((s) => [s.queueId, s]),
    );
    return rows.map((r) => ({ queue: toQueue(r), status: statuses.get(r.id)! }));
  }

  async status(id: string): Promise<QueueStatus> {
    await this.get(id);
    return (await queueStatuses(this.db, [id], this.now()))[0]!;
  }

  /** The customers waiting, in the order they will be offered (getQueueUsers). */
  async waiting(id: string): Promise<QueueEntry[]> {
    await this.get(id);
    return waitingIn(this.db, id, this.now());
  }

  /** The queue's event log, newest first, a page at a time. */
  async events(id: string, o: { before?: number; limit?: number; entryId?: number; agentId?: string; kind?: QueueEventKind } = {}): Promise<QueueEventPage> {
    await this.get(id);
    return readQueueEvents(this.db, id, o);
  }

  /** The seed's startService / startService2: serve a queue, with a priority there (again: changes the priority). */
  async startService(userId: string, queueId: string, priority = 0): Promise<void> {
    await this.get(queueId);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `insert into queue_members (queue_id, user_id, priority, since) values ($1, $2, $3, $4)
         on conflict (queue_id, user_id) do update set priority = excluded.priority`,
        [queueId, userId, priority, new Date(this.now())],
      );
      await logQueueEvents(tx, this.now(), [{ kind: 'startService', queueId, agentId: userId, data: { priority } }]);
    });
  }

  /** The queues an agent serves (getServingQueues). */
  async serving(userId: string): Promise<{ queueId: string; priority: number; since: Date }[]> {
    const { rows } = await this.db.query<{ queueId: string; priority: number; since: Date }>(
      `select queue_id as "queueId", priority, since from queue_members where user_id = $1 order by queue_id`,
      [userId],
    );
    return rows;
  }
}

/** Waiting, longest wait, and the serving agents free and busy by the availability rule, per queue. */
export async function queueStatuses(q: Queryable, ids: readonly string[], now: number): Promise<QueueStatus[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query<QueueStatus>(
    `select q.id as "queueId",
       (select count(*)::int from queue_entries e where e.queue_id = q.id and e.state in ('waiting', 'offered')) as waiting,
       (select extract(epoch from $2::timestamptz - min(e.enqueued_at))::float8 from queue_entries e
         where e.queue_id = q.id and e.state in ('waiting', 'offered')) as "longestWaitSec",
       (select count(*)::int from queue_members m where m.queue_id = q.id) as "agentsServing",
       (select count(*)::int from queue_members m join users u on u.id = m.user_id where m.queue_id = q.id and ${agentFreeSql('u', '$2')}) as "agentsFree",
       (select count(*)::int from queue_members m join users u on u.id = m.user_id join agent_presence p on p.user_id = u.id
         where m.queue_id = q.id and p.state <> 'offline' and not ${agentFreeSql('u', '$2')}) as "agentsBusy"
     from unnest($1::text[]) with ordinality as x(id, ord) join queues q on q.id = x.id order by x.ord`,
    [ids, new Date(now)],
  );
  return rows;
}

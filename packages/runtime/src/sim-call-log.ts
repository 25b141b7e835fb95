/**
 * The simulator's call log kept in the database (`sim_calls`), so "was this
 * key already dialled?" has the same answer after a kill -9 and in every
 * process: a key is reserved by a unique insert before the call is placed.
 * Open calls name the simulator instance holding them (`owner`); instances
 * beat in `sim_owners`, and the open calls of one that stopped beating are
 * taken over by another (TelephonySimulator.sweep).
 */
import type { Database } from '@tellflow/db';
import type { CallLogEntry, CallLogPatch, CallLogStore, CallLogUpdate, NewCallLogEntry } from '@tellflow/telephony';

const COLUMNS = 'key, call_id, kind, "to", caller_id, attempt, outcome, reason, started_at, answered_at, ended_at, duplicate_requests, lost, owner';

const RESERVE = `
with ins as (
  insert into sim_calls (key, call_id, kind, "to", caller_id, attempt, started_at, owner)
  select $1, $2, $3, $4, $5, (select count(*) + 1 from sim_calls where kind = $3 and "to" = $4), $6, $7
  on conflict (key) do nothing
  returning ${COLUMNS}, true as placed
), dup as (
  update sim_calls set duplicate_requests = duplicate_requests + 1
  where key = $1 and not exists (select 1 from ins)
  returning ${COLUMNS}, false as placed
)
select * from ins union all select * from dup`;

/** Many patches in one statement, each to a call `owner` ($1) still holds; null fields change nothing. */
const UPDATE_MANY = `
update sim_calls s set
  outcome = coalesce(v.outcome, s.outcome),
  reason = coalesce(v.reason, s.reason),
  answered_at = coalesce(v.answered_at, s.answered_at),
  ended_at = coalesce(v.ended_at, s.ended_at),
  lost = s.lost or coalesce(v.lost, false),
  owner = case when coalesce(v.closed, false) then null else s.owner end
from jsonb_to_recordset($2::jsonb) as v(key text, outcome text, reason text, answered_at timestamptz, ended_at timestamptz, lost boolean, closed boolean)
where s.key = v.key and s.owner = $1`;

/**
 * Open calls of instances whose last beat is older than $2 (killed, or
 * retired), given to $1; skip locked: two instances sweeping at once take
 * different calls. Found through the small sim_owners table and the index on
 * open calls' owner, so a sweep costs what the dead instances left, not what
 * is open.
 */
const TAKE_OVER = `
update sim_calls s set owner = $1
where s.key in (
  select c.key from sim_calls c
  where c.owner in (select o.id from sim_owners o where o.seen_at < $2 and o.id <> $1)
  order by c.started_at, c.key
  limit $3
  for update skip locked
)
returning ${COLUMNS}`;

/** One open call ($3) whose owner is not alive — stale, retired, or one that never beat (a single-process log). */
const TAKE_OVER_KEY = `
update sim_calls s set owner = $1
where s.key = $3 and s.owner is not null and s.owner <> $1
  and not exists (select 1 from sim_owners o where o.id = s.owner and o.seen_at >= $2)
returning ${COLUMNS}`;

/** Stopped instances that hold no call any more are forgotten. */
const FORGET_STOPPED = `
delete from sim_owners o where o.seen_at < $1 and not exists (select 1 from sim_calls c where c.owner = o.id)`;

export class SqlCallLogStore implements CallLogStore {
  constructor(private readonly db: Database) {}

  async reserve(entry: NewCallLogEntry): Promise<{ placed: boolean; entry: CallLogEntry }> {
    const { rows } = await this.db.query<Row & { placed: boolean }>(RESERVE, [
      entry.key,
      entry.callId,
      entry.kind,
      entry.to,
      entry.callerId ?? null,
      new Date(entry.startedAt),
      entry.owner ?? null,
    ]);
    const row = rows[0];
    if (!row) throw new Error(`call log: could not reserve key "${entry.key}"`);
    return { placed: row.placed, entry: toEntry(row) };
  }

  async update(key: string, patch: CallLogPatch): Promise<void> {
    const r = await this.db.query(
      `update sim_calls set outcome = coalesce($2, outcome), reason = coalesce($3, reason),
         answered_at = coalesce($4, answered_at), ended_at = coalesce($5, ended_at), lost = lost or $6,
         owner = case when $7 then null else owner end
       where key = $1`,
      [key, patch.outcome ?? null, patch.reason ?? null, date(patch.answeredAt), date(patch.endedAt), patch.lost ?? false, patch.closed ?? false],
    );
    if (r.rowCount === 0) throw new Error(`call log: no entry for key "${key}"`);
  }

  async updateMany(owner: string, updates: readonly CallLogUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const rows = updates.map(({ key, patch }) => ({ key, ...toRecord(patch) }));
    await this.db.query(UPDATE_MANY, [owner, JSON.stringify(rows)]);
  }

  async beat(owner: string, at: number): Promise<void> {
    await this.db.query('insert into sim_owners (id, seen_at) values ($1, $2) on conflict (id) do update set seen_at = excluded.seen_at', [
      owner,
      new Date(at),
    ]);
  }

  async retire(owner: string): Promise<void> {
    // Kept as long ago, rather than deleted: sweeps find its open calls through it.
    await this.db.query(`insert into sim_owners (id, seen_at) values ($1, '-infinity') on conflict (id) do update set seen_at = '-infinity'`, [owner]);
  }

  async takeOver(owner: string, aliveSince: number, o: { limit: number; key?: string }): Promise<CallLogEntry[]> {
    const since = new Date(aliveSince);
    if (o.key !== undefined) return (await this.db.query<Row>(TAKE_OVER_KEY, [owner, since, o.key])).rows.map(toEntry);
    const { rows } = await this.db.query<Row>(TAKE_OVER, [owner, since, o.limit]);
    if (rows.length < o.limit) await this.db.query(FORGET_STOPPED, [since]);
    return rows.map(toEntry).sort((a, b) => a.startedAt - b.startedAt || a.key.localeCompare(b.key));
  }

  async requestHangup(callId: string): Promise<boolean> {
    const r = await this.db.query('update sim_calls set hangup_requested = true where call_id = $1 and owner is not null', [callId]);
    return r.rowCount > 0;
  }

  async takeHangups(owner: string): Promise<string[]> {
    const { rows } = await this.db.query<{ call_id: string }>(
      'update sim_calls set hangup_requested = false where owner = $1 and hangup_requested returning call_id',
      [owner],
    );
    return rows.map((r) => r.call_id);
  }

  async get(key: string): Promise<CallLogEntry | undefined> {
    const { rows } = await this.db.query<Row>(`select ${COLUMNS} from sim_calls where key = $1`, [key]);
    return rows[0] && toEntry(rows[0]);
  }

  async list(): Promise<CallLogEntry[]> {
    const { rows } = await this.db.query<Row>(`select ${COLUMNS} from sim_calls order by started_at, key`);
    return rows.map(toEntry);
  }
}

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function toRecord(p: CallLogPatch) {
  return {
    outcome: p.outcome ?? null,
    reason: p.reason ?? null,
    answered_at: iso(p.answeredAt),
    ended_at: iso(p.endedAt),
    lost: p.lost ?? null,
    closed: p.closed ?? null,
  };
}

interface Row {
  key: string;
  call_id: string;
  kind: CallLogEntry['kind'];
  to: string;
  caller_id: string | null;
  attempt: number;
  outcome: CallLogEntry['outcome'] | null;
  reason: string | null;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  duplicate_requests: number;
  lost: boolean;
  owner: string | null;
}

function toEntry(r: Row): CallLogEntry {
  return {
    key: r.key,
    callId: r.call_id,
    kind: r.kind,
    to: r.to,
    ...(r.caller_id !== null ? { callerId: r.caller_id } : {}),
    attempt: Number(r.attempt),
    ...(r.outcome !== null ? { outcome: r.outcome } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    startedAt: r.started_at.getTime(),
    ...(r.answered_at ? { answeredAt: r.answered_at.getTime() } : {}),
    ...(r.ended_at ? { endedAt: r.ended_at.getTime() } : {}),
    duplicateRequests: r.duplicate_requests,
    ...(r.lost ? { lost: true as const } : {}),
    ...(r.owner !== null ? { owner: r.owner } : {}),
  };
}

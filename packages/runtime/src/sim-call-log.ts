/**
 * The simulator's call log kept in the database (`sim_calls`), so "was this
 * key already dialled?" has the same answer after a kill -9 and in every
 * process: a key is reserved by a unique insert before the call is placed.
 */
import type { Database } from '@tellflow/db';
import type { CallLogEntry, CallLogPatch, CallLogStore, NewCallLogEntry } from '@tellflow/telephony';

const COLUMNS = 'key, call_id, kind, "to", caller_id, attempt, outcome, reason, started_at, answered_at, ended_at, duplicate_requests';

const RESERVE = `
with ins as (
  insert into sim_calls (key, call_id, kind, "to", caller_id, attempt, started_at)
  select $1, $2, $3, $4, $5, (select count(*) + 1 from sim_calls where kind = $3 and "to" = $4), $6
  on conflict (key) do nothing
  returning ${COLUMNS}, true as placed
), dup as (
  update sim_calls set duplicate_requests = duplicate_requests + 1
  where key = $1 and not exists (select 1 from ins)
  returning ${COLUMNS}, false as placed
)
select * from ins union all select * from dup`;

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
    ]);
    const row = rows[0];
    if (!row) throw new Error(`call log: could not reserve key "${entry.key}"`);
    return { placed: row.placed, entry: toEntry(row) };
  }

  async update(key: string, patch: CallLogPatch): Promise<void> {
    const r = await this.db.query(
      `update sim_calls set outcome = coalesce($2, outcome), reason = coalesce($3, reason),
         answered_at = coalesce($4, answered_at), ended_at = coalesce($5, ended_at) where key = $1`,
      [key, patch.outcome ?? null, patch.reason ?? null, date(patch.answeredAt), date(patch.endedAt)],
    );
    if (r.rowCount === 0) throw new Error(`call log: no entry for key "${key}"`);
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
  };
}

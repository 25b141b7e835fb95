/**
 * Subscribers as people run them: a list with status and due time (filtered
 * by task, status and due time, by due time then Id, paged with a cursor),
 * and an admin's reset of rows that are stuck or must be called again.
 */
import { ResetSubscribers, SubscriberListQuery, type ResetDone, type Subscriber, type SubscriberList } from '@tellflow/api';
import type { Database, Queryable } from '@tellflow/db';
import { conflict, invalid, notFound, parseInput } from '../errors.ts';

export { ResetSubscribers, SubscriberListQuery };

const DEFAULT_LIMIT = 100;

const COLUMNS = `"Id" as id, task_id as "taskId", tel, first_name as "firstName", last_name as "lastName", order_id as "orderId",
  owner_id as "ownerId", comments, callaftermin, date_callback::text as "dateCallback", time_callback::text as "timeCallback",
  operator_number as "operatorNumber", status, status_reason as "statusReason", date_call as "dateCall", due_at as "dueAt",
  external_key as "externalKey"`;

/** The due time exactly as stored (microseconds), for the cursor: a JS Date would drop them. */
const DUE_KEY = `to_char(due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export class SubscriberStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  async list(raw: unknown): Promise<SubscriberList> {
    const q = parseInput(SubscriberListQuery, raw, 'subscriber list query');
    if (q.task !== undefined) await taskMustExist(this.db, q.task);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.task !== undefined) where.push(`task_id = ${param(q.task)}`);
    if (q.status !== undefined) where.push(q.status === 'new' ? 'status is null' : `status = ${param(q.status)}`);
    if (q.dueBefore !== undefined) where.push(`due_at < ${param(q.dueBefore)}::timestamptz`);
    const filter = where.length ? `where ${where.join(' and ')}` : '';
    const { rows: counted } = await this.db.query<{ n: number }>(`select count(*)::int as n from table_out_call ${filter}`, params);

    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (after) {
      // Rows without a due time sort last.
      where.push(
        after.due === null
          ? `(due_at is null and "Id" > ${param(after.id)})`
          : // As text: postgres.js would round a timestamptz parameter to milliseconds.
            `(due_at > ${param(after.due)}::text::timestamptz or (due_at = $${params.length}::text::timestamptz and "Id" > ${param(after.id)}) or due_at is null)`,
      );
    }
    const limit = q.limit ?? DEFAULT_LIMIT;
    const { rows } = await this.db.query<Subscriber & { dueKey: string | null }>(
      `select ${COLUMNS}, ${DUE_KEY} as "dueKey" from table_out_call ${where.length ? `where ${where.join(' and ')}` : ''}
       order by due_at asc nulls last, "Id" limit ${param(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      subscribers: page.map(({ dueKey: _, ...s }) => s),
      total: counted[0]!.n,
      nextCursor: rows.length > limit && last ? encodeCursor({ due: last.dueKey, id: last.id }) : null,
    };
  }

  /**
   * Sets the selected rows to new (status null, no operator) or to a callback
   * (status 10, due at `dueAt`, default now), with `status_reason` "reset by
   * <by>". Refused as a whole (409 naming them) when a row is served by a
   * live execution, or a callback row has no operator to make it.
   */
  async reset(raw: unknown, by: string): Promise<ResetDone> {
    // The body as JSON has dueAt as text; as the API decoded it (or a caller built it), a Date.
    const json = isRecord(raw) && raw.dueAt instanceof Date ? { ...raw, dueAt: raw.dueAt.toISOString() } : raw;
    const r = parseInput(ResetSubscribers, json, 'reset');
    const dueAt = r.dueAt ?? new Date(this.now());
    return this.db.transaction(async (tx) => {
      const rows = await this.select(tx, r);
      const ids = rows.map((row) => row.id);
      // The rows are locked: an execution claiming one now would have had to lock it first, and is seen here.
      const { rows: live } = await tx.query<{ id: number; executionId: string }>(
        `select subscriber_id as id, id as "executionId" from executions
         where subscriber_id = any($1::int[]) and status in ('running', 'waiting') order by subscriber_id, created_at`,
        [ids],
      );
      if (live.length > 0) {
        const names = [...new Set(live.map((l) => l.id))];
        throw conflict(
          `${names.length === 1 ? 'subscriber' : 'subscribers'} ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} being served by a live execution ` +
            '(cancel it first); nothing was reset',
          { subscribers: live },
        );
      }
      if (r.to === 'callback') {
        const without = rows.filter((row) => row.operator === null).map((row) => row.id);
        if (without.length > 0) {
          throw conflict(
            `${without.length === 1 ? 'subscriber' : 'subscribers'} ${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} no operator_number: ` +
              'a callback needs the operator who makes it (reset to new instead); nothing was reset',
            { subscribers: without.map((id) => ({ id })) },
          );
        }
      }
      const reason = `reset by ${by}`;
      if (r.to === 'new') {
        await tx.query('update table_out_call set status = null, operator_number = null, status_reason = $2 where "Id" = any($1::int[])', [ids, reason]);
      } else {
        // due_at is kept by a trigger: a date and time in the task's zone give exactly `dueAt`.
        await tx.query(
          `update table_out_call c set status = 10, callaftermin = null, status_reason = $2,
             date_callback = ($3::timestamptz at time zone z.tz)::date, time_callback = ($3::timestamptz at time zone z.tz)::time
           from (select c2."Id", coalesce(t.time_zone, 'UTC') as tz from table_out_call c2 left join outbound_tasks t on t.id = c2.task_id
                 where c2."Id" = any($1::int[])) z
           where c."Id" = z."Id"`,
          [ids, reason, dueAt.toISOString()],
        );
      }
      return { reset: ids.length, ids };
    });
  }

  /** The selected rows, locked, in Id order; 404 for ids or a task that do not exist. */
  private async select(tx: Queryable, r: ResetSubscribers): Promise<{ id: number; operator: string | null }[]> {
    if (r.ids) {
      const { rows } = await tx.query<{ id: number; operator: string | null }>(
        'select "Id" as id, operator_number as operator from table_out_call where "Id" = any($1::int[]) order by "Id" for update',
        [r.ids],
      );
      const found = new Set(rows.map((row) => row.id));
      const missing = [...new Set(r.ids)].filter((id) => !found.has(id));
      if (missing.length > 0) throw notFound(`${missing.length === 1 ? 'subscriber' : 'subscribers'} ${missing.join(', ')}`);
      return rows;
    }
    await taskMustExist(tx, r.task!);
    const statuses = r.status ?? [];
    const { rows } = await tx.query<{ id: number; operator: string | null }>(
      `select "Id" as id, operator_number as operator from table_out_call
       where task_id = $1 and ($2::boolean or (status is null and $3::boolean) or status = any($4::int[])) order by "Id" for update`,
      [r.task, statuses.length === 0, statuses.includes('new'), statuses.filter((s): s is number => s !== 'new')],
    );
    return rows;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

async function taskMustExist(db: Queryable, id: string): Promise<void> {
  const { rows } = await db.query('select 1 from outbound_tasks where id = $1', [id]);
  if (!rows[0]) throw notFound(`outbound task "${id}"`);
}

interface Cursor {
  due: string | null;
  id: number;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.due, c.id])).toString('base64url');

function decodeCursor(text: string): Cursor {
  try {
    const [due, id] = JSON.parse(Buffer.from(text, 'base64url').toString()) as unknown[];
    if ((due === null || (typeof due === 'string' && !Number.isNaN(Date.parse(due)))) && Number.isInteger(id)) return { due, id: id as number };
  } catch {
    // Not JSON: the same answer as a wrong shape.
  }
  throw invalid('cursor is not one this list returned (pass nextCursor as it came)', [
    { severity: 'error', path: 'cursor', message: 'is not a nextCursor of this list' },
  ]);
}

/** The `live_events` table: one row per published event, kept a few minutes for replay (see live-events.ts). */
import type { Queryable } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import type { Audience, LiveEvent, NewLiveEvent, Viewer } from './types.ts';

/** The NOTIFY channel every process listens on. */
export const LIVE_EVENTS_CHANNEL = 'tellflow_live_events';

/**
 * NOTIFY payloads must stay under 8000 bytes: a larger event is announced by
 * its id alone and each process reads it from the table.
 */
const MAX_INLINE_BYTES = 7900;

/** What a NOTIFY carries: the whole event, or only its id when it is too big. */
export interface Announced {
  id: string;
  type?: string;
  audience?: Audience;
  data?: Json;
}

/**
 * Stores the event and announces it, in one statement. On a transaction the
 * NOTIFY is sent when (and only if) the transaction commits.
 */
export async function insertEvent(q: Queryable, event: NewLiveEvent, at: Date): Promise<string> {
  return (await insertEvents(q, [event], at))[0]!;
}

/**
 * Stores the events and announces each, in one statement, in their order
 * (ids and notifications): many events cost one round trip, not one each.
 */
export async function insertEvents(q: Queryable, events: readonly NewLiveEvent[], at: Date): Promise<string[]> {
  if (events.length === 0) return [];
  const { rows } = await q.query<{ id: string }>(
    `with e as (
       insert into live_events (at, type, audience, data)
       select $1, x.e ->> 'type', x.e -> 'audience', x.e -> 'data' from jsonb_array_elements($2::text::jsonb) with ordinality as x(e, n)
       order by x.n
       returning id, type, audience, data
     ), m as (
       select id, json_build_object('id', id::text, 'type', type, 'audience', audience, 'data', data)::text as msg from e
     )
     select id::text as id,
       pg_notify($3, case when octet_length(msg) <= $4 then msg else json_build_object('id', id::text)::text end)
     from m order by m.id`,
    [at, JSON.stringify(events.map((e) => ({ type: e.type, audience: e.audience, data: e.data }))), LIVE_EVENTS_CHANNEL, MAX_INLINE_BYTES],
  );
  return rows.map((r) => r.id);
}

/** Events by id (announced without their body), oldest first. */
export async function eventsById(q: Queryable, ids: readonly string[]): Promise<Array<LiveEvent & { audience: Audience }>> {
  const { rows } = await q.query<LiveEvent & { audience: Audience }>(
    'select id::text as id, type, audience, data from live_events where id = any($1::bigint[]) order by id',
    [ids],
  );
  return rows;
}

/** The SQL form of `reaches` (types.ts), on `audience`. */
const REACHES_USER = `(audience -> 'users' ? $2 or audience -> 'roles' ? $3)`;
const REACHES_CUSTOMER = `(audience -> 'customers' ? $2)`;

/** The viewer's events published after `afterId` that are still kept, oldest first, at most `limit`. */
export async function eventsAfter(q: Queryable, viewer: Viewer, afterId: string, limit: number): Promise<LiveEvent[]> {
  const reaches = viewer.kind === 'user' ? REACHES_USER : REACHES_CUSTOMER;
  const params = viewer.kind === 'user' ? [afterId, viewer.id, viewer.role, limit] : [afterId, viewer.subject, limit];
  const { rows } = await q.query<LiveEvent>(
    `select id::text as id, type, data from live_events where id > $1::bigint and ${reaches} order by id limit $${params.length}`,
    params,
  );
  return rows;
}

/** The newest event's id, or null when none is kept. */
export async function latestEventId(q: Queryable): Promise<string | null> {
  const { rows } = await q.query<{ id: string | null }>('select max(id)::text as id from live_events');
  return rows[0]?.id ?? null;
}

/** Deletes events published before `before`; returns how many. */
export async function pruneEvents(q: Queryable, before: Date): Promise<number> {
  return (await q.query('delete from live_events where at < $1', [before])).rowCount;
}

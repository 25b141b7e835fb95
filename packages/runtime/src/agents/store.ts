/**
 * Agents: users with extensions (or the role agent), what they said about
 * themselves (presence) and what the availability rule makes of it. The
 * API's and the CLI's agent verbs read and write through this.
 */
import { Extensions, type Agent, type PresenceState } from '@tellflow/api';
import { z } from 'zod';
import type { Database, Queryable } from '@tellflow/db';
import { conflict, notFound, parseInput } from '../errors.ts';
import { agentFreedPayload, QUEUE_CHANNEL, withdrawOffers } from '../queues/dispatcher.ts';
import { availability } from './availability.ts';

export type { Agent, PresenceState };

type AgentRow = Omit<Agent, 'state' | 'busyWith'>;

const AGENT_SELECT = `
  select u.id as "userId", u.username, u.display_name as "displayName", u.role,
    array(select e.extension from agent_extensions e where e.user_id = u.id order by e.extension) as extensions,
    coalesce(p.state, 'offline') as presence, p.since, p.reason, p.wrap_until as "wrapUntil"
  from users u left join agent_presence p on p.user_id = u.id`;

export class AgentStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** Every user with the role agent or with an extension, by username. */
  async list(): Promise<Agent[]> {
    const { rows } = await this.db.query<AgentRow>(
      `${AGENT_SELECT} where u.role = 'agent' or exists (select 1 from agent_extensions e where e.user_id = u.id) order by u.username`,
    );
    return this.withState(rows);
  }

  async get(userId: string): Promise<Agent> {
    const { rows } = await this.db.query<AgentRow>(`${AGENT_SELECT} where u.id = $1`, [userId]);
    if (!rows[0]) throw notFound(`user "${userId}"`);
    return (await this.withState(rows))[0]!;
  }

  /** The id of the user with this username (for the CLI). */
  async idOf(username: string): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>('select id from users where username = $1', [username]);
    if (!rows[0]) throw notFound(`user "${username}"`);
    return rows[0].id;
  }

  /**
   * What the agent says: offline, available or DND (with an optional
   * reason). `since` moves only when the state changes; going offline also
   * ends a wrap-up. A call in progress goes on either way.
   */
  async setPresence(userId: string, state: PresenceState, reason?: string): Promise<Agent> {
    await this.db.transaction(async (tx) => {
      const known = await tx.query('select 1 from users where id = $1', [userId]);
      if (!known.rows[0]) throw notFound(`user "${userId}"`);
      // Going offline (logging out) hands a pending queue offer back: its customer keeps the place.
      if (state === 'offline') await withdrawOffers(tx, userId, 'the agent went offline', this.now());
      await tx.query(
        `insert into agent_presence (user_id, state, since, reason) values ($1, $2, $3, $4)
       on conflict (user_id) do update set state = excluded.state, reason = excluded.reason,
         since = case when agent_presence.state = excluded.state then agent_presence.since else excluded.since end,
         wrap_until = case when excluded.state = 'offline' then null else agent_presence.wrap_until end`,
        [userId, state, new Date(this.now()), reason ?? null],
      );
      // Inside: every process dispatches the moment this commits (and hears nothing if it does not).
      await tx.query('select pg_notify($1, $2)', [QUEUE_CHANNEL, state === 'available' ? agentFreedPayload(userId) : 'presence']);
    });
    return this.get(userId);
  }

  /** Ends the agent's wrap-up now. */
  async ready(userId: string): Promise<Agent> {
    await this.db.query('update agent_presence set wrap_until = null where user_id = $1', [userId]);
    await this.db.notify(QUEUE_CHANNEL, agentFreedPayload(userId));
    return this.get(userId);
  }

  /** Makes `extensions` the user's numbers (in one transaction): see setExtensions. */
  async setExtensions(userId: string, extensions: string[]): Promise<Agent> {
    const numbers = parseInput(z.object({ extensions: Extensions }), { extensions }, 'extensions').extensions;
    await this.get(userId);
    await this.db.transaction((tx) => setExtensions(tx, userId, numbers));
    return this.get(userId);
  }

  private async withState(rows: AgentRow[]): Promise<Agent[]> {
    const now = this.now();
    // All of an agent's extensions reach one person: asking for the first says it for all.
    const first = rows.filter((r) => r.extensions.length > 0).map((r) => r.extensions[0]!);
    const states = new Map((await availability(this.db, first, now)).map((a) => [a.extension, a]));
    const busyIds = [...states.values()].flatMap((a) => (a.executionId ? [a.executionId] : []));
    const scenarios = new Map(
      busyIds.length
        ? (await this.db.query<{ id: string; scenario_id: string }>('select id, scenario_id from executions where id = any($1::uuid[])', [busyIds])).rows.map(
            (r) => [r.id, r.scenario_id],
          )
        : [],
    );
    return rows.map((r) => {
      const a = r.extensions.length ? states.get(r.extensions[0]!) : undefined;
      const wrapping = r.wrapUntil !== null && r.wrapUntil.getTime() > now;
      const state = a?.state ?? (r.presence === 'available' && wrapping ? 'wrapUp' : r.presence);
      const busyWith = a?.executionId ? { executionId: a.executionId, scenarioId: scenarios.get(a.executionId) ?? '' } : null;
      return { ...r, state, busyWith };
    });
  }
}

/**
 * Makes `extensions` the user's numbers. A number another user has is a 409
 * that names them, and nothing changes (the caller's transaction rolls back).
 */
export async function setExtensions(q: Queryable, userId: string, extensions: string[]): Promise<void> {
  const { rows } = await q.query<{ extension: string; username: string }>(
    `select e.extension, u.username from agent_extensions e join users u on u.id = e.user_id
     where e.extension = any($1::text[]) and e.user_id <> $2 order by e.extension`,
    [extensions, userId],
  );
  if (rows.length > 0) throw conflict(rows.map((r) => `extension ${r.extension} belongs to "${r.username}"`).join('; '));
  await q.query('delete from agent_extensions where user_id = $1 and extension <> all($2::text[])', [userId, extensions]);
  await q.query('insert into agent_extensions (extension, user_id) select unnest($1::text[]), $2 on conflict (extension) do nothing', [extensions, userId]);
}

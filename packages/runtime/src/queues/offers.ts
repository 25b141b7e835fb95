/** Offers as agents see them: the pending one (the seed's autoAssignUser), or one by id. */
import type { Offer } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import { notFound } from '../errors.ts';
import { entryById } from './entries.ts';

export type { Offer };

interface OfferRow {
  id: number;
  entry_id: number;
  state: Offer['state'];
  mode: Offer['mode'];
  created_at: Date;
  expires_at: Date | null;
  reason: string | null;
}

const OFFER_SELECT = 'select id::float8 as id, entry_id::float8 as entry_id, state, mode, created_at, expires_at, reason from queue_offers';

async function toOffer(q: Queryable, r: OfferRow, now: number): Promise<Offer> {
  return {
    id: r.id,
    entry: await entryById(q, r.entry_id, now),
    state: r.state,
    mode: r.mode,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    reason: r.reason,
  };
}

/** The agent's pending offer, or null. */
export async function pendingOffer(q: Queryable, agentId: string, now: number): Promise<Offer | null> {
  const { rows } = await q.query<OfferRow>(`${OFFER_SELECT} where agent_id = $1 and state = 'pending'`, [agentId]);
  return rows[0] ? toOffer(q, rows[0], now) : null;
}

export async function offerById(q: Queryable, id: number, now: number): Promise<Offer> {
  const { rows } = await q.query<OfferRow>(`${OFFER_SELECT} where id = $1`, [id]);
  if (!rows[0]) throw notFound(`offer ${id}`);
  return toOffer(q, rows[0], now);
}

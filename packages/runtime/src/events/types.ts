/**
 * Live events: what the server pushes to browsers and apps over SSE
 * (`GET /api/events`). An event names its audience; a viewer receives the
 * events whose audience includes it. Nothing here knows about queues or
 * agents' work: modules publish, and register snapshot providers.
 */
import { ROLES, type Role } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import type { Json } from '@tellflow/engine';

/** Who may receive an event: any listed user, anyone with a listed role, any listed customer. */
export interface Audience {
  users?: readonly string[];
  roles?: readonly Role[];
  /** Customer subjects (customers authenticated by a customer token). */
  customers?: readonly string[];
}

/** Who is connected: a signed-in user, or a customer authenticated by a customer token. */
export type Viewer = { kind: 'user'; id: string; role: Role } | { kind: 'customer'; subject: string };

/** What a module publishes. `type` is the SSE event name, e.g. `queue.status`, `offer.made`. */
export interface NewLiveEvent {
  type: string;
  audience: Audience;
  data: Json;
}

/** A published event as a viewer receives it: `id` orders events and is what a reconnecting client sends as Last-Event-ID. */
export interface LiveEvent {
  id: string;
  type: string;
  data: Json;
}

/** The current state as events, for one viewer (sent on every connect before live events; no id). */
export interface SnapshotEvent {
  type: string;
  data: Json;
}

export type SnapshotProvider = (viewer: Viewer, db: Queryable) => Promise<SnapshotEvent[]>;

/** Event names go on an SSE `event:` line: a letter, then letters, digits, `.`, `_`, `-`. */
export const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;

export function reaches(audience: Audience, viewer: Viewer): boolean {
  if (viewer.kind === 'customer') return audience.customers?.includes(viewer.subject) ?? false;
  return (audience.users?.includes(viewer.id) ?? false) || (audience.roles?.includes(viewer.role) ?? false);
}

/** A published event's audience, checked: an event nobody may receive is a mistake. */
export function checkEvent(event: NewLiveEvent): void {
  if (!EVENT_TYPE.test(event.type)) throw new Error(`live event type "${event.type}": use a letter, then letters, digits, ".", "_" or "-"`);
  const { users = [], roles = [], customers = [] } = event.audience;
  if (users.length + roles.length + customers.length === 0) throw new Error(`live event "${event.type}": the audience names nobody`);
  for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) throw new Error(`live event "${event.type}": unknown role "${r}" in the audience`);
}

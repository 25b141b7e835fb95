/**
 * Live events across processes. `publish(q, event)` stores the event in
 * `live_events` and NOTIFYs it in the same statement, so an event published
 * inside a transaction goes out only if that transaction commits. Every
 * process LISTENs (from its first subscriber on) and hands each event to its
 * subscribers whose viewer is in the event's audience.
 *
 * A connecting client first gets the current state from the registered
 * snapshot providers, then (with Last-Event-ID) the kept events it missed,
 * then live events: the stream route (server) puts these together.
 */
import type { Clock } from '@tellflow/clock';
import type { Database, Queryable } from '@tellflow/db';
import { type Announced, eventsAfter, eventsById, insertEvent, insertEvents, LIVE_EVENTS_CHANNEL, latestEventId, pruneEvents } from './sql.ts';
import { type Audience, checkEvent, type LiveEvent, type NewLiveEvent, reaches, type SnapshotEvent, type SnapshotProvider, type Viewer } from './types.ts';

/** Events are kept this long for replay (Last-Event-ID); a client away longer relies on the snapshot. */
export const DEFAULT_KEEP_EVENTS_MS = 5 * 60_000;

export interface LiveEventsOptions {
  db: Database;
  clock: Clock;
  keepMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface Subscriber {
  viewer: Viewer;
  /** Called for each event the viewer may receive, in the order this process heard them. */
  deliver(event: LiveEvent): void;
  /** Called once when the bus closes (the process shuts down). */
  closed(): void;
}

export class LiveEvents {
  readonly keepMs: number;
  private readonly snapshots = new Map<string, SnapshotProvider>();
  private readonly subscribers = new Set<Subscriber>();
  private listening: Promise<() => Promise<void>> | undefined;
  /** Notifications are handled one after another, so events reach subscribers in the order they were heard. */
  private handled: Promise<void> = Promise.resolve();
  private isClosed = false;
  private readonly log: NonNullable<LiveEventsOptions['log']>;

  constructor(private readonly o: LiveEventsOptions) {
    this.keepMs = o.keepMs ?? DEFAULT_KEEP_EVENTS_MS;
    this.log = o.log ?? (() => {});
  }

  /**
   * Publishes an event to every process; returns its id. Pass the
   * transaction the change is made in: the event then goes out only if it commits.
   */
  async publish(q: Queryable, event: NewLiveEvent): Promise<string> {
    checkEvent(event);
    return await insertEvent(q, event, new Date(this.o.clock.now()));
  }

  /** Publishes several events in one statement, in their order; returns their ids. */
  async publishAll(q: Queryable, events: readonly NewLiveEvent[]): Promise<string[]> {
    for (const e of events) checkEvent(e);
    return await insertEvents(q, events, new Date(this.o.clock.now()));
  }

  /** Adds a provider of current state, asked on every (re)connect; names are unique. */
  registerSnapshot(name: string, provider: SnapshotProvider): void {
    if (this.snapshots.has(name)) throw new Error(`a live-event snapshot named "${name}" is already registered`);
    this.snapshots.set(name, provider);
  }

  /** The viewer's current state from every provider, in the order they were registered. */
  async snapshot(viewer: Viewer): Promise<SnapshotEvent[]> {
    const out: SnapshotEvent[] = [];
    for (const provider of this.snapshots.values()) out.push(...(await provider(viewer, this.o.db)));
    return out;
  }

  /** Starts handing `s` the events for its viewer; resolves once this process is listening. Returns the unsubscribe function. */
  async subscribe(s: Subscriber): Promise<() => void> {
    if (this.isClosed) throw new Error('live events are closed');
    this.subscribers.add(s);
    try {
      await this.listen();
    } catch (e) {
      this.subscribers.delete(s);
      throw e;
    }
    return () => this.subscribers.delete(s);
  }

  /** The viewer's kept events after `afterId`, oldest first (at most `limit`). */
  replay(viewer: Viewer, afterId: string, limit: number): Promise<LiveEvent[]> {
    return eventsAfter(this.o.db, viewer, afterId, limit);
  }

  /** The newest kept event's id (where a new client's stream starts), or null. */
  latestId(): Promise<string | null> {
    return latestEventId(this.o.db);
  }

  /** Deletes events older than `keepMs`; returns how many. */
  prune(now = this.o.clock.now()): Promise<number> {
    return pruneEvents(this.o.db, new Date(now - this.keepMs));
  }

  /** Stops listening and tells every subscriber (their streams end). */
  async close(): Promise<void> {
    this.isClosed = true;
    for (const s of [...this.subscribers]) s.closed();
    this.subscribers.clear();
    const listening = this.listening;
    this.listening = undefined;
    if (listening) await (await listening.catch(() => async () => {}))();
  }

  private listen(): Promise<() => Promise<void>> {
    if (!this.listening) {
      const p = this.o.db.listen(LIVE_EVENTS_CHANNEL, (payload) => {
        this.handled = this.handled.then(() => this.dispatch(payload)).catch((e: unknown) => this.log('live event not delivered', { error: String(e) }));
      });
      // A failed LISTEN is tried again by the next subscriber.
      p.catch(() => {
        if (this.listening === p) this.listening = undefined;
      });
      this.listening = p;
    }
    return this.listening;
  }

  private async dispatch(payload: string): Promise<void> {
    if (this.subscribers.size === 0) return;
    const announced = JSON.parse(payload) as Announced;
    let event: (LiveEvent & { audience: Audience }) | undefined;
    if (announced.type !== undefined && announced.audience && announced.data !== undefined) {
      event = { id: announced.id, type: announced.type, audience: announced.audience, data: announced.data };
    } else {
      // Too big for a NOTIFY: read from the table (gone only if already pruned).
      event = (await eventsById(this.o.db, [announced.id]))[0];
    }
    if (!event) return;
    const { audience, ...delivered } = event;
    for (const s of this.subscribers) {
      if (!reaches(audience, s.viewer)) continue;
      try {
        s.deliver(delivered);
      } catch (e) {
        this.log('a live event subscriber failed', { error: String(e) });
      }
    }
  }
}

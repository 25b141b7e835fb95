import type { CallKind, CallOutcome } from './port.ts';

// Every call attempt, keyed by its idempotency key. The store — not the
// simulator's memory — answers "was this key already placed?", so a
// PostgreSQL implementation can prove no call is placed twice even across
// a kill -9 and restart.

export interface CallLogEntry {
  key: string;
  callId: string;
  kind: CallKind;
  to: string;
  callerId?: string;
  /** 1-based count of attempts to this kind+destination, this one included. */
  attempt: number;
  outcome?: CallOutcome;
  reason?: string;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  /** Requests with this key after the first; they never became calls. */
  duplicateRequests: number;
  /** Lost with the process that held it (see CallEvent.lost). */
  lost?: true;
  /**
   * The simulator instance that holds the call while it is open: placed and
   * not yet both ended and delivered to its listeners. Absent once closed.
   * Another instance takes an open call over when its owner stops beating.
   */
  owner?: string;
}

export type NewCallLogEntry = Omit<CallLogEntry, 'attempt' | 'duplicateRequests' | 'outcome' | 'answeredAt' | 'endedAt' | 'lost'>;
export type CallLogPatch = Partial<Pick<CallLogEntry, 'outcome' | 'reason' | 'answeredAt' | 'endedAt' | 'lost'>> & {
  /** The call ended and its events were delivered: nobody needs to hold it any more. */
  closed?: true;
};
export interface CallLogUpdate {
  key: string;
  patch: CallLogPatch;
}

export interface CallLogStore {
  /**
   * Atomically: if `entry.key` is new, record the attempt (assigning
   * `attempt`) and return `{ placed: true }` — the caller may now place the
   * call. Otherwise count a duplicate request and return the existing entry
   * with `{ placed: false }`. In SQL: INSERT … ON CONFLICT (key) DO UPDATE
   * SET duplicate_requests = duplicate_requests + 1 RETURNING ….
   */
  reserve(entry: NewCallLogEntry): Promise<{ placed: boolean; entry: CallLogEntry }>;
  /** Applies one patch whoever holds the call; an unknown key is an error. */
  update(key: string, patch: CallLogPatch): Promise<void>;
  /**
   * Applies several patches at once (one statement in SQL), each only to a
   * call `owner` still holds: one taken over meanwhile is no longer its to write.
   */
  updateMany(owner: string, updates: readonly CallLogUpdate[]): Promise<void>;
  get(key: string): Promise<CallLogEntry | undefined>;
  /** All attempts in the order they were placed. */
  list(): Promise<CallLogEntry[]>;
  /** `owner` is alive at `at` (its heartbeat). */
  beat(owner: string, at: number): Promise<void>;
  /** `owner` stopped cleanly: its open calls may be taken over at once. */
  retire(owner: string): Promise<void>;
  /**
   * Hands `owner` up to `limit` open calls held by instances whose last beat
   * is older than `aliveSince` (killed, or retired), and returns them; with
   * `key`, that call only, also when its holder never beat at all (one
   * simulator on its own log). A call is taken by one instance only.
   */
  takeOver(owner: string, aliveSince: number, o: { limit: number; key?: string }): Promise<CallLogEntry[]>;
  /**
   * Asks the instance holding the open call `callId` to hang it up (another
   * process's execution ended): false when no open call has that id.
   */
  requestHangup(callId: string): Promise<boolean>;
  /** The ids of `owner`'s open calls whose hangup was asked for; each is handed out once. */
  takeHangups(owner: string): Promise<string[]>;
}

/** Applies a patch to an entry (a closed call has no owner). */
export function applyPatch(entry: CallLogEntry, patch: CallLogPatch): void {
  const { closed, ...fields } = patch;
  Object.assign(entry, fields);
  if (closed) delete entry.owner;
}

export class InMemoryCallLogStore implements CallLogStore {
  readonly #byKey = new Map<string, CallLogEntry>();
  readonly #attempts = new Map<string, number>();
  readonly #beats = new Map<string, number>();
  readonly #hangups = new Set<string>();

  async reserve(entry: NewCallLogEntry): Promise<{ placed: boolean; entry: CallLogEntry }> {
    const existing = this.#byKey.get(entry.key);
    if (existing) {
      existing.duplicateRequests += 1;
      return { placed: false, entry: { ...existing } };
    }
    const destination = `${entry.kind}\u0000${entry.to}`;
    const attempt = (this.#attempts.get(destination) ?? 0) + 1;
    this.#attempts.set(destination, attempt);
    const stored: CallLogEntry = { ...entry, attempt, duplicateRequests: 0 };
    this.#byKey.set(entry.key, stored);
    return { placed: true, entry: { ...stored } };
  }

  async update(key: string, patch: CallLogPatch): Promise<void> {
    const entry = this.#byKey.get(key);
    if (!entry) throw new Error(`call log: no entry for key "${key}"`);
    applyPatch(entry, patch);
  }

  async updateMany(owner: string, updates: readonly CallLogUpdate[]): Promise<void> {
    for (const { key, patch } of updates) {
      const entry = this.#byKey.get(key);
      if (entry?.owner === owner) applyPatch(entry, patch);
    }
  }

  async beat(owner: string, at: number): Promise<void> {
    this.#beats.set(owner, at);
  }

  async retire(owner: string): Promise<void> {
    this.#beats.set(owner, Number.NEGATIVE_INFINITY);
  }

  async takeOver(owner: string, aliveSince: number, o: { limit: number; key?: string }): Promise<CallLogEntry[]> {
    const beat = (id: string) => this.#beats.get(id);
    const stopped = (id: string) => {
      const at = beat(id);
      return o.key !== undefined ? at === undefined || at < aliveSince : at !== undefined && at < aliveSince;
    };
    const taken: CallLogEntry[] = [];
    const candidates = o.key === undefined ? this.#byKey.values() : [this.#byKey.get(o.key)].filter((e) => e !== undefined);
    for (const entry of candidates) {
      if (taken.length >= o.limit) break;
      if (entry.owner === undefined || entry.owner === owner || !stopped(entry.owner)) continue;
      entry.owner = owner;
      taken.push({ ...entry });
    }
    return taken;
  }

  async requestHangup(callId: string): Promise<boolean> {
    const open = [...this.#byKey.values()].some((e) => e.callId === callId && e.owner !== undefined);
    if (open) this.#hangups.add(callId);
    return open;
  }

  async takeHangups(owner: string): Promise<string[]> {
    const mine = [...this.#byKey.values()].filter((e) => e.owner === owner && this.#hangups.has(e.callId)).map((e) => e.callId);
    for (const id of mine) this.#hangups.delete(id);
    return mine;
  }

  async get(key: string): Promise<CallLogEntry | undefined> {
    const entry = this.#byKey.get(key);
    return entry && { ...entry };
  }

  async list(): Promise<CallLogEntry[]> {
    return [...this.#byKey.values()].map((entry) => ({ ...entry }));
  }
}

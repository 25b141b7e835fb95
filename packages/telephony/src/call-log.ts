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
}

export type NewCallLogEntry = Omit<CallLogEntry, 'attempt' | 'duplicateRequests' | 'outcome' | 'answeredAt' | 'endedAt'>;
export type CallLogPatch = Partial<Pick<CallLogEntry, 'outcome' | 'reason' | 'answeredAt' | 'endedAt'>>;

export interface CallLogStore {
  /**
   * Atomically: if `entry.key` is new, record the attempt (assigning
   * `attempt`) and return `{ placed: true }` — the caller may now place the
   * call. Otherwise count a duplicate request and return the existing entry
   * with `{ placed: false }`. In SQL: INSERT … ON CONFLICT (key) DO UPDATE
   * SET duplicate_requests = duplicate_requests + 1 RETURNING ….
   */
  reserve(entry: NewCallLogEntry): Promise<{ placed: boolean; entry: CallLogEntry }>;
  update(key: string, patch: CallLogPatch): Promise<void>;
  get(key: string): Promise<CallLogEntry | undefined>;
  /** All attempts in the order they were placed. */
  list(): Promise<CallLogEntry[]>;
}

export class InMemoryCallLogStore implements CallLogStore {
  readonly #byKey = new Map<string, CallLogEntry>();
  readonly #attempts = new Map<string, number>();

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
    Object.assign(entry, patch);
  }

  async get(key: string): Promise<CallLogEntry | undefined> {
    const entry = this.#byKey.get(key);
    return entry && { ...entry };
  }

  async list(): Promise<CallLogEntry[]> {
    return [...this.#byKey.values()].map((entry) => ({ ...entry }));
  }
}

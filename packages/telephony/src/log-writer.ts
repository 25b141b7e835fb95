// The simulator's writes to its call log, batched: patches wait per key
// (merged), and one write at a time sends everything waiting (one statement
// for the SQL log), so the log keeps up however many calls change at once.
// A failed write is tried again — its patches go back under newer ones —
// instead of being dropped; close() tries what is left once more and then
// gives up loudly, so it never writes to a database closed after it.
import type { Clock, TimerHandle } from '@tellflow/clock';
import type { CallLogPatch, CallLogStore } from './call-log.ts';

/** Patches per write: keeps one statement's parameters small. */
const MAX_BATCH = 500;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

interface Waiting {
  patch: CallLogPatch;
  done: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

export interface CallLogWriterOptions {
  store: CallLogStore;
  /** The simulator instance whose calls these are (writes to calls taken over by another are skipped). */
  owner: string;
  clock: Clock;
  onError: (error: unknown) => void;
}

export class CallLogWriter {
  #waiting = new Map<string, Waiting>();
  #writing: Promise<void> | undefined;
  #retry: TimerHandle | undefined;
  #failures = 0;
  #closed = false;
  readonly #outstanding = new Set<Promise<void>>();

  constructor(private readonly o: CallLogWriterOptions) {}

  /** Queues a patch; resolves once it is in the log, rejects only when close() could not write it. */
  write(key: string, patch: CallLogPatch): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`call log: write for "${key}" after the writer was closed`));
    const written = new Promise<void>((resolve, reject) => {
      const w = this.#waiting.get(key);
      if (w) {
        w.patch = { ...w.patch, ...patch };
        w.done.push({ resolve, reject });
      } else this.#waiting.set(key, { patch, done: [{ resolve, reject }] });
    });
    const tracked = written.catch(() => {});
    this.#outstanding.add(tracked);
    void tracked.finally(() => this.#outstanding.delete(tracked));
    this.#kick();
    return written;
  }

  /** Resolves when every write queued so far has landed (or was given up at close). */
  async idle(): Promise<void> {
    while (this.#outstanding.size) await Promise.all(this.#outstanding);
  }

  /** Patches not yet written (for tests and metrics). */
  get backlog(): number {
    return this.#waiting.size;
  }

  /** Writes what is waiting (one last try each), then refuses new writes. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) this.o.clock.clearTimeout(this.#retry);
    this.#retry = undefined;
    for (;;) {
      if (this.#writing) await this.#writing;
      else if (this.#waiting.size) await (this.#writing = this.#writeOnce().finally(() => (this.#writing = undefined)));
      else return;
    }
  }

  #kick(): void {
    if (this.#writing || this.#retry !== undefined || this.#waiting.size === 0) return;
    this.#writing = this.#writeOnce().finally(() => {
      this.#writing = undefined;
      if (!this.#closed) this.#kick();
    });
  }

  async #writeOnce(): Promise<void> {
    const batch = new Map<string, Waiting>();
    for (const [key, w] of this.#waiting) {
      if (batch.size === MAX_BATCH) break;
      batch.set(key, w);
    }
    for (const key of batch.keys()) this.#waiting.delete(key);
    try {
      await this.o.store.updateMany(
        this.o.owner,
        [...batch].map(([key, w]) => ({ key, patch: w.patch })),
      );
      this.#failures = 0;
      for (const w of batch.values()) for (const d of w.done) d.resolve();
    } catch (error) {
      this.#failures++;
      if (this.#closed) {
        this.o.onError(new Error(`call log: ${batch.size} update(s) could not be written before shutdown: ${String(error)}`));
        for (const w of batch.values()) for (const d of w.done) d.reject(error);
        return;
      }
      this.o.onError(error);
      // Back in front, under anything newer for the same call.
      const again = new Map<string, Waiting>();
      for (const [key, w] of batch) {
        const newer = this.#waiting.get(key);
        again.set(key, newer ? { patch: { ...w.patch, ...newer.patch }, done: [...w.done, ...newer.done] } : w);
      }
      for (const [key, w] of this.#waiting) if (!again.has(key)) again.set(key, w);
      this.#waiting = again;
      const delay = Math.min(RETRY_FIRST_MS * 2 ** (this.#failures - 1), RETRY_MAX_MS);
      this.#retry = this.o.clock.setTimeout(() => {
        this.#retry = undefined;
        this.#kick();
      }, delay);
    }
  }
}

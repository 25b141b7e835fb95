/**
 * Keeps one fresh scratch database ready for the next test run. Loading one
 * (PGlite from the cached dump) is ~90% of a test run's time; with a spare
 * made while the user looks at the last run, the next one starts at once.
 * Each database is handed out once; taking one starts making the next.
 */
import type { Database } from '@tellflow/db';

export class SpareDatabase {
  #next: Promise<Database> | undefined;

  constructor(private readonly open: () => Promise<Database>) {}

  /** The spare if one is made or being made (else a new one), and the making of the next. */
  take(): Promise<Database> {
    const db = this.#next ?? this.open();
    this.#next = this.open();
    // A failure shows when that spare is taken; until then it must not be an unhandled rejection.
    this.#next.catch(() => {});
    return db;
  }

  /** Starts making the spare now, before the first `take`. */
  prepare(): void {
    this.#next ??= this.open();
    this.#next.catch(() => {});
  }

  /** Closes the spare (at shutdown). */
  async close(): Promise<void> {
    const next = this.#next;
    this.#next = undefined;
    await next?.then((db) => db.close()).catch(() => {});
  }
}

/**
 * A `Database` that passes everything through and watches it: it counts
 * statements by what they are (the profile), and records when each step
 * commit became durable, per execution (the latency).
 *
 * "Durable" means the COMMIT is done: for a step committed by a lone
 * statement (autocommit) that is when the statement returns; for one
 * committed inside a transaction (a `sql` effect) it is when the
 * transaction's COMMIT returns.
 */
import { performance } from 'node:perf_hooks';
import type { Database, Queryable, QueryOptions, QueryResult, Transaction } from '@tellflow/db';

/** What a statement is, from its text (the runtime's statements are fixed strings). */
export function classify(text: string): string {
  const t = text.trimStart().toLowerCase();
  if (t.includes('insert into execution_steps')) return 'step commit (CTE)';
  if (t.includes('for update skip locked')) return 'claim (CTE)';
  if (t.startsWith('select execution_id, step, node_id, kind')) return 'load effect';
  if (t.startsWith('update executions set lease_owner = null')) return 'release lease';
  if (t.includes('for update') && t.includes("set_config('statement_timeout'")) return 'lock leased + statement_timeout + role';
  if (t.startsWith('select current_user::text as role')) return "sandbox check (after the node's query)";
  if (t.startsWith('savepoint')) return 'savepoint';
  if (t.startsWith('release savepoint')) return 'release savepoint';
  if (t.startsWith('rollback to savepoint')) return 'rollback to savepoint';
  if (t.includes("set_config('statement_timeout'")) return 'set statement_timeout (+ role back)';
  if (t.startsWith('insert into executions')) return 'insert execution';
  if (t.includes('from scenario_versions') || t.includes('from scenarios')) return 'scenario lookup';
  if (t.includes('pg_notify')) return 'notify';
  return "scenario sql (the node's own query)";
}

export class Probe {
  /** Statements by kind (BEGIN and COMMIT of transactions included). */
  readonly counts = new Map<string, number>();
  /** Milliseconds spent waiting for statements, by kind (summed over concurrent statements). */
  readonly millis = new Map<string, number>();
  /** Per execution: when each of its step commits became durable (performance.now()). */
  readonly commits = new Map<string, number[]>();
  /** Per execution: when its row was committed (the first step is due from then). */
  readonly inserted = new Map<string, number>();
  commitCount = 0;
  recordTimes = false;

  count(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  committed(id: string, at: number): void {
    this.commitCount++;
    if (!this.recordTimes) return;
    let list = this.commits.get(id);
    if (!list) this.commits.set(id, (list = []));
    list.push(at);
  }

  spent(kind: string, ms: number): void {
    this.millis.set(kind, (this.millis.get(kind) ?? 0) + ms);
  }

  reset(): void {
    this.counts.clear();
    this.millis.clear();
    this.commits.clear();
    this.inserted.clear();
    this.commitCount = 0;
  }

  /** All statements (round trips to the server on PostgreSQL) counted. */
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

/** Wraps `db`; `probe` sees every statement the runtime sends. */
export function instrument(db: Database, probe: Probe): Database {
  const watch = (q: Queryable, inTx: string[] | null): Queryable => ({
    async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
      const kind = classify(text);
      probe.count(kind);
      const t0 = performance.now();
      const r = await q.query<R>(text, params, options);
      probe.spent(kind, performance.now() - t0);
      if (kind === 'step commit (CTE)') {
        // One row per committed step (kind null); the statement may carry the steps of many executions.
        const at = performance.now();
        for (const row of r.rows as { id: string; kind: string | null }[]) {
          if (row.kind !== null) continue;
          if (inTx) inTx.push(row.id);
          else probe.committed(row.id, at);
        }
      } else if (kind === 'insert execution' && !inTx && probe.recordTimes) {
        probe.inserted.set((r.rows[0] as { id: string }).id, performance.now());
      }
      return r;
    },
  });
  // Savepoints are statements too, sent by the client itself: SAVEPOINT, then ROLLBACK TO when it fails; on success
  // packages/db's PGlite client RELEASEs it, postgres.js does not (it lives until the transaction ends).
  const releases = db.kind === 'pglite';
  const watchTx = (tx: Transaction, pending: string[]): Transaction => ({
    ...watch(tx, pending),
    async savepoint(fn) {
      probe.count('savepoint');
      try {
        const out = await tx.savepoint((sp) => fn(watchTx(sp, pending)));
        if (releases) probe.count('release savepoint');
        return out;
      } catch (e) {
        probe.count('rollback to savepoint');
        throw e;
      }
    },
  });
  return {
    kind: db.kind,
    ...watch(db, null),
    async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      const pending: string[] = [];
      probe.count('BEGIN');
      let ok = false;
      try {
        const out = await db.transaction((tx) => fn(watchTx(tx, pending)));
        ok = true;
        return out;
      } finally {
        probe.count(ok ? 'COMMIT' : 'ROLLBACK');
        if (ok) {
          const at = performance.now();
          for (const id of pending) probe.committed(id, at);
        }
      }
    },
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    async notify(channel, payload) {
      probe.count('notify');
      await db.notify(channel, payload);
    },
    close: () => db.close(),
  };
}

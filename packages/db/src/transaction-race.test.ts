/**
 * postgres.js reserves a `sql.begin` transaction's connection only once BEGIN
 * is on the wire, and not at all when BEGIN is the query that fills the
 * connection's pipeline (porsager/postgres #823, #1189): other queries then
 * run inside the transaction, and commit or roll back with it. Our
 * transactions reserve an idle connection first (client.ts). This drives the
 * boundary on purpose: a pool of 3 connections, 2 queries deep, each held by
 * a sleep with one query queued behind it, when the transactions begin.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './client.ts';
import { createEmptyTestDatabase, postgresAvailable, type TestDatabase } from './testing.ts';

const hasPostgres = await postgresAvailable();
const ROUNDS = 6;
/** Microtasks between the plain queries and the transactions, one per round. */
const DELAYS = [0, 1, 2, 3, 4, 5];

describe.skipIf(!hasPostgres)('transactions at the postgres.js pipeline boundary', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createEmptyTestDatabase('postgres', { max: 3, maxPipeline: 2 });
    await t.db.query('create table outside (n int)');
  });
  afterAll(async () => {
    await t?.drop();
  });

  /**
   * One round: fill the pipelines, then 5 transactions that each write and
   * roll back, beside 3 plain inserts. The transactions begin `delay`
   * microtasks after the plain queries were issued: rounds go through several
   * delays, as drivers and wrappers differ in how many ticks a query takes to
   * reach the connection.
   */
  async function round(plain: (text: string) => Promise<unknown>, rolledBack: (text: string) => Promise<unknown>, delay: number) {
    await Promise.all([plain('select 1'), plain('select 1'), plain('select 1')]); // three open connections
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) work.push(plain('select pg_sleep(0.1)'));
    for (let i = 0; i < 3; i++) work.push(plain('insert into outside values (1)'));
    for (let d = 0; d < delay; d++) await null;
    for (let i = 0; i < 5; i++) work.push(rolledBack('insert into outside values (-1)'));
    return Promise.allSettled(work);
  }

  it('shows the hazard with postgres.js sql.begin: transactions refused as UNSAFE_TRANSACTION at the pipeline boundary', async () => {
    // max_pipeline is a postgres.js option its types leave out.
    const sql = postgres(t.url!, { max: 3, onnotice: () => {}, ...{ max_pipeline: 2 } });
    const errors: string[] = [];
    try {
      await sql.unsafe('truncate outside');
      for (let r = 0; r < ROUNDS; r++) {
        const results = await round(
          (text) => sql.unsafe(text).execute(),
          (text) =>
            sql.begin(async (tx) => {
              await tx.unsafe(text);
              throw new Error('roll back');
            }),
          DELAYS[r]!,
        );
        for (const x of results)
          if (x.status === 'rejected' && (x.reason as Error).message !== 'roll back') errors.push((x.reason as { code?: string }).code ?? '?');
      }
      // Had sql.begin been safe, no transaction would be refused. (Whether plain inserts are lost with them depends on the interleaving, so it is not asserted here.)
      expect(errors.filter((c) => c === 'UNSAFE_TRANSACTION').length).toBeGreaterThan(0);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it('our transactions keep their connection to themselves: none refused, every plain insert kept, every rolled-back one gone', async () => {
    const db: Database = t.db;
    await db.query('truncate outside');
    const failures: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const results = await round(
        (text) => db.query(text),
        (text) =>
          db.transaction(async (tx) => {
            const before = await tx.query<{ x: string }>('select txid_current()::text as x');
            await tx.query(text);
            const after = await tx.query<{ x: string }>('select txid_current()::text as x');
            if (before.rows[0]!.x !== after.rows[0]!.x) failures.push('a transaction ran on two connections');
            throw new Error('roll back');
          }),
        DELAYS[r]!,
      );
      for (const x of results) if (x.status === 'rejected' && (x.reason as Error).message !== 'roll back') failures.push(String(x.reason));
    }
    expect(failures).toEqual([]);
    const rows = await db.query<{ n: number; count: number }>('select n, count(*)::int as count from outside group by n order by n');
    expect(rows.rows).toEqual([{ n: 1, count: 3 * ROUNDS }]);
  });

  it('commits on the reserved connection, and a statement that failed inside (caught, not in a savepoint) fails the commit', async () => {
    await t.db.query('truncate outside');
    await t.db.transaction(async (tx) => {
      await tx.query('insert into outside values (7)');
    });
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('insert into outside values (8)');
        await tx.query('select 1/0').catch(() => {});
      }),
    ).rejects.toThrow(/rolled back/);
    expect((await t.db.query<{ n: number }>('select n from outside')).rows).toEqual([{ n: 7 }]);
    // The pool is still whole: every connection answers outside a transaction.
    const states = await Promise.all([1, 2, 3, 4, 5, 6].map(() => t.db.query<{ x: string | null }>('select txid_current_if_assigned()::text as x')));
    expect(states.map((s) => s.rows[0]!.x)).toEqual([null, null, null, null, null, null]);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { grantToScenarios, type Database, type Transaction } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import type { ExecutionState } from '@tellflow/engine';
import { performSql } from './effects/sql.ts';
import { Runtime } from './runtime.ts';
import type { StepCommit } from './sql/commit-step.ts';
import { insertExecution } from './sql/executions.ts';
import { doc, T0, useHarness, type Harness, startEnd } from './test-support.ts';
import { TransactionQueue, type InTransactionStep } from './transaction-queue.ts';

/** A Database that counts the transactions begun and the statements sent (savepoints included). */
function counting(db: Database): Database & { transactions: number; statements: number } {
  const inTx = (tx: Transaction): Transaction => ({
    query: (text, params, options) => {
      c.statements++;
      return tx.query(text, params, options);
    },
    savepoint: (fn) => {
      c.statements++;
      return tx.savepoint((sp) => fn(inTx(sp)));
    },
  });
  const c = Object.assign(Object.create(db) as Database, {
    transactions: 0,
    statements: 0,
    query: ((text: string, params?: readonly unknown[], options?: { replan?: boolean }) => {
      c.statements++;
      return db.query(text, params, options);
    }) as Database['query'],
    transaction: <T>(fn: (tx: Transaction) => Promise<T>) => {
      c.transactions++;
      return db.transaction((tx) => fn(inTx(tx)));
    },
  });
  return c;
}

const waiting = (step: number): ExecutionState => ({
  status: 'waiting',
  vars: {},
  steps: step,
  startedAt: T0,
  waiting: { nodeId: 'pause', step, kind: 'timer', since: T0 },
});

describe.each(DATABASE_KINDS)('in-transaction effects on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(async () => {
    h = current();
    await h.t.db.query('create table if not exists written (k int primary key)');
    await grantToScenarios(h.t.db, 'written');
    await h.t.db.query('truncate written');
    await h.publish(startEnd('x'));
  });

  const leased = (n: number) =>
    Promise.all(
      Array.from({ length: n }, () => insertExecution(h.t.db, { scenarioId: 'x', version: 1, input: {}, now: T0, lease: { owner: 'me', until: T0 + 60_000 } })),
    );

  /** Step k of execution `id`: writes k (the query given, else an insert), then commits a step that waits for a timer. */
  const writing = (id: string, k: number, performed: number[], query = 'insert into written (k) values (:k)'): InTransactionStep & { result?: unknown } => {
    const s: InTransactionStep & { result?: unknown } = {
      executionId: id,
      timeoutMs: 5_000,
      perform: async (tx, sandbox) => {
        performed.push(k);
        return performSql(tx, sandbox, { query, params: { k }, result: 'none' });
      },
      next: (result): StepCommit => {
        s.result = result;
        return { id, owner: 'me', state: waiting(1), now: T0, trace: [], effects: [{ step: 1, nodeId: 'pause', effect: { kind: 'timer', wakeAt: T0 } }] };
      },
    };
    return s;
  };

  const written = async () => (await h.t.db.query<{ k: number }>('select k from written order by k')).rows.map((r) => r.k);
  const stepped = async (ids: string[]) =>
    (await h.t.db.query<{ id: string }>(`select id from executions where status = 'waiting'`)).rows.filter((r) => ids.includes(r.id)).length;

  it.skipIf(skip)('performs the effects of several executions and commits their steps in one transaction of few statements', async () => {
    const ids = await leased(6);
    const db = counting(h.t.db);
    const queue = new TransactionQueue(db, 'me', { maxInFlight: 2, maxBatch: 64 });
    const performed: number[] = [];
    const outcomes = await Promise.all(ids.map((id, k) => queue.run(writing(id, k, performed))));
    expect(db.transactions).toBe(1);
    // The lock (+ timeout + role), a savepoint, a query and the sandbox's check per step, the timeout lifted and the role
    // left, one commit statement (BEGIN and COMMIT are the driver's).
    expect(db.statements).toBe(1 + 3 * 6 + 2);
    expect(outcomes.every((o) => o?.committed)).toBe(true);
    expect(await written()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await stepped(ids)).toBe(6);
  });

  it.skipIf(skip)('a failing statement is the error result of its own step only', async () => {
    const ids = await leased(4);
    const db = counting(h.t.db);
    const queue = new TransactionQueue(db, 'me', { maxInFlight: 2, maxBatch: 64 });
    const performed: number[] = [];
    const steps = ids.map((id, k) => writing(id, k, performed, k === 2 ? 'insert into written (k) values (:k / 0)' : undefined));
    const outcomes = await Promise.all(steps.map((s) => queue.run(s)));
    expect(db.transactions).toBe(1);
    expect(outcomes.every((o) => o?.committed)).toBe(true);
    expect(steps.map((s) => (s.result as { ok: boolean }).ok)).toEqual([true, true, false, true]);
    expect(steps[2]!.result).toMatchObject({ ok: false, error: 'division by zero', code: '22012' });
    expect(await written()).toEqual([0, 1, 3]);
    expect(await stepped(ids)).toBe(4);
  });

  it.skipIf(skip)('runs nothing of an execution whose lease another worker took', async () => {
    const ids = await leased(4);
    await h.t.db.query(`update executions set lease_owner = 'someone else' where id = $1`, [ids[1]]);
    const queue = new TransactionQueue(h.t.db, 'me', { maxInFlight: 2, maxBatch: 64 });
    const performed: number[] = [];
    const outcomes = await Promise.all(ids.map((id, k) => queue.run(writing(id, k, performed))));
    expect(outcomes.map((o) => o?.committed ?? null)).toEqual([true, null, true, true]);
    expect(performed).toEqual([0, 2, 3]);
    expect(await written()).toEqual([0, 2, 3]);
    expect(await stepped(ids)).toBe(3);
  });

  it.skipIf(skip)('when the transaction fails before COMMIT, tries each step alone: only the one at fault fails, and nothing of it stays', async () => {
    const ids = await leased(3);
    // Execution 1's effect step 1 exists already: its step commit violates the primary key and undoes the shared transaction.
    await h.t.db.query(`insert into effects (execution_id, step, node_id, kind, request, created_at) values ($1, 1, 'pause', 'timer', '{}', $2)`, [
      ids[1],
      new Date(T0),
    ]);
    const db = counting(h.t.db);
    const queue = new TransactionQueue(db, 'me', { maxInFlight: 2, maxBatch: 64 });
    const performed: number[] = [];
    const settled = await Promise.allSettled(ids.map((id, k) => queue.run(writing(id, k, performed))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.transactions).toBe(4);
    expect(await written()).toEqual([0, 2]);
    expect(await stepped(ids)).toBe(2);
  });

  it.skipIf(skip)('runs the sql steps of executions claimed together in one transaction; a failing query takes its error outcome', async () => {
    await h.publish(
      doc(
        'divide',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'k', type: 'number', required: true }] } },
          { id: 'write', type: 'sql', params: { query: 'insert into written (k) values (10 / (:k::int - 2))', params: { k: { var: 'k' } }, result: 'none' } },
          { id: 'ok', type: 'end', params: { result: 'written' } },
          { id: 'bad', type: 'end', params: { result: { var: 'lastError' } } },
        ],
        [
          ['start:next', 'write'],
          ['write:ok', 'ok'],
          ['write:error', 'bad'],
        ],
      ),
    );
    const ids = await Promise.all([0, 1, 2, 3].map((k) => h.runtime.start('divide', { input: { k } })));
    const db = counting(h.t.db);
    const runtime = new Runtime({ db, telephony: h.sim, clock: h.clock, leaseMs: 5_000 });
    try {
      await runtime.drain();
    } finally {
      await runtime.close();
    }
    expect(db.transactions).toBe(1);
    const results = await Promise.all(ids.map(async (id) => (await h.runtime.execution(id)).result));
    expect(results).toEqual(['written', 'written', 'division by zero', 'written']);
    expect(await written()).toEqual([-10, -5, 10]);
  });
});

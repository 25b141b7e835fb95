import { beforeEach, describe, expect, it } from 'vitest';
import type { Queryable } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import type { ExecutionState } from '@tellflow/engine';
import { CommitQueue } from './commit-queue.ts';
import type { StepCommit } from './sql/commit-step.ts';
import { insertExecution } from './sql/executions.ts';
import { T0, useHarness, type Harness, startEnd } from './test-support.ts';

/** Counts the statements that reach the database. */
function counting(q: Queryable): Queryable & { statements: number } {
  const c = {
    statements: 0,
    query: ((text: string, params?: readonly unknown[], options?: { replan?: boolean }) => {
      c.statements++;
      return q.query(text, params, options);
    }) as Queryable['query'],
  };
  return c;
}

const waiting = (step: number): ExecutionState => ({
  status: 'waiting',
  vars: { step },
  steps: step,
  startedAt: T0,
  waiting: { nodeId: 'pause', step, kind: 'timer', since: T0 },
});

/** The step that starts an execution and asks for a timer (effect step 1). */
const firstStep = (id: string, owner = 'me'): StepCommit => ({
  id,
  owner,
  state: waiting(1),
  now: T0,
  trace: [{ step: 0, nodeId: 'start', nodeType: 'start', outcome: 'next', startedAt: T0, endedAt: T0 }],
  effects: [{ step: 1, nodeId: 'pause', effect: { kind: 'timer', wakeAt: T0 } }],
});

describe.each(DATABASE_KINDS)('commit queue on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(async () => {
    h = current();
    await h.publish(startEnd('x'));
  });

  const leased = (n: number, extra: { parentId?: string; parentStep?: number } = {}) =>
    Promise.all(
      Array.from({ length: n }, () =>
        insertExecution(h.t.db, { scenarioId: 'x', version: 1, input: {}, now: T0, lease: { owner: 'me', until: T0 + 60_000 }, ...extra }),
      ),
    );

  it.skipIf(skip)('writes the steps of many executions in one statement, each with its own outcome', async () => {
    const ids = await leased(20);
    const db = counting(h.t.db);
    const queue = new CommitQueue(db, { maxInFlight: 2, maxBatch: 64 });
    // One of them was taken over by another worker: its step must not be written.
    await h.t.db.query(`update executions set lease_owner = 'someone else' where id = $1`, [ids[7]]);
    const outcomes = await Promise.all(ids.map((id) => queue.commit(firstStep(id))));
    expect(db.statements).toBe(1);
    expect(outcomes.map((o) => o.committed)).toEqual(ids.map((_, i) => i !== 7));
    const rows = await h.t.db.query<{ id: string; status: string; traced: number; effects: number }>(
      `select e.id, e.status, (select count(*)::int from execution_steps s where s.execution_id = e.id) as traced,
         (select count(*)::int from effects f where f.execution_id = e.id and f.kind = 'timer') as effects
       from executions e`,
    );
    for (const r of rows.rows) {
      const written = r.id !== ids[7];
      expect(r).toEqual({ id: r.id, status: written ? 'waiting' : 'running', traced: written ? 1 : 0, effects: written ? 1 : 0 });
    }
  });

  it.skipIf(skip)('sends a step that ends its execution alone, reporting to the waiting parent', async () => {
    const [parent] = await leased(1);
    await h.t.db.query(
      `insert into effects (execution_id, step, node_id, kind, request, started_at, created_at) values ($1, 3, 'child', 'startChild', '{"kind":"startChild"}', $2, $2)`,
      [parent, new Date(T0)],
    );
    const [child] = await leased(1, { parentId: parent!, parentStep: 3 });
    const others = await leased(3);
    const db = counting(h.t.db);
    const queue = new CommitQueue(db, { maxInFlight: 2, maxBatch: 64 });
    const end: StepCommit = {
      id: child!,
      owner: 'me',
      state: { status: 'completed', vars: {}, steps: 1, startedAt: T0, endedAt: T0, result: 42 },
      now: T0,
      trace: [{ step: 0, nodeId: 'end', nodeType: 'end', outcome: null, startedAt: T0, endedAt: T0 }],
      effects: [],
      release: { seenWakeups: 0, runAt: null },
      parent: { id: parent!, step: 3, result: { outcome: 'done', result: 42 } },
    };
    const outcomes = await Promise.all([...others.map((id) => queue.commit(firstStep(id))), queue.commit(end)]);
    expect(db.statements).toBe(2);
    expect(outcomes.every((o) => o.committed)).toBe(true);
    expect(outcomes.at(-1)!.woke).toBe(true);
    const effect = await h.t.db.query(`select status, result from effects where execution_id = $1 and step = 3`, [parent]);
    expect(effect.rows).toEqual([{ status: 'done', result: { outcome: 'done', result: 42 } }]);
    const p = await h.t.db.query<{ wakeups: number }>(`select wakeups from executions where id = $1`, [parent]);
    expect(p.rows[0]!.wakeups).toBe(1);
  });

  it.skipIf(skip)('when a statement fails, writes the others one by one and fails only the step that cannot be written', async () => {
    const ids = await leased(4);
    // This execution's effect step 1 exists already: inserting it again violates the primary key.
    await h.t.db.query(`insert into effects (execution_id, step, node_id, kind, request, created_at) values ($1, 1, 'pause', 'timer', '{}', $2)`, [
      ids[2],
      new Date(T0),
    ]);
    const queue = new CommitQueue(h.t.db, { maxInFlight: 2, maxBatch: 64 });
    const settled = await Promise.allSettled(ids.map((id) => queue.commit(firstStep(id))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const traced = await h.t.db.query<{ n: number }>('select count(distinct execution_id)::int as n from execution_steps');
    expect(traced.rows[0]!.n).toBe(3);
  });
});

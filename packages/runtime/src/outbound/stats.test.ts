import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { T0, useHarness, type Harness } from '../test-support.ts';

describe.each(DATABASE_KINDS)('outbound task call figures on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });
  const MIN = 60_000;
  let step = 0;

  const task = (id: string) =>
    h.t.db.query(
      `insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, operators, hours)
       values ($1, $1, 'dialog', 'outbound-routing', 'operator-call', '["101","102"]', '{"from": "09:00", "to": "21:00", "days": [1,2,3,4,5]}')`,
      [id],
    );
  /** An execution in `status`; its calls are open or over with it. */
  const execution = async (status: 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled') =>
    (await h.t.db.query<{ id: string }>(`insert into executions (scenario_id, version, status) values ('operator-call', 1, $1) returning id`, [status]))
      .rows[0]!.id;

  interface Call {
    task?: string;
    execution: string;
    kind: 'customer' | 'operator';
    operator: string;
    subscriber: number;
    /** Minutes after T0 it was placed. */
    at: number;
    outcome: string | null;
    /** Seconds after placing it was answered, and after that it ended (null: never seen). */
    answered?: number;
    talk?: number | null;
  }
  /** One call_history row, as the runtime writes it. */
  const call = (c: Call) => {
    const placed = T0 + c.at * MIN;
    const answeredAt = c.answered !== undefined ? placed + c.answered * 1000 : null;
    const endedAt = answeredAt !== null && typeof c.talk === 'number' ? answeredAt + c.talk * 1000 : null;
    return h.t.db.query(
      `insert into call_history (task_id, subscriber_id, execution_id, step, kind, operator, number, started_at, outcome, answered_at, ended_at)
       values ($1, $2, $3, $4, $5, $6, '+7900', $7, $8, $9, $10)`,
      [
        c.task ?? 'spring',
        c.subscriber,
        c.execution,
        ++step,
        c.kind,
        c.operator,
        new Date(placed),
        c.outcome,
        answeredAt === null ? null : new Date(answeredAt),
        endedAt ? new Date(endedAt) : c.outcome && !['answered', 'lost'].includes(c.outcome) ? new Date(placed + 30_000) : null,
      ],
    );
  };

  /** Zero figures, with what differs. */
  const figures = (f: Record<string, unknown> = {}, talk: Record<string, unknown> = {}) => ({
    calls: 0,
    answered: 0,
    busy: 0,
    noAnswer: 0,
    failed: 0,
    lost: 0,
    inProgress: 0,
    answerRate: null,
    ...f,
    talk: { timed: 0, talking: 0, unknownEnd: 0, totalSeconds: 0, averageSeconds: null, ...talk },
  });

  it.skipIf(skip)('counts every call once, operator calls per operator too, and times only talks with a known answer and end', async () => {
    await task('spring');
    await task('other');
    const done = await execution('completed');
    const live = await execution('waiting');
    const failed = await execution('failed');
    const pruned = '00000000-0000-4000-8000-000000000001'; // its execution row is gone
    // 101: rung twice (picked up, talked 100 s; picked up, still talking); customers: talked 90.4 s, lost while ringing, ringing now, no outcome with its execution failed.
    await call({ execution: done, kind: 'operator', operator: '101', subscriber: 1, at: 0, outcome: 'answered', answered: 3, talk: 100 });
    await call({ execution: done, kind: 'customer', operator: '101', subscriber: 1, at: 0, outcome: 'answered', answered: 5, talk: 90.4 });
    await call({ execution: done, kind: 'customer', operator: '101', subscriber: 4, at: 5, outcome: 'lost' });
    await call({ execution: live, kind: 'operator', operator: '101', subscriber: 7, at: 70, outcome: 'answered', answered: 2, talk: null });
    await call({ execution: live, kind: 'customer', operator: '101', subscriber: 7, at: 70, outcome: null });
    await call({ execution: failed, kind: 'customer', operator: '101', subscriber: 8, at: 71, outcome: null });
    // 102: rung four times (busy, no answer, picked up, never heard of with its execution gone); customers: talked 30 s,
    // open across a restart (answered, execution over, no end), cut off with its process (still running), failed.
    await call({ execution: done, kind: 'operator', operator: '102', subscriber: 2, at: 1, outcome: 'busy' });
    await call({ execution: done, kind: 'operator', operator: '102', subscriber: 2, at: 6, outcome: 'noAnswer' });
    await call({ execution: done, kind: 'operator', operator: '102', subscriber: 3, at: 10, outcome: 'answered', answered: 1, talk: 40 });
    await call({ execution: done, kind: 'customer', operator: '102', subscriber: 3, at: 10, outcome: 'answered', answered: 4, talk: 30 });
    await call({ execution: done, kind: 'customer', operator: '102', subscriber: 5, at: 12, outcome: 'answered', answered: 4, talk: null });
    await call({ execution: live, kind: 'customer', operator: '102', subscriber: 6, at: 14, outcome: 'lost', answered: 4, talk: null });
    await call({ execution: done, kind: 'customer', operator: '102', subscriber: 9, at: 15, outcome: 'failed' });
    await call({ execution: pruned, kind: 'operator', operator: '102', subscriber: 9, at: 16, outcome: null });
    await call({ task: 'other', execution: done, kind: 'customer', operator: '101', subscriber: 1, at: 0, outcome: 'answered', answered: 1, talk: 500 });

    const all = await h.runtime.outboundTasks.callStats('spring');
    expect(all).toEqual({
      customers: {
        ...figures(
          { calls: 8, answered: 4, failed: 1, lost: 2, inProgress: 1, answerRate: 0.8 },
          { timed: 2, unknownEnd: 2, totalSeconds: 120.4, averageSeconds: 60.2 },
        ),
        subscribersCalled: 8,
      },
      operators: figures(
        { calls: 6, answered: 3, busy: 1, noAnswer: 1, lost: 1, answerRate: 0.6 },
        { timed: 2, talking: 1, totalSeconds: 140, averageSeconds: 70 },
      ),
      byOperator: [
        {
          operator: '101',
          operatorCalls: figures({ calls: 2, answered: 2, answerRate: 1 }, { timed: 1, talking: 1, totalSeconds: 100, averageSeconds: 100 }),
          customerCalls: figures({ calls: 4, answered: 1, lost: 2, inProgress: 1, answerRate: 1 }, { timed: 1, totalSeconds: 90.4, averageSeconds: 90.4 }),
        },
        {
          operator: '102',
          operatorCalls: figures(
            { calls: 4, answered: 1, busy: 1, noAnswer: 1, lost: 1, answerRate: 0.333 },
            { timed: 1, totalSeconds: 40, averageSeconds: 40 },
          ),
          customerCalls: figures({ calls: 4, answered: 3, failed: 1, answerRate: 0.75 }, { timed: 1, unknownEnd: 2, totalSeconds: 30, averageSeconds: 30 }),
        },
      ],
    });

    // Calls placed in the first ten minutes: 101's first two, 102's busy and no-answer rings (the range counts the start).
    const first = await h.runtime.outboundTasks.callStats('spring', { from: new Date(T0), to: new Date(T0 + 10 * MIN) });
    expect(first.customers).toEqual({
      ...figures({ calls: 2, answered: 1, lost: 1, answerRate: 1 }, { timed: 1, totalSeconds: 90.4, averageSeconds: 90.4 }),
      subscribersCalled: 2,
    });
    expect(first.byOperator.map((o) => [o.operator, o.operatorCalls.calls, o.customerCalls.calls])).toEqual([
      ['101', 1, 2],
      ['102', 2, 0],
    ]);
    expect(first.byOperator[1]!.customerCalls).toEqual(figures());

    // The figures follow the executions: once the live one ends, its open calls are no longer ringing or talking.
    await h.t.db.query(`update executions set status = 'cancelled' where id = $1`, [live]);
    const after = await h.runtime.outboundTasks.callStats('spring');
    expect(after.byOperator[0]!.operatorCalls.talk).toMatchObject({ timed: 1, talking: 0, unknownEnd: 1, totalSeconds: 100 });
    expect(after.byOperator[0]!.customerCalls).toMatchObject({ lost: 3, inProgress: 0 });
  });

  it.skipIf(skip)('has zero figures and no rates for a task without calls, and 404 for an unknown task', async () => {
    await task('quiet');
    expect(await h.runtime.outboundTasks.callStats('quiet')).toEqual({
      customers: { ...figures(), subscribersCalled: 0 },
      operators: figures(),
      byOperator: [],
    });
    await expect(h.runtime.outboundTasks.callStats('nope')).rejects.toMatchObject({ status: 404 });
  });
});

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
  /** One call_history row: a call placed at T0 + `at` minutes, answered and talking for `talk` seconds when given. */
  const call = (task: string, k: 'customer' | 'operator', operator: string, subscriber: number, at: number, outcome: string | null, talk?: number) =>
    h.t.db.query(
      `insert into call_history (task_id, subscriber_id, execution_id, step, kind, operator, number, started_at, outcome, answered_at, ended_at)
       values ($1, $2, gen_random_uuid(), $3, $4, $5, '+7900', $6, $7, $8, $9)`,
      [
        task,
        subscriber,
        ++step,
        k,
        operator,
        new Date(T0 + at * MIN),
        outcome,
        talk !== undefined ? new Date(T0 + at * MIN + 5_000) : null,
        talk !== undefined ? new Date(T0 + at * MIN + 5_000 + talk * 1000) : null,
      ],
    );

  it.skipIf(skip)('counts outcomes of customer and operator calls, talk time, and per operator, optionally in a time range', async () => {
    for (const id of ['spring', 'other']) {
      await h.t.db.query(
        `insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, operators, hours)
         values ($1, $1, 'dialog', 'outbound-routing', 'operator-call', '["101","102"]', '{"from": "09:00", "to": "21:00", "days": [1,2,3,4,5]}')`,
        [id],
      );
    }
    await call('spring', 'operator', '101', 1, 0, 'answered', 100);
    await call('spring', 'customer', '101', 1, 0, 'answered', 90);
    await call('spring', 'operator', '102', 2, 1, 'busy');
    await call('spring', 'operator', '102', 2, 6, 'answered', 40);
    await call('spring', 'customer', '102', 2, 6, 'noAnswer');
    await call('spring', 'customer', '102', 3, 10, 'answered', 30);
    await call('spring', 'customer', '101', 4, 60, 'failed');
    await call('spring', 'customer', '101', 5, 61, null);
    await call('other', 'customer', '101', 9, 0, 'answered', 500);

    const all = await h.runtime.outboundTasks.callStats('spring');
    expect(all.customers).toEqual({
      calls: 5,
      answered: 2,
      busy: 0,
      noAnswer: 1,
      failed: 1,
      inProgress: 1,
      subscribersCalled: 5,
      answerRate: 0.5,
      talkSeconds: { total: 120, average: 60 },
    });
    expect(all.operators).toEqual({ calls: 3, answered: 2, busy: 1, noAnswer: 0, failed: 0, inProgress: 0 });
    expect(all.byOperator).toEqual([
      { operator: '101', calls: 3, answered: 1, busy: 0, noAnswer: 0, failed: 1, inProgress: 1, talkSeconds: 90 },
      { operator: '102', calls: 2, answered: 1, busy: 0, noAnswer: 1, failed: 0, inProgress: 0, talkSeconds: 30 },
    ]);

    const firstHour = await h.runtime.outboundTasks.callStats('spring', { from: new Date(T0), to: new Date(T0 + 60 * MIN) });
    expect(firstHour.customers).toMatchObject({ calls: 3, answered: 2, subscribersCalled: 3, answerRate: 0.667 });

    await h.t.db.query(
      `insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, operators, hours)
       values ('quiet', 'quiet', 'dialog', 'outbound-routing', 'operator-call', '[]', '{"from": "09:00", "to": "21:00", "days": [1]}')`,
    );
    expect((await h.runtime.outboundTasks.callStats('quiet')).customers).toMatchObject({
      calls: 0,
      answerRate: null,
      talkSeconds: { total: 0, average: null },
    });
    await expect(h.runtime.outboundTasks.callStats('nope')).rejects.toMatchObject({ status: 404 });
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { Runtime } from './runtime.ts';
import { doc, T0, useHarness, type Harness, startEnd } from './test-support.ts';

const DAY = 86_400_000;

describe.each(DATABASE_KINDS)('pruning finished executions on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });
  const count = async (table: string) => (await h.t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

  it.skipIf(skip)('deletes finished executions with their trace and effects once they are older than the retention, and keeps the rest', async () => {
    await h.publish(
      doc(
        'quick',
        [
          { id: 'start', type: 'start' },
          { id: 'w', type: 'wait', params: { seconds: 0 } },
          { id: 'end', type: 'end' },
        ],
        [
          ['start:next', 'w'],
          ['w:next', 'end'],
        ],
      ),
    );
    await h.publish(
      doc(
        'slow',
        [
          { id: 'start', type: 'start' },
          { id: 'w', type: 'wait', params: { seconds: 90 * 86_400 } },
          { id: 'end', type: 'end' },
        ],
        [
          ['start:next', 'w'],
          ['w:next', 'end'],
        ],
      ),
    );
    const old = await Promise.all([h.runtime.start('quick'), h.runtime.start('quick'), h.runtime.start('quick')]);
    const slow = await h.runtime.start('slow');
    await h.runtime.drain();
    await h.t.db.query(
      `insert into call_history (execution_id, step, kind, number, call_id, started_at) values ($1, 2, 'customer', '+79000000000', 'c1', $2)`,
      [old[0], new Date(T0)],
    );
    await h.runtime.serviceTasks.create({ id: 'job', name: 'Job', scenarioId: 'quick', schedule: '0 0 * * * *', enabled: false });
    await h.t.db.query(`insert into service_task_runs (task_id, scheduled_for, outcome, execution_id) values ('job', $1, 'started', $2)`, [
      new Date(T0),
      old[0],
    ]);
    // A run as old whose execution still goes stays (the overlap check reads it).
    await h.t.db.query(`insert into service_task_runs (task_id, scheduled_for, outcome, execution_id) values ('job', $1, 'started', $2)`, [
      new Date(T0 + 1000),
      slow,
    ]);

    await h.advance(31 * DAY);
    const fresh = await h.runtime.start('quick');
    await h.runtime.drain();
    expect(await h.runtime.prune()).toEqual({ executions: 3, runs: 1, idle: 0 });

    const left = (await h.runtime.executions({ limit: 100 })).map((x) => x.id).sort();
    expect(left).toEqual([slow, fresh].sort());
    expect(await count(`execution_steps where execution_id = any('{${old.join(',')}}'::uuid[])`)).toBe(0);
    expect(await count(`effects where execution_id = any('{${old.join(',')}}'::uuid[])`)).toBe(0);
    expect(await count('call_history')).toBe(1); // business data: kept
    expect((await h.runtime.serviceTasks.runs('job')).map((r) => r.executionId)).toEqual([slow]);
    expect((await h.runtime.execution(slow)).status).toBe('waiting');
    expect(await h.runtime.prune()).toEqual({ executions: 0, runs: 0, idle: 0 });
  });

  it.skipIf(skip)('prunes from the service tick, hourly, in the background; keeps everything when told to', async () => {
    await h.publish(startEnd('quick'));
    await h.runtime.start('quick');
    await h.runtime.drain();
    await h.clock.advance(2 * DAY);
    const forever = new Runtime({ db: h.t.db, telephony: h.sim, clock: h.clock, keepFinishedMs: null });
    await forever.tick();
    await forever.close();
    expect(await count('executions')).toBe(1);

    const daily = new Runtime({ db: h.t.db, telephony: h.sim, clock: h.clock, keepFinishedMs: DAY });
    await daily.tick();
    await daily.close(); // waits for the prune the tick started
    expect(await count('executions')).toBe(0);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { doc, T0, useHarness, type Harness } from '../test-support.ts';
import { Scheduler } from './scheduler.ts';

/** A service scenario that takes `seconds` to run. */
const job = (seconds: number) =>
  doc(
    'job',
    [
      { id: 'start', type: 'start' },
      { id: 'work', type: 'wait', params: { seconds } },
      { id: 'end', type: 'end' },
    ],
    [
      ['start:next', 'work'],
      ['work:next', 'end'],
    ],
  );

describe.each(DATABASE_KINDS)('service tasks on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });

  const runs = async () =>
    (await h.runtime.serviceTasks.runs('every5'))
      .map((r) => `${(r.scheduledFor.getTime() - T0) / 1000}s ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`)
      .reverse();

  it.skipIf(skip)('runs a task every 5 seconds, each period once', async () => {
    await h.publish(job(1));
    await h.runtime.serviceTasks.create({ id: 'every5', name: 'Every 5 s', scenarioId: 'job', schedule: '*/5 * * * * *', enabled: true });
    await h.clock.advance(4_000);
    expect(await h.runtime.tick()).toMatchObject({ started: 0, skipped: 0 });
    await h.clock.advance(1_000);
    expect(await h.runtime.tick()).toMatchObject({ started: 1, skipped: 0 });
    expect(await h.runtime.tick()).toMatchObject({ started: 0, skipped: 0 });
    await h.advance(5_000);
    await h.runtime.tick();
    await h.advance(2_000);
    expect(await runs()).toEqual(['5s started', '10s started']);
    const [latest] = await h.runtime.serviceTasks.runs('every5');
    expect(latest?.executionStatus).toBe('completed');
  });

  it.skipIf(skip)('skips a period while the previous run is still going', async () => {
    await h.publish(job(12));
    await h.runtime.serviceTasks.create({ id: 'every5', name: 'Every 5 s', scenarioId: 'job', schedule: '*/5 * * * * *', enabled: true });
    for (let i = 0; i < 4; i++) {
      await h.clock.advance(5_000);
      await h.runtime.drain();
      await h.runtime.tick();
      await h.runtime.drain();
    }
    expect(await runs()).toEqual([
      '5s started',
      '10s skipped (the previous run is still going)',
      '15s skipped (the previous run is still going)',
      '20s started',
    ]);
  });

  it.skipIf(skip)('after downtime, skips the missed periods or runs once, as the task says', async () => {
    await h.publish(job(1));
    await h.runtime.serviceTasks.create({ id: 'every5', name: 'Every 5 s', scenarioId: 'job', schedule: '*/5 * * * * *', enabled: true });
    await h.runtime.serviceTasks.create({ id: 'catchup', name: 'Catch up', scenarioId: 'job', schedule: '*/5 * * * * *', enabled: true, missed: 'runOnce' });
    h.clock.set(T0 + 3_600_000 + 2_000); // an hour without any process running
    await h.runtime.tick();
    expect(await runs()).toEqual(['3595s skipped (719 period(s) missed while no process was running)', '3600s started']);
    const catchup = await h.runtime.serviceTasks.runs('catchup');
    expect(catchup.map((r) => [r.outcome, r.reason])).toEqual([['started', 'also covers 719 period(s) missed while no process was running']]);
    // Back to normal afterwards.
    await h.advance(3_000);
    expect(await h.runtime.tick()).toMatchObject({ started: 2, skipped: 0 });

    // A daily task found an hour late: nothing is current, so the missed policy alone decides.
    await h.runtime.serviceTasks.create({ id: 'daily', name: 'Daily', scenarioId: 'job', schedule: '0 0 8 * * *', enabled: true, missed: 'runOnce' });
    h.clock.set(Date.UTC(2026, 10, 23, 9, 0, 0));
    await h.runtime.tick();
    const daily = await h.runtime.serviceTasks.runs('daily');
    expect(daily.map((r) => [r.scheduledFor.toISOString(), r.outcome, r.reason])).toEqual([
      ['2026-11-23T08:00:00.000Z', 'started', '1 period(s) missed while no process was running'],
    ]);
  });

  it.skipIf(skip)('runs each period once when many schedulers race for it', async () => {
    await h.publish(job(1));
    await h.runtime.serviceTasks.create({ id: 'every5', name: 'Every 5 s', scenarioId: 'job', schedule: '*/5 * * * * *', enabled: true, overlap: 'allow' });
    const schedulers = Array.from({ length: 6 }, () => new Scheduler({ db: h.t.db, scenarios: h.runtime.scenarios }));
    let started = 0;
    for (let i = 1; i <= 5; i++) {
      const results = await Promise.all(schedulers.map((s) => s.tick(T0 + i * 5_000 + 100)));
      started += results.reduce((n, r) => n + r.started, 0);
    }
    expect(started).toBe(5);
    const { rows } = await h.t.db.query<{ n: number; periods: number }>(
      "select count(*)::int as n, count(distinct scheduled_for)::int as periods from service_task_runs where task_id = 'every5'",
    );
    expect(rows[0]).toEqual({ n: 5, periods: 5 });
    expect((await h.t.db.query<{ n: number }>('select count(*)::int as n from executions')).rows[0]!.n).toBe(5);
  });

  it.skipIf(skip)('rejects a bad schedule naming the field, runs now on request, lists runs', async () => {
    await h.publish(job(1));
    await expect(h.runtime.serviceTasks.create({ id: 'bad', name: 'Bad', scenarioId: 'job', schedule: '*/5 * * *  nope' })).rejects.toMatchObject({
      status: 400,
      details: { issues: [expect.objectContaining({ path: 'schedule' })] },
    });
    await h.runtime.serviceTasks.create({ id: 'every5', name: 'Every 5 s', scenarioId: 'job', schedule: '*/5 * * * * *' });
    await h.clock.advance(20_000);
    expect(await h.runtime.tick()).toMatchObject({ started: 0, skipped: 0 }); // disabled
    const id = await h.runtime.runServiceTask('every5');
    await h.advance(1_000);
    expect((await h.runtime.execution(id)).status).toBe('completed');
    expect(await runs()).toEqual(['20s started (run now)']);
    const enabled = await h.runtime.serviceTasks.update('every5', { enabled: true });
    expect(enabled.enabled).toBe(true);
    await h.clock.advance(5_000);
    expect(await h.runtime.tick()).toMatchObject({ started: 1, skipped: 0 });
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { grantToScenarios } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { installBundled } from './bundled.ts';
import { Runtime } from './runtime.ts';
import { doc, useHarness, type Harness } from './test-support.ts';

const MINUTE = 60_000;

describe.each(DATABASE_KINDS)('idle executions of service tasks on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });
  const idleOf = async (id: string) => (await h.runtime.execution(id)).idle;
  /** The execution the task's latest run started. */
  const latestRun = async (task: string) => (await h.runtime.serviceTasks.runs(task, 1))[0]!.executionId!;
  /** One period of a task that runs every 5 s: ticks and lets everything it started finish what it can. */
  const period = async () => {
    await h.clock.advance(5_000);
    await h.runtime.tick();
    await h.runtime.drain();
  };

  it.skipIf(skip)('a callback monitor tick with nothing due is idle and hidden; one that started a call is not', async () => {
    await installBundled(h.runtime);
    await h.runtime.serviceTasks.update('callback-monitor', { enabled: true });
    await period();
    const nothingDue = await latestRun('callback-monitor');
    expect(await h.runtime.execution(nothingDue)).toMatchObject({ status: 'completed', idle: true });
    expect(await h.runtime.executions()).toEqual([]);
    expect(await h.runtime.stores.executions.hiddenIdle()).toBe(1);
    expect((await h.runtime.executions({ idle: 'include' })).map((x) => [x.id, x.idle])).toEqual([[nothingDue, true]]);
    expect((await h.runtime.executions({ idle: 'only', scenarioId: 'callback-monitor' })).map((x) => x.id)).toEqual([nothingDue]);
    expect(await h.runtime.stores.executions.hiddenIdle({ scenarioId: 'operator-call' })).toBe(0);

    // A callback falls due: this tick claims it and starts the operator call.
    await h.runtime.outboundTasks.create({ id: 'spring', operators: ['101'] });
    await h.runtime.outboundTasks.setState('spring', 'running');
    await h.t.db.query(
      `insert into table_out_call (tel, status, callaftermin, date_call, operator_number, task_id) values ('+79001112233', 10, 5, $1, '101', 'spring')`,
      [new Date(h.clock.now() - 10 * MINUTE)],
    );
    await period();
    const called = await latestRun('callback-monitor');
    expect(await h.runtime.execution(called)).toMatchObject({ status: 'completed', idle: false });
    const listed = await h.runtime.executions();
    expect(listed.map((x) => x.scenarioId).sort()).toEqual(['callback-monitor', 'operator-call']);
    expect(listed.every((x) => !x.idle)).toBe(true);
    expect(await h.runtime.stores.executions.hiddenIdle()).toBe(1);
  });

  it.skipIf(skip)('only a completed scheduled run whose every effect changed nothing is idle', async () => {
    await h.t.db.query('create table idle_probe (n int)');
    await grantToScenarios(h.t.db, 'idle_probe');
    // start → update (touches a row only when input.touch) → wait only when input.pause → end.
    await h.publish(
      doc(
        'probe',
        [
          {
            id: 'start',
            type: 'start',
            params: {
              inputs: [
                { name: 'touch', type: 'boolean', default: false },
                { name: 'pause', type: 'boolean', default: false },
                { name: 'fail', type: 'boolean', default: false },
              ],
            },
          },
          { id: 'touch', type: 'sql', params: { query: 'update idle_probe set n = n + 1 where :touch', params: { touch: { var: 'touch' } }, result: 'none' } },
          { id: 'pauseQ', type: 'branch', params: { condition: { var: 'pause' } } },
          { id: 'wait', type: 'wait', params: { seconds: 1 } },
          { id: 'failQ', type: 'branch', params: { condition: { var: 'fail' } } },
          { id: 'failed', type: 'end', params: { status: 'failed', reason: 'asked to' } },
          { id: 'end', type: 'end' },
        ],
        [
          ['start:next', 'touch'],
          ['touch:ok', 'pauseQ'],
          ['touch:empty', 'pauseQ'],
          ['pauseQ:true', 'wait'],
          ['pauseQ:false', 'failQ'],
          ['wait:next', 'failQ'],
          ['failQ:true', 'failed'],
          ['failQ:false', 'end'],
        ],
      ),
    );
    await h.t.db.query('insert into idle_probe (n) values (0)');
    const every5 = (id: string, input: Record<string, boolean>) =>
      h.runtime.serviceTasks.create({ id, name: id, scenarioId: 'probe', schedule: '*/5 * * * * *', enabled: true, input });
    await every5('quiet', {});
    await every5('touches', { touch: true });
    await every5('pauses', { pause: true });
    await every5('fails', { fail: true });
    await period();
    await h.advance(1_000); // the pause
    expect(await idleOf(await latestRun('quiet'))).toBe(true);
    expect(await idleOf(await latestRun('touches'))).toBe(false); // its update affected a row
    expect(await idleOf(await latestRun('pauses'))).toBe(false); // a timer
    expect(await idleOf(await latestRun('fails'))).toBe(false); // failed: worth seeing
    // "Run now" is someone's request: never idle.
    const byHand = await h.runtime.runServiceTask('quiet');
    await h.runtime.drain();
    expect(await h.runtime.execution(byHand)).toMatchObject({ status: 'completed', idle: false });
  });

  it.skipIf(skip)(
    'retention deletes idle executions after an hour (keepIdleMs; null keeps them as long as the others), the others after their own period',
    async () => {
      await installBundled(h.runtime);
      await h.runtime.serviceTasks.update('callback-monitor', { enabled: true });
      await h.publish(
        doc(
          'plain',
          [
            { id: 'start', type: 'start' },
            { id: 'end', type: 'end' },
          ],
          [['start:next', 'end']],
        ),
      );
      await period();
      const idle = await latestRun('callback-monitor');
      await h.runtime.serviceTasks.update('callback-monitor', { enabled: false });
      const plain = await h.runtime.start('plain');
      await h.runtime.drain();

      await h.clock.advance(59 * MINUTE);
      expect(await h.runtime.prune()).toEqual({ executions: 0, runs: 0, idle: 0 });
      await h.clock.advance(2 * MINUTE);
      const keepsIdle = new Runtime({ db: h.t.db, telephony: h.sim, clock: h.clock, keepIdleMs: null });
      expect(await keepsIdle.prune()).toEqual({ executions: 0, runs: 0, idle: 0 });
      await keepsIdle.close();
      expect(await h.runtime.prune()).toEqual({ executions: 0, runs: 0, idle: 1 });
      expect((await h.runtime.executions({ idle: 'include' })).map((x) => x.id)).toEqual([plain]);
      await expect(h.runtime.execution(idle)).rejects.toMatchObject({ status: 404 });
    },
  );
});

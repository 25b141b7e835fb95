import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { doc, useHarness, type Harness } from '../test-support.ts';

/** A service scenario; `inputs` are its start node's declared inputs. */
const job = (inputs: Record<string, unknown>[] = []) =>
  doc(
    'job',
    [
      { id: 'start', type: 'start', params: { inputs } },
      { id: 'end', type: 'end' },
    ],
    [['start:next', 'end']],
  );
const BATCH = { name: 'batch', type: 'number', required: true };
const task = (extra: Record<string, unknown> = {}) => ({ id: 'every5', name: 'Every 5 s', scenarioId: 'job', schedule: '*/5 * * * * *', ...extra });
const issue = (path: string, message: string) => ({ severity: 'error', path, message });

describe.each(DATABASE_KINDS)('what a service task runs is checked on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });
  const tasks = () => h.runtime.serviceTasks;

  it.skipIf(skip)('create: the scenario exists and is published, its required inputs are given with the declared types', async () => {
    await expect(tasks().create(task({ scenarioId: 'nosuch' }))).rejects.toMatchObject({
      status: 400,
      message: 'service task "every5" cannot run: scenarioId: scenario "nosuch" does not exist',
      details: { issues: [issue('scenarioId', 'scenario "nosuch" does not exist')] },
    });
    await h.runtime.scenarios.save(job([BATCH, { name: 'label', type: 'string' }, { name: 'size', type: 'number', required: true, default: 5 }]));
    await expect(tasks().create(task())).rejects.toMatchObject({
      status: 400,
      details: { issues: [issue('scenarioId', 'scenario "job" has no published version')] },
    });
    await h.runtime.scenarios.publish('job');
    // Disabled or not: a task is saved to be run.
    for (const enabled of [false, true]) {
      await expect(tasks().create(task({ enabled }))).rejects.toMatchObject({
        status: 400,
        message: 'service task "every5" cannot run: input.batch: required input of scenario "job" is missing',
        details: { issues: [issue('input.batch', 'required input of scenario "job" is missing')] },
      });
    }
    await expect(tasks().create(task({ input: { batch: 'ten', label: 7 } }))).rejects.toMatchObject({
      status: 400,
      details: { issues: [issue('input.batch', 'must be a number, not "ten"'), issue('input.label', 'must be text, not 7')] },
    });
    expect(await tasks().list()).toEqual([]);
    // `size` has a default: it need not be given.
    expect(await tasks().create(task({ input: { batch: 10 } }))).toMatchObject({ id: 'every5', input: { batch: 10 } });
  });

  it.skipIf(skip)('update and enable check the task as changed; a disabled task can always be renamed or kept off', async () => {
    await h.publish(job());
    await tasks().create(task({ enabled: true }));
    // A new version wants an input the task does not give.
    await h.publish(job([BATCH]));
    await expect(tasks().update('every5', { schedule: '*/10 * * * * *' })).rejects.toMatchObject({
      status: 400,
      details: { issues: [issue('input.batch', 'required input of scenario "job" is missing')] },
    });
    expect(await tasks().update('every5', { enabled: false, name: 'Off for now' })).toMatchObject({ enabled: false, name: 'Off for now' });
    await expect(tasks().update('every5', { enabled: true })).rejects.toMatchObject({ status: 400 });
    await expect(tasks().update('every5', { input: { batch: true } })).rejects.toMatchObject({
      details: { issues: [issue('input.batch', 'must be a number, not true')] },
    });
    await expect(tasks().update('every5', { scenarioId: 'nosuch' })).rejects.toMatchObject({
      details: { issues: [issue('scenarioId', 'scenario "nosuch" does not exist')] },
    });
    expect(await tasks().get('every5')).toMatchObject({ enabled: false, scenarioId: 'job', input: {}, schedule: '*/5 * * * * *' });
    expect(await tasks().update('every5', { enabled: true, input: { batch: 50 } })).toMatchObject({ enabled: true, input: { batch: 50 } });
  });

  it.skipIf(skip)('a period whose task lacks an input of the published version fails with the reason and starts nothing', async () => {
    await h.publish(job());
    await tasks().create(task({ enabled: true }));
    await h.publish(job([BATCH]));
    await h.clock.advance(5_000);
    expect(await h.runtime.tick()).toMatchObject({ started: 0 });
    expect((await tasks().runs('every5')).map((r) => [r.outcome, r.reason, r.executionId])).toEqual([['failed', 'missing required input "batch"', null]]);
    expect(await h.runtime.executions()).toEqual([]);
  });
});

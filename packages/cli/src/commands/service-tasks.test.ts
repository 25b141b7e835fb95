import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { doc, useHarness } from '@tellflow/runtime/testing';
import { useProductDatabaseOf } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { serviceTasks } from './service-tasks.ts';

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

describe.each(DATABASE_KINDS)('tellflow service-tasks on %s', (kind) => {
  const { h, skip } = useHarness(kind);
  useProductDatabaseOf(() => h().t.db);
  const run = async (...args: string[]) => {
    const io = fakeIo();
    const code = await serviceTasks.run(args, io);
    return { code, out: io.out, err: io.err };
  };
  const create = (...extra: string[]) => run('create', 'nightly', '--schedule', '*/5 * * * * *', ...extra);

  it.skipIf(skip)('refuses what the API refuses: no such scenario, not published, a required input missing or of the wrong type', async () => {
    expect(await create('--scenario', 'nosuch')).toEqual({
      code: 2,
      out: '',
      err: 'tellflow service-tasks: service task "nightly" cannot run: scenarioId: scenario "nosuch" does not exist\n  scenarioId: scenario "nosuch" does not exist\n',
    });
    await h().runtime.scenarios.save(job([{ name: 'batch', type: 'number', required: true }]));
    expect(await create('--scenario', 'job')).toMatchObject({ code: 2, err: expect.stringContaining('scenarioId: scenario "job" has no published version') });
    await h().runtime.scenarios.publish('job');
    expect(await create('--scenario', 'job')).toMatchObject({
      code: 2,
      err: expect.stringContaining('input.batch: required input of scenario "job" is missing'),
    });
    expect(await create('--scenario', 'job', '--input', '{"batch": "ten"}')).toMatchObject({
      code: 2,
      err: expect.stringContaining('input.batch: must be a number, not "ten"'),
    });
    expect((await run('list')).out).toBe('no service tasks\n');
    expect(await create('--scenario', 'job', '--input', '{"batch": 10}', '--enable')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^created nightly enabled/),
    });
  });

  it.skipIf(skip)('enabling checks the task against the published version; disabling always works', async () => {
    await h().publish(job());
    expect((await create('--scenario', 'job')).code).toBe(0);
    await h().publish(job([{ name: 'batch', type: 'number', required: true }]));
    expect(await run('enable', 'nightly')).toMatchObject({ code: 2, err: expect.stringContaining('input.batch: required input of scenario "job" is missing') });
    expect(await run('disable', 'nightly')).toEqual({ code: 0, out: 'nightly disabled\n', err: '' });
  });
});

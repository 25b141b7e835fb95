import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { installBundled } from '@tellflow/runtime';
import { doc, useHarness } from '@tellflow/runtime/testing';
import { useProductDatabaseOf } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { executions } from './executions.ts';

/** start (batch: number, required; note: text) → double → end with the doubled batch. */
const doubler = doc(
  'doubler',
  [
    {
      id: 'start',
      type: 'start',
      params: {
        inputs: [
          { name: 'batch', type: 'number', required: true },
          { name: 'note', type: 'string' },
        ],
      },
    },
    { id: 'double', type: 'setVariables', params: { assign: [{ name: 'd', value: { '*': [{ var: 'batch' }, 2] } }] } },
    { id: 'end', type: 'end', params: { result: { var: 'd' } } },
  ],
  [
    ['start:next', 'double'],
    ['double:next', 'end'],
  ],
);

describe.each(DATABASE_KINDS)('tellflow executions on %s', (kind) => {
  const { h, skip } = useHarness(kind);
  useProductDatabaseOf(() => h().t.db);
  const run = async (...args: string[]) => {
    const io = fakeIo();
    const code = await executions.run(args, io);
    return { code, out: io.out, err: io.err };
  };

  it.skipIf(skip)('retry checks the input as start does and takes inputs anew with --input NAME=TEXT or NAME:=JSON', async () => {
    await h().publish(doubler);
    // As a service task started it before tasks were checked: no input, so it failed at its start node.
    const { rows } = await h().t.db.query<{ id: string }>(
      `insert into executions (scenario_id, version, status, input, run_at, created_at, updated_at) values ('doubler', 1, 'running', '{}', $1, $1, $1) returning id`,
      [new Date(h().clock.now())],
    );
    const id = rows[0]!.id;
    await h().runtime.drain();

    expect(await run('retry', id)).toEqual({
      code: 2,
      out: '',
      err: `tellflow executions: cannot retry execution "${id}": missing required input "batch"\n`,
    });
    expect(await run('retry', id, '--input', 'batch=7')).toMatchObject({
      code: 2,
      err: expect.stringContaining('invalid input "batch" must be a number, not "7"'),
    });
    expect(await run('retry', id, '--input', 'batch:=seven')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--input "batch:=seven": "seven" is not JSON (for text, write batch=TEXT)'),
    });
    expect(await run('retry', id, '--input', 'batch')).toMatchObject({ code: 2, err: expect.stringContaining('expected NAME=TEXT or NAME:=JSON') });
    expect((await h().runtime.executions({ scenarioId: 'doubler' })).map((x) => x.id)).toEqual([id]);

    const retried = await run('retry', id, '--input', 'batch:=7', '--input', 'note=a=b c');
    expect(retried).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^retrying ${id} as [0-9a-f-]{36}\\n$`)) });
    // The CLI stamps rows with the system clock: the harness's catches up to when the retry is due.
    h().clock.set(Math.max(h().clock.now(), Date.now()));
    await h().runtime.drain();
    const newId = retried.out.trim().split(' ').pop()!;
    expect(await h().runtime.execution(newId)).toMatchObject({ status: 'completed', result: 14, input: { batch: 7, note: 'a=b c' } });
  });

  it.skipIf(skip)('list leaves out idle service-task executions and says how many; --all lists them, marked', async () => {
    await installBundled(h().runtime);
    await h().runtime.serviceTasks.update('callback-monitor', { enabled: true });
    await h().clock.advance(5_000);
    await h().runtime.tick();
    await h().runtime.drain();
    const [idle] = await h().runtime.executions({ idle: 'only' });
    expect(await run('list')).toEqual({ code: 0, out: 'no executions\n(1 idle execution of service tasks not shown: --all lists them)\n', err: '' });
    const all = await run('list', '--all');
    expect(all.out).toMatch(new RegExp(`^ID .*\n${idle!.id}\\s+callback-monitor v1\\s+completed \\(idle\\)\\s+`));
    expect(all.out).not.toContain('not shown');
    expect((await run('list', '--status', 'failed')).out).toBe('no executions\n');
  });
});

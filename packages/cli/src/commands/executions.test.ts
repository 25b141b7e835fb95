import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@tellflow/clock';
import { openDatabase } from '@tellflow/db';
import { Runtime } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { fakeIo } from '../test-io.ts';
import { executions } from './executions.ts';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** Opens the product database, lets `fn` use a runtime on it (its clock at `at`), drains, and closes it again. */
async function withProduct<T>(at: number, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const db = await openDatabase();
  const clock = new ManualClock(at);
  const sim = new TelephonySimulator({ clock, rules: {} });
  const rt = new Runtime({ db, telephony: sim, clock });
  try {
    const out = await fn(rt);
    await rt.drain();
    return out;
  } finally {
    await rt.close();
    sim.dispose();
    await db.close();
  }
}

describe('tellflow executions', () => {
  const saved = process.env.TELLFLOW_DATA_DIR;
  let failed: string;
  let waiting: string;
  beforeAll(async () => {
    process.env.TELLFLOW_DATA_DIR = mkdtempSync(join(tmpdir(), 'tellflow-cli-executions-'));
    [failed, waiting] = await withProduct(T0, async (rt) => {
      const { version } = await rt.scenarios.save({
        format: 'tellflow.scenario/v1',
        id: 'half',
        name: 'Half',
        kind: 'service',
        nodes: [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number', required: true }] } },
          { id: 'half', type: 'setVariables', params: { assign: [{ name: 'h', value: { '/': [{ var: 'n' }, 2] } }] } },
          { id: 'odd', type: 'branch', params: { condition: { '==': [{ '%': [{ var: 'n' }, 2] }, 1] } } },
          { id: 'pause', type: 'wait', params: { seconds: 60 } },
          { id: 'done', type: 'end', params: { result: { var: 'h' } } },
          { id: 'refuse', type: 'end', params: { status: 'failed', reason: 'n is odd' } },
        ],
        edges: [
          { source: 'start', sourceHandle: 'next', target: 'half' },
          { source: 'half', sourceHandle: 'next', target: 'odd' },
          { source: 'odd', sourceHandle: 'true', target: 'refuse' },
          { source: 'odd', sourceHandle: 'false', target: 'pause' },
          { source: 'pause', sourceHandle: 'next', target: 'done' },
        ],
      });
      await rt.scenarios.publish('half', version.version);
      return [await rt.start('half', { input: { n: 3 } }), await rt.start('half', { input: { n: 4 } })];
    });
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TELLFLOW_DATA_DIR;
    else process.env.TELLFLOW_DATA_DIR = saved;
  });
  const run = async (...args: string[]) => {
    const io = fakeIo();
    const code = await executions.run(args, io);
    return { code, out: io.out, err: io.err };
  };

  it('lists executions and shows one with its steps and effects', async () => {
    const list = await run('list', '--scenario', 'half');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`${failed}\\s+half v1\\s+failed\\s+2026-11-22T09:00:00.000Z\\s+n is odd`));
    expect(list.out).toMatch(new RegExp(`${waiting}\\s+half v1\\s+waiting`));
    expect((await run('list', '--status', 'completed')).out).toBe('no executions\n');

    const shown = await run('show', waiting);
    expect(shown.out.split('\n')).toEqual([
      `${waiting}  half v1  waiting`,
      'created 2026-11-22T09:00:00.000Z',
      'input {"n":4}',
      'waiting at step 4 (pause) for timer',
      'steps',
      '   1  start  start         next',
      '   2  half   setVariables  next   set {"h":2}',
      '   3  odd    branch        false',
      'effects',
      '   4  pause  timer  pending',
      '',
    ]);
  });

  it('retries a failed execution from a step and cancels a waiting one', async () => {
    expect(await run('retry', waiting)).toMatchObject({
      code: 1,
      err: `tellflow executions: execution "${waiting}" is still waiting: cancel it before retrying it\n`,
    });
    expect(await run('cancel', waiting, '--reason', 'test over')).toEqual({ code: 0, out: `cancelling ${waiting}\n`, err: '' });
    const retried = await run('retry', failed, '--from-step', '3');
    expect(retried.out).toMatch(new RegExp(`^retrying ${failed} as ([0-9a-f-]{36})\\n$`));
    const newId = /as ([0-9a-f-]{36})/.exec(retried.out)![1]!;

    // The command wrote at the real time; a running server would act on it: here a drain does.
    await withProduct(Date.now() + 1_000, async () => {});
    const shown = await run('show', newId);
    expect(shown.out).toContain(`retry of ${failed} from step 3 (odd)`);
    expect(shown.out).toContain('error n is odd');
    const cancelled = (await run('show', waiting)).out;
    expect(cancelled.split('\n')[0]).toBe(`${waiting}  half v1  cancelled`);
    expect(cancelled).toContain('error test over');
    expect((await run('cancel', waiting)).code).toBe(1);
  });

  it('says what is wrong with the arguments', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('show')).err).toMatch(/^tellflow executions: "show" needs an execution id/);
    expect((await run('show', 'abc')).err).toMatch(/"abc" is not an execution id \(a UUID\)/);
    expect(await run('show', '00000000-0000-0000-0000-000000000000')).toMatchObject({
      code: 1,
      err: 'tellflow executions: execution "00000000-0000-0000-0000-000000000000" not found\n',
    });
    expect((await run('list', '--status', 'done')).err).toMatch(/--status must be one of running, waiting, completed, failed, cancelled/);
    expect((await run('list', '--limit', '0')).code).toBe(2);
    expect((await run('retry', failed, '--from-step', 'x')).err).toMatch(/--from-step must be a step number/);
    expect((await run('retry', failed, '--from-step', '9')).err).toMatch(/has no step 9: its steps are 1, 2, 3, 4/);
    expect((await run('frobnicate', failed)).err).toMatch(/unknown action "frobnicate"/);
  });
});

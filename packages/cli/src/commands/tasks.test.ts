import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@tellflow/db';
import { installBundled, Runtime } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { systemClock } from '@tellflow/clock';
import { fakeIo } from '../test-io.ts';
import { serviceTasks } from './service-tasks.ts';
import { tasks } from './tasks.ts';

describe('tellflow service-tasks and tasks', () => {
  const saved = process.env.TELLFLOW_DATA_DIR;
  beforeAll(async () => {
    process.env.TELLFLOW_DATA_DIR = mkdtempSync(join(tmpdir(), 'tellflow-cli-tasks-'));
    const db = await openDatabase();
    const sim = new TelephonySimulator({ clock: systemClock, rules: {} });
    const rt = new Runtime({ db, telephony: sim });
    await installBundled(rt);
    await rt.close();
    sim.dispose();
    await db.close();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TELLFLOW_DATA_DIR;
    else process.env.TELLFLOW_DATA_DIR = saved;
  });
  const run = async (cmd: typeof tasks, ...args: string[]) => {
    const io = fakeIo();
    const code = await cmd.run(args, io);
    return { code, out: io.out, err: io.err };
  };

  it('lists the bundled callback monitor, enables it, runs it now and shows the run', async () => {
    expect((await run(serviceTasks, 'list')).out).toMatch(/callback-monitor\s+disabled\s+\*\/5 \* \* \* \* \*\s+callback-monitor/);
    expect(await run(serviceTasks, 'enable', 'callback-monitor')).toMatchObject({ code: 0, out: 'callback-monitor enabled\n' });
    const started = await run(serviceTasks, 'run', 'callback-monitor');
    expect(started.out).toMatch(/^started execution [0-9a-f-]{36}\n$/);
    expect((await run(serviceTasks, 'runs', 'callback-monitor')).out).toMatch(/started\s+[0-9a-f-]{36}\s+running\s+run now/);
    expect(await run(serviceTasks, 'create', 'nightly', '--scenario', 'callback-monitor', '--schedule', 'every day')).toMatchObject({
      code: 2,
      err: expect.stringContaining('schedule'),
    });
    expect(await run(serviceTasks, 'enable', 'nope')).toMatchObject({ code: 1, err: expect.stringContaining('service task "nope" not found') });
  });

  it('creates, starts and stops an outbound task and shows its progress', async () => {
    const created = await run(tasks, 'create', 'spring', '--operators', '101,102', '--hours', '09:00-21:00', '--days', '1-5', '--tz', 'Europe/Moscow');
    expect(created).toMatchObject({
      code: 0,
      out: 'created outbound task spring (operators 101, 102, 09:00-21:00 Europe/Moscow, duplicate phone numbers: reject)\n',
    });
    expect((await run(tasks, 'start', 'spring')).out).toBe('spring running\n');
    expect((await run(tasks, 'list')).out).toMatch(/spring\s+running\s+101,102\s+09:00-21:00 Europe\/Moscow/);
    expect((await run(tasks, 'progress', 'spring')).out).toBe('no subscribers yet\n');
    expect((await run(tasks, 'stop', 'spring')).out).toBe('spring stopped\n');
    expect(await run(tasks, 'create', 'bad', '--operators', '1', '--tz', 'Mars/Base')).toMatchObject({ code: 2, err: expect.stringContaining('time zone') });
  });

  it('sets the duplicate phone number policy on create and update; update changes only what it is given', async () => {
    expect(await run(tasks, 'create', 'summer', '--operators', '101', '--duplicate-phones', 'allow')).toMatchObject({
      code: 0,
      out: 'created outbound task summer (operators 101, all day UTC, duplicate phone numbers: allow)\n',
    });
    expect(await run(tasks, 'update', 'summer', '--duplicate-phones', 'skip', '--tz', 'Europe/Moscow')).toMatchObject({
      code: 0,
      out: 'updated outbound task summer (operators 101, all day Europe/Moscow, duplicate phone numbers: skip)\n',
    });
    expect(await run(tasks, 'create', 'winter', '--operators', '101', '--duplicate-phones', 'twice')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--duplicate-phones must be reject, skip or allow, not "twice"'),
    });
    expect(await run(tasks, 'update', 'nope', '--duplicate-phones', 'skip')).toMatchObject({
      code: 1,
      err: expect.stringContaining('outbound task "nope" not found'),
    });
  });

  it('prints how the calls of a task ended, for all time or a range', async () => {
    await run(tasks, 'create', 'autumn', '--operators', '101');
    expect((await run(tasks, 'stats', 'autumn')).out).toBe('no calls yet\n');
    const db = await openDatabase();
    try {
      const row = (k: string, at: string, outcome: string, talk: boolean) =>
        db.query(
          `insert into call_history (task_id, subscriber_id, execution_id, step, kind, operator, number, started_at, outcome, answered_at, ended_at)
           values ('autumn', 7, gen_random_uuid(), 1, $1, '101', '79001', $2::timestamptz, $3, case when $4 then $2::timestamptz end, case when $4 then $2::timestamptz + interval '45 seconds' end)`,
          [k, at, outcome, talk],
        );
      await row('operator', '2026-11-20T10:00:00Z', 'answered', false);
      await row('customer', '2026-11-20T10:00:10Z', 'answered', true);
      await row('customer', '2026-11-21T10:00:10Z', 'noAnswer', false);
    } finally {
      await db.close();
    }
    expect((await run(tasks, 'stats', 'autumn')).out.split('\n')).toEqual([
      'CALLS TO   CALLS  ANSWERED  BUSY  NO ANSWER  FAILED  IN PROGRESS',
      'customers  2      1         0     1          0       0',
      'operators  1      1         0     0          0       0',
      '1 subscriber(s) called; 50% of finished customer calls answered; talk time 45 s (45 s on average)',
      'OPERATOR  CALLS  ANSWERED  BUSY  NO ANSWER  FAILED  IN PROGRESS  TALK S',
      '101       2      1         0     1          0       0            45',
      '',
    ]);
    expect((await run(tasks, 'stats', 'autumn', '--since', '2026-11-21')).out).toContain('customers  1      0         0     1');
    expect(await run(tasks, 'stats', 'autumn', '--until', 'yesterday')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--until must be a date like 2026-11-01'),
    });
    expect(await run(tasks, 'stats', 'nope')).toMatchObject({ code: 1, err: expect.stringContaining('outbound task "nope" not found') });
  });
});

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
    // The CLI stamps with the system clock: whether it is inside the calling hours depends on when the test runs.
    // Starting enables the callback monitor. The CLI stamps with the system clock: whether it is inside the calling hours depends on when the test runs.
    expect((await run(tasks, 'start', 'spring')).out).toMatch(
      /^spring running\n(calling now|not calling: outside calling hours until (\w{3} )?09:00 Europe\/Moscow)\n$/,
    );
    expect((await run(tasks, 'list')).out).toMatch(/spring\s+running\s+101,102\s+09:00-21:00 Europe\/Moscow/);
    expect((await run(tasks, 'progress', 'spring')).out).toMatch(/^no subscribers yet\n(calling now|not calling: )/);
    expect((await run(tasks, 'stop', 'spring')).out).toMatch(/^spring stopped\nnot calling: stopped($|\n|; )/);
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
      const row = (k: string, operator: string, at: string, outcome: string | null, talk?: number | null) =>
        db.query(
          `insert into call_history (task_id, subscriber_id, execution_id, step, kind, operator, number, started_at, outcome, answered_at, ended_at)
           values ('autumn', 7, gen_random_uuid(), 1, $1, $2, '79001', $3::timestamptz, $4,
             case when $5::float8 is not null or $6 then $3::timestamptz + interval '5 seconds' end,
             case when $5::float8 is not null then $3::timestamptz + interval '5 seconds' + make_interval(secs => $5::float8) end)`,
          [k, operator, at, outcome, talk ?? null, talk === null],
        );
      await row('operator', '101', '2026-11-20T10:00:00Z', 'answered', 50);
      await row('customer', '101', '2026-11-20T10:00:10Z', 'answered', 45);
      await row('operator', '102', '2026-11-20T10:01:00Z', 'busy');
      await row('operator', '102', '2026-11-20T10:06:00Z', 'noAnswer');
      await row('customer', '101', '2026-11-21T10:00:10Z', 'noAnswer');
      await row('customer', '101', '2026-11-21T10:05:00Z', 'lost'); // rang when its process stopped
      await row('customer', '101', '2026-11-21T10:10:00Z', 'answered', null); // answered, and no end was ever seen
    } finally {
      await db.close();
    }
    expect((await run(tasks, 'stats', 'autumn')).out.split('\n')).toEqual([
      'CALLS TO          CALLS  ANSWERED  BUSY  NO ANSWER  FAILED  LOST  RINGING  ANSWER RATE',
      'customers         4      2         0     1          0       1     0        67%',
      'operators         3      1         1     1          0       0     0        33%',
      'operator 101      1      1         0     0          0       0     0        100%',
      'customers of 101  4      2         0     1          0       1     0        67%',
      'operator 102      2      0         1     1          0       0     0        0%',
      '',
      'ANSWERED          TIMED  TALK TIME  AVERAGE  TALKING  END UNKNOWN',
      'customers         1      45 s       45 s     0        1',
      'operators         1      50 s       50 s     0        0',
      'operator 101      1      50 s       50 s     0        0',
      'customers of 101  1      45 s       45 s     0        1',
      'operator 102      0      0 s        -        0        0',
      '',
      '1 subscriber(s) called',
      'LOST: no outcome ever came (its process stopped, or its execution ended, while it rang)',
      'END UNKNOWN: answered, but nobody saw the call end; not in the talk time',
      '',
    ]);
    const since = (await run(tasks, 'stats', 'autumn', '--since', '2026-11-21')).out;
    expect(since).toContain('customers         3      1         0     1          0       1     0        50%');
    expect(since).toContain('operators         0      0         0     0          0       0     0        -');
    expect(await run(tasks, 'stats', 'autumn', '--until', 'yesterday')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--until must be a date like 2026-11-01'),
    });
    expect(await run(tasks, 'stats', 'nope')).toMatchObject({ code: 1, err: expect.stringContaining('outbound task "nope" not found') });
  });
});

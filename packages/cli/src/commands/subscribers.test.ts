import { beforeEach, describe, expect, it } from 'vitest';
import { stores } from '@tellflow/runtime';
import { productDatabase } from '../databases.ts';
import { main } from '../main.ts';
import { useProductDatabase } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { subscribers, type SubscribersImportReport } from './subscribers.ts';

describe('tellflow subscribers', () => {
  useProductDatabase();

  beforeEach(async () => {
    const db = await productDatabase.open(process.env);
    try {
      await stores(db).outboundTasks.create({
        id: 'spring',
        name: 'Spring',
        dialogScenarioId: 'dialog',
        routingScenarioId: 'outbound-routing',
        operatorCallScenarioId: 'operator-call',
        operators: ['101'],
      });
    } finally {
      await db.close();
    }
  });

  async function run(args: string[], files: Record<string, string | Uint8Array> = {}) {
    const io = fakeIo(files);
    const code = await main(['subscribers', ...args], io);
    return { code, out: io.out, err: io.err };
  }

  async function stored(): Promise<Record<string, unknown>[]> {
    const db = await productDatabase.open(process.env);
    try {
      return (await db.query('select tel, first_name, comments, task_id from table_out_call order by "Id"')).rows;
    } finally {
      await db.close();
    }
  }

  it('shows its usage with --help', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, out: subscribers.usage, err: '' });
    expect(await run(['import', 'x.csv', '-h'])).toEqual({ code: 0, out: subscribers.usage, err: '' });
  });

  it('imports a file into the task and says how many rows it imported', async () => {
    const csv = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('Телефон;Имя;Комментарии\r\n+7 912 000-00-01;Анна;"a; b"\r\n8 (912) 000-00-02;Борис;\r\n'),
    ]);
    expect(await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': csv })).toEqual({
      code: 0,
      out: 'imported 2 subscribers into task spring\n',
      err: '',
    });
    expect(await stored()).toEqual([
      { tel: '+79120000001', first_name: 'Анна', comments: 'a; b', task_id: 'spring' },
      { tel: '89120000002', first_name: 'Борис', comments: null, task_id: 'spring' },
    ]);
  });

  it('lists bad rows with their lines and imports nothing, exit 1', async () => {
    const csv = 'tel,first_name\n79001,Ann\nabc,Bob\n"79003","multi\nline"\n79004,x,y\n';
    const r = await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': csv });
    expect(r).toEqual({
      code: 1,
      out: 'line 3: tel: "abc" is not a phone number\nline 6: has 3 fields, the header has 2\n2 bad rows of 4: nothing imported into task spring (--skip-bad-rows imports the good rows)\n',
      err: 'tellflow subscribers: nothing imported\n',
    });
    expect(await stored()).toEqual([]);
  });

  it('with --skip-bad-rows imports the good rows, still exit 1', async () => {
    const csv = 'tel,first_name\n79001,Ann\nabc,Bob\n79003,Cid\n';
    const r = await run(['import', 'list.csv', '--task', 'spring', '--skip-bad-rows'], { 'list.csv': csv });
    expect(r).toEqual({ code: 1, out: 'line 3: tel: "abc" is not a phone number\nimported 2 subscribers into task spring (1 bad row skipped)\n', err: '' });
    expect((await stored()).map((row) => row.tel)).toEqual(['79001', '79003']);
  });

  it('maps and ignores headers with --map and takes --delimiter', async () => {
    const csv = 'contact|who|notes|internal\n79001|Ann|hi|x\n';
    const failed = await run(['import', 'list.csv', '--task', 'spring', '--delimiter', '|'], { 'list.csv': csv });
    expect(failed.code).toBe(1);
    expect(failed.err).toBe(
      'tellflow subscribers: list.csv: line 1: the header: unknown columns "contact", "who", "internal" (map them to a subscriber column, or to null to ignore them); ' +
        'no tel column: the header must name the column with the phone numbers (tel, phone, telephone or number)\nnothing imported\n',
    );
    const r = await run(
      ['import', 'list.csv', '--task', 'spring', '--delimiter', '|', '--map', 'contact=tel', '--map', 'who=first_name', '--map', 'internal='],
      {
        'list.csv': csv,
      },
    );
    expect(r).toEqual({ code: 0, out: 'imported 1 subscriber into task spring\n', err: '' });
    expect(await stored()).toEqual([{ tel: '79001', first_name: 'Ann', comments: 'hi', task_id: 'spring' }]);
  });

  it('prints a JSON report with --json', async () => {
    const r = await run(['import', 'list.tsv', '--task', 'spring', '--json', '--skip-bad-rows', '--delimiter', 'tab'], {
      'list.tsv': 'tel\tstatus\n79001\t12\n79002\tbusy\n',
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      task: 'spring',
      imported: 1,
      added: 1,
      updated: 0,
      unchanged: 0,
      kept: 0,
      duplicates: 0,
      skipped: 1,
      rows: 2,
      errors: [{ line: 3, column: 'status', message: '"busy" is not a status (empty for new, 10, 11, 12 or another whole number)' }],
      omittedErrors: 0,
    } satisfies SubscribersImportReport);
    const fatal = await run(['import', 'list.csv', '--task', 'spring', '--json'], { 'list.csv': 'tel,comments\n79001,"never closed\n' });
    expect(fatal.code).toBe(1);
    expect(JSON.parse(fatal.out)).toEqual({
      ok: false,
      task: 'spring',
      imported: 0,
      added: 0,
      updated: 0,
      unchanged: 0,
      kept: 0,
      duplicates: 0,
      skipped: 0,
      rows: 0,
      errors: [{ line: 2, message: 'a quoted field is never closed (a missing " ?)' }],
      omittedErrors: 0,
      fatal: true,
    });
  });

  it('importing the same file again changes nothing; an edited file updates; duplicates follow the task policy', async () => {
    const csv = 'tel,first_name\n79001,Ann\n79002,Bob\n';
    expect((await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': csv })).out).toBe('imported 2 subscribers into task spring\n');
    expect(await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': csv })).toEqual({
      code: 0,
      out: 'imported 2 subscribers into task spring (0 added, 0 updated, 2 unchanged)\n',
      err: '',
    });
    const edited = 'tel,first_name\n79001,Anna\n79002,Bob\n79003,Cid\n79003,Cid again\n';
    expect(await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': edited })).toEqual({
      code: 1,
      out: "line 5: tel: 79003 is also on line 4 (the task's duplicatePhones policy is reject)\n1 bad row of 4: nothing imported into task spring (--skip-bad-rows imports the good rows)\n",
      err: 'tellflow subscribers: nothing imported\n',
    });
    const db = await productDatabase.open(process.env);
    try {
      await stores(db).outboundTasks.update('spring', { duplicatePhones: 'skip' });
    } finally {
      await db.close();
    }
    expect((await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': edited })).out).toBe(
      'imported 3 subscribers into task spring (1 added, 1 updated, 1 unchanged; 1 duplicate phone number left out)\n',
    );
    expect((await stored()).map((r) => r.first_name)).toEqual(['Anna', 'Bob', 'Cid']);
  });

  it('lists subscribers by due time with filters and pages, and resets them', async () => {
    const csv = 'tel,first_name,status,operator_number,callaftermin,date_call\n79001,Ann,,,,\n79002,Bob,10,101,30,2026-11-22T10:00:00Z\n79003,Cid,12,101,,\n';
    await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': csv });
    const all = await run(['list', '--task', 'spring']);
    expect(all.code).toBe(0);
    expect(all.out.split('\n')).toEqual([
      expect.stringMatching(/^ID\s+TASK\s+TEL\s+STATUS\s+DUE\s+OPERATOR\s+NAME\s+REASON$/),
      expect.stringMatching(/^\d+\s+spring\s+79002\s+10\s+2026-11-22T10:30:00.000Z\s+101\s+Bob$/),
      expect.stringMatching(/^\d+\s+spring\s+79001\s+new\s+Ann$/),
      expect.stringMatching(/^\d+\s+spring\s+79003\s+12\s+101\s+Cid$/),
      '3 of 3',
      '',
    ]);
    const first = await run(['list', '--limit', '1', '--json']);
    const page = JSON.parse(first.out);
    expect([page.total, page.subscribers.map((s: { tel: string }) => s.tel)]).toEqual([3, ['79002']]);
    const second = await run(['list', '--limit', '1', '--cursor', page.nextCursor]);
    expect(second.out).toMatch(/79001[\s\S]*1 of 3; next page: --cursor \S+\n$/);
    expect((await run(['list', '--status', 'new'])).out).toMatch(/^ID.*\n\d+\s+spring\s+79001\s+new\s+Ann\n1 of 1\n$/);
    expect((await run(['list', '--due-before', '2026-11-22T10:00:00Z'])).out).toBe('no subscribers\n');

    const reset = await run(['reset', '--task', 'spring', '--status', '12,10', '--to', 'callback', '--due-at', '2026-12-01T09:00:00+03:00']);
    expect(reset).toEqual({ code: 0, out: 'reset 2 subscribers to a callback due 2026-12-01T09:00:00+03:00\n', err: '' });
    const listed = await run(['list', '--status', '10']);
    expect(listed.out).toMatch(/79002\s+10\s+2026-12-01T06:00:00.000Z\s+101\s+Bob\s+reset by \S+ \(command line\)/);
    expect(listed.out).toMatch(/79003\s+10\s+2026-12-01T06:00:00.000Z\s+101\s+Cid\s+reset by/);
    const db = await productDatabase.open(process.env);
    let ann: number;
    try {
      ann = (await db.query<{ Id: number }>(`select "Id" from table_out_call where tel = '79001'`)).rows[0]!.Id;
    } finally {
      await db.close();
    }
    expect(await run(['reset', '--ids', String(ann), '--to', 'callback'])).toMatchObject({
      code: 1,
      err: expect.stringContaining(`subscriber ${ann} has no operator_number`),
    });
    expect(await run(['reset', '--ids', `${ann}`, '--to', 'new'])).toMatchObject({ code: 0, out: 'reset 1 subscriber to new\n' });
    expect(await run(['reset', '--ids', '999999', '--to', 'new'])).toMatchObject({ code: 1, err: expect.stringContaining('subscriber 999999 not found') });
  });

  it('list and reset: bad arguments exit 2', async () => {
    const cases: [string[], string][] = [
      [['list', '--status', 'done'], '--status must be new, 10, 11, 12 or another number, not "done"'],
      [['list', '--due-before', 'tomorrow'], '--due-before must be a time like'],
      [['list', '--limit', '0'], '--limit must be a number from 1 to 1000'],
      [['list', 'extra'], 'unexpected "extra"'],
      [['list', '--cursor', 'xyz'], 'cursor is not one this list returned'],
      [['reset', '--to', 'new'], 'reset needs --ids 1,2,… or --task ID'],
      [['reset', '--ids', '1,x', '--to', 'new'], '--ids must be subscriber ids like 17,18'],
      [['reset', '--ids', '1', '--status', '10', '--to', 'new'], '--status filters the rows of --task ID'],
      [['reset', '--task', 'spring', '--to', 'later'], '--to must be new or callback, not "later"'],
      [['reset', '--task', 'spring', '--to', 'new', '--due-at', '2026-12-01T09:00:00Z'], '--due-at is for --to callback'],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(`tellflow subscribers: ${message}`);
    }
  });

  it('refuses a file that is not a subscriber list, exit 1', async () => {
    const r = await run(['import', 'list.csv', '--task', 'spring'], { 'list.csv': '79001,Ann\n79002,Bob\n' });
    expect(r).toEqual({
      code: 1,
      out: '',
      err: 'tellflow subscribers: list.csv: line 1: the first row is data, not a header row: the file must start with a header row naming the columns (tel is required)\nnothing imported\n',
    });
  });

  it('reports progress on stderr for large files', async () => {
    const lines = ['tel'];
    for (let i = 0; i < 25_000; i++) lines.push(String(79_000_000_000 + i));
    const r = await run(['import', 'big.csv', '--task', 'spring'], { 'big.csv': lines.join('\n') });
    expect(r).toEqual({
      code: 0,
      out: 'imported 25000 subscribers into task spring\n',
      err: 'tellflow subscribers: 10,000 rows read…\ntellflow subscribers: 20,000 rows read…\n',
    });
    expect((await stored()).length).toBe(25_000);
  });

  it('exits 2 on bad arguments, an unreadable file or an unknown task, importing nothing', async () => {
    const file = { 'list.csv': 'tel\n79001\n' };
    const cases: [string[], string][] = [
      [[], 'no subcommand given (import, list or reset)'],
      [['export', 'list.csv', '--task', 'spring'], 'unknown subcommand "export" (import, list or reset)'],
      [['import', '--task', 'spring'], 'no file given'],
      [['import', 'a.csv', 'b.csv', '--task', 'spring'], 'give one file, not 2'],
      [['import', 'list.csv'], 'missing --task ID'],
      [['import', 'list.csv', '--task', 'spring', '--map', 'phone'], '--map "phone": expected HEADER=COLUMN'],
      [['import', 'list.csv', '--task', 'spring', '--map', 'tel=phone_no'], '--map "tel=phone_no": "phone_no" is not a subscriber column'],
      [['import', 'list.csv', '--task', 'spring', '--delimiter', ';;'], '--delimiter ";;": expected one character or "tab"'],
      [['import', 'list.csv', '--task', 'spring', '--frobnicate'], "unknown option '--frobnicate'"],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, file);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(`tellflow subscribers: ${message}`);
      expect(r.out).toBe('');
    }
    expect(await run(['import', 'missing.csv', '--task', 'spring'])).toEqual({
      code: 2,
      out: '',
      err: 'tellflow subscribers: cannot read missing.csv: no such file\nnothing imported\n',
    });
    expect(await run(['import', 'list.csv', '--task', 'autumn'], file)).toEqual({
      code: 2,
      out: '',
      err: 'tellflow subscribers: outbound task "autumn" not found\nnothing imported\n',
    });
    expect(await stored()).toEqual([]);
  });
});

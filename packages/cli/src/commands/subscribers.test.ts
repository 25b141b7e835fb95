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
      'list.tsv': 'tel\tstatus\n79001\t10\n79002\tbusy\n',
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      task: 'spring',
      imported: 1,
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
      skipped: 0,
      rows: 0,
      errors: [{ line: 2, message: 'a quoted field is never closed (a missing " ?)' }],
      omittedErrors: 0,
      fatal: true,
    });
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
      [[], 'no subcommand given (the subcommand is "import")'],
      [['export', 'list.csv', '--task', 'spring'], 'unknown subcommand "export" (the subcommand is "import")'],
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

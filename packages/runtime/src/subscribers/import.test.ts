import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { RuntimeError } from '../errors.ts';
import { useHarness, type Harness } from '../test-support.ts';
import { formatImportError, importSubscribers, type ImportSubscribersOptions } from './import.ts';

type Row = Record<string, unknown>;

describe.each(DATABASE_KINDS)('subscriber import on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;

  beforeEach(async () => {
    if (skip) return;
    h = current();
    await h.runtime.outboundTasks.create({
      id: 'spring',
      name: 'Spring campaign',
      dialogScenarioId: 'dialog',
      routingScenarioId: 'outbound-routing',
      operatorCallScenarioId: 'operator-call',
      operators: ['101'],
      timeZone: 'Europe/Moscow',
    });
  });

  const load = (source: ImportSubscribersOptions['source'], options: Partial<ImportSubscribersOptions> = {}) =>
    importSubscribers(h.t.db, { taskId: 'spring', source, ...options });

  async function stored(columns = 'tel, first_name, last_name, status'): Promise<Row[]> {
    const { rows } = await h.t.db.query<Row>(`select ${columns} from table_out_call order by "Id"`);
    return rows;
  }

  /** The fatal RuntimeError an import is rejected with. */
  async function rejection(promise: Promise<unknown>): Promise<RuntimeError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RuntimeError);
    return error as RuntimeError;
  }

  it.skipIf(skip)('imports rows into the task as new subscribers, matching headers to columns and aliases', async () => {
    const csv = [
      'Phone,First Name,фамилия,Id заказа,owner id,Комментарии,Operator,CallAfterMin,Date_Callback,time callback',
      '+7 (912) 345-67-89,Ivan,Петров,A-1,u7,first call,101,,,',
      '8-800-555-35-35,Anna,Smith,A-2,,,,30,22.11.2026,9:30',
    ].join('\n');
    const r = await load(csv);
    expect(r).toMatchObject({ imported: 2, skipped: 0, rows: 2, errors: [], delimiter: ',' });
    expect(r.mapping).toEqual({
      Phone: 'tel',
      'First Name': 'first_name',
      фамилия: 'last_name',
      'Id заказа': 'order_id',
      'owner id': 'owner_id',
      Комментарии: 'comments',
      Operator: 'operator_number',
      CallAfterMin: 'callaftermin',
      Date_Callback: 'date_callback',
      'time callback': 'time_callback',
    });
    const rows = await stored(
      `tel, first_name, last_name, order_id, owner_id, comments, operator_number, callaftermin, to_char(date_callback, 'YYYY-MM-DD') as date_callback,
       time_callback::text as time_callback, status, task_id, due_at`,
    );
    expect(rows).toEqual([
      {
        tel: '+79123456789',
        first_name: 'Ivan',
        last_name: 'Петров',
        order_id: 'A-1',
        owner_id: 'u7',
        comments: 'first call',
        operator_number: '101',
        callaftermin: null,
        date_callback: null,
        time_callback: null,
        status: null,
        task_id: 'spring',
        due_at: null,
      },
      {
        tel: '88005553535',
        first_name: 'Anna',
        last_name: 'Smith',
        order_id: 'A-2',
        owner_id: null,
        comments: null,
        operator_number: null,
        callaftermin: 30,
        date_callback: '2026-11-22',
        time_callback: '09:30:00',
        status: null,
        task_id: 'spring',
        due_at: null,
      },
    ]);
    expect(await h.runtime.outboundTasks.progress('spring')).toEqual({ new: 2 });
  });

  it.skipIf(skip)('uses an explicit mapping, with null to ignore a column', async () => {
    const csv = 'Контакт,Кто,Лишнее\n79001112233,Olga,x\n';
    const r = await load(csv, { mapping: { Контакт: 'tel', кто: 'FIRST_NAME', Лишнее: null } });
    expect(r.mapping).toEqual({ Контакт: 'tel', Кто: 'first_name', Лишнее: null });
    expect(await stored('tel, first_name')).toEqual([{ tel: '79001112233', first_name: 'Olga' }]);
  });

  it.skipIf(skip)('refuses a mapping to something that is not a subscriber column', async () => {
    let e = await rejection(load('tel\n1\n', { mapping: { tel: 'phone_no' } }));
    expect(e.status).toBe(400);
    expect(e.message).toContain('"phone_no" is not a subscriber column');
    e = await rejection(load('tel,x\n1,2\n', { mapping: { x: 'due_at' } }));
    expect(e.message).toBe('mapping "x": "due_at" cannot be imported: it is computed from status and the callback fields');
  });

  it.skipIf(skip)('accepts a UTF-8 byte-order mark, a ";" or tab delimiter, CRLF line ends and streams', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('tel;first_name\r\n79001;Анна\r\n')]);
    expect(await load(bom)).toMatchObject({ imported: 1, delimiter: ';' });
    expect(await load('\uFEFFtel\tfirst_name\n79002\tBob\n')).toMatchObject({ imported: 1, delimiter: '\t' });
    // A stream cut mid-character and mid-line.
    const bytes = Buffer.from('tel,first_name\n79003,Жанна\n79004,"Ли, Мин"\n');
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(await load(Readable.from(pieces))).toMatchObject({ imported: 2, delimiter: ',' });
    expect(await stored('tel, first_name')).toEqual([
      { tel: '79001', first_name: 'Анна' },
      { tel: '79002', first_name: 'Bob' },
      { tel: '79003', first_name: 'Жанна' },
      { tel: '79004', first_name: 'Ли, Мин' },
    ]);
  });

  it.skipIf(skip)('keeps the physical line numbers across quoted multi-line fields and blank lines', async () => {
    const csv = [
      'tel,comments', // 1
      '79001,"a comment, with a comma"', // 2
      '79002,"spans', // 3
      'two lines"', // 4
      '', // 5
      'abc,after the multi-line one', // 6
      '79003,"three', // 7
      '', // 8
      'lines"', // 9
      '12-x,bad again', // 10
    ].join('\r\n');
    const r = await load(csv, { mode: 'skip-bad-rows' });
    expect(r).toMatchObject({ imported: 3, skipped: 2, rows: 5 });
    expect(r.errors).toEqual([
      { line: 6, column: 'tel', message: '"abc" is not a phone number' },
      { line: 10, column: 'tel', message: '"12-x" is not a phone number' },
    ]);
    expect((await stored('comments')).map((row) => row.comments)).toEqual(['a comment, with a comma', 'spans\r\ntwo lines', 'three\r\n\r\nlines']);
  });

  it.skipIf(skip)('reports every bad value with its line and column', async () => {
    const csv = [
      'tel,callaftermin,date_callback,time_callback,status,operator_number',
      ',,,,,',
      '  ,5,,,,',
      '79001,0,2026-02-30,24:00,busy,',
      '79002,1.5,31/12/2026,9.30,13x,',
      '79003',
      '79004,1,2026-01-01,10:00,10,7,extra',
      '79005,15,2026-12-31,23:59:59,12, 101 ',
    ].join('\n');
    const r = await load(csv, { mode: 'skip-bad-rows' });
    expect(r.errors.map(formatImportError)).toEqual([
      'line 3: tel: is empty',
      'line 4: callaftermin: "0" is not a positive whole number of minutes',
      'line 4: date_callback: "2026-02-30" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
      'line 4: time_callback: "24:00" is not a time (HH:MM or HH:MM:SS)',
      'line 4: status: "busy" is not a status (empty for new, 10, 11, 12 or another whole number)',
      'line 5: callaftermin: "1.5" is not a positive whole number of minutes',
      'line 5: date_callback: "31/12/2026" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
      'line 5: time_callback: "9.30" is not a time (HH:MM or HH:MM:SS)',
      'line 5: status: "13x" is not a status (empty for new, 10, 11, 12 or another whole number)',
      'line 6: has 1 field, the header has 6',
      'line 7: has 7 fields, the header has 6',
    ]);
    // Line 2 is blank (only delimiters): not a row at all.
    expect(r).toMatchObject({ imported: 1, skipped: 5, rows: 6, omittedErrors: 0 });
    expect(await stored('tel, callaftermin, status, operator_number')).toEqual([{ tel: '79005', callaftermin: 15, status: 12, operator_number: '101' }]);
  });

  it.skipIf(skip)('all or nothing (the default): one bad row and nothing is imported, every error still reported', async () => {
    const lines = ['tel,first_name'];
    for (let i = 0; i < 2500; i++) lines.push(i === 1700 || i === 2400 ? `bad${i},x` : `7900${i},n${i}`);
    const r = await load(lines.join('\n'), { batchSize: 500 });
    expect(r).toMatchObject({ imported: 0, skipped: 2, rows: 2500 });
    expect(r.errors.map((e) => e.line)).toEqual([1702, 2402]);
    expect(await stored()).toEqual([]);

    const skipped = await load(lines.join('\n'), { batchSize: 500, mode: 'skip-bad-rows', maxErrors: 1 });
    expect(skipped).toMatchObject({ imported: 2498, skipped: 2, rows: 2500, omittedErrors: 1 });
    expect(skipped.errors).toHaveLength(1);
    expect((await stored()).length).toBe(2498);
  });

  it.skipIf(skip)('names unknown and reserved headers, and imports nothing', async () => {
    const e = await rejection(load('tel,Nickname,Id,colour\n79001,x,1,red\n'));
    expect(e.status).toBe(400);
    expect(e.message).toBe(
      'line 1: the header: column "Id" cannot be imported: it is assigned by the database (map it to null to ignore it); ' +
        'unknown columns "Nickname", "colour" (map them to a subscriber column, or to null to ignore them)',
    );
    expect(e.details).toEqual({ errors: [{ line: 1, message: e.message.slice('line 1: '.length) }] });
    expect(await load('tel,Nickname,Id,colour\n79001,x,1,red\n', { mapping: { nickname: null, id: null, colour: null } })).toMatchObject({ imported: 1 });
  });

  it.skipIf(skip)('needs a tel column and a header row', async () => {
    expect((await rejection(load('first_name,last_name\nIvan,Petrov\n'))).message).toBe(
      'line 1: the header: no tel column: the header must name the column with the phone numbers (tel, phone, telephone or number)',
    );
    expect((await rejection(load('79001112233,Ivan,Petrov\n79001112234,Anna,Smith\n'))).message).toBe(
      'line 1: the first row is data, not a header row: the file must start with a header row naming the columns (tel is required)',
    );
    expect((await rejection(load(''))).message).toBe('line 1: the file is empty: it needs a header row naming the columns (tel is required)');
    expect((await rejection(load('phone,tel\n1,2\n'))).message).toBe('line 1: the header: "phone" and "tel" both fill tel');
    // A header alone: nothing to import, and that is fine.
    expect(await load('tel\n')).toMatchObject({ imported: 0, rows: 0 });
  });

  it.skipIf(skip)('a fatal error late in the file leaves nothing imported, even when skipping bad rows', async () => {
    const lines = ['tel,comments'];
    for (let i = 0; i < 3000; i++) lines.push(`7900${i},ok`);
    lines.push('79999,"never closed', '79998,more');
    const e = await rejection(load(lines.join('\n'), { mode: 'skip-bad-rows', batchSize: 1000 }));
    expect(e.message).toBe('line 3002: a quoted field is never closed (a missing " ?)');
    expect(e.details).toEqual({ errors: [{ line: 3002, message: 'a quoted field is never closed (a missing " ?)' }] });
    expect(await stored()).toEqual([]);
    // In a small file too, where the rows before it were parsed in the same breath.
    expect((await rejection(load('tel,comments\n79001,"a\nb"\n\n79002,"open\n79003,x\n'))).message).toBe(
      'line 5: a quoted field is never closed (a missing " ?)',
    );
    const huge = `tel,comments\n79001,ok\n79002,"${'x'.repeat(1_100_000)}"\n`;
    expect((await rejection(load(huge))).message).toBe('line 3: a row is longer than 1,000,000 characters (a quoted field never closed?)');
  });

  it.skipIf(skip)('refuses files that are not CSV text', async () => {
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    expect((await rejection(load(xlsx))).message).toBe('line 1: the file is a ZIP archive or an Excel workbook (.xlsx), not CSV text (save it as "CSV UTF-8")');
    const cp1251 = Buffer.concat([Buffer.from('tel,first_name\n79001,'), Buffer.from([0xc8, 0xe2, 0xe0, 0xed]), Buffer.from('\n')]);
    expect((await rejection(load(cp1251))).message).toBe('line 2: the file is not UTF-8 text (save it as "CSV UTF-8")');
    expect((await rejection(load('tel\n1\n2\u0000\n'))).message).toBe('line 3: the file contains NUL characters: it is not CSV text');
    expect(await stored()).toEqual([]);
  });

  it.skipIf(skip)('reads UTF-16 with a byte-order mark (Excel "Unicode text")', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('tel\tfirst_name\r\n79001\tЁжик\r\n', 'utf16le')]);
    expect(await load(utf16)).toMatchObject({ imported: 1, delimiter: '\t' });
    expect(await stored('tel, first_name')).toEqual([{ tel: '79001', first_name: 'Ёжик' }]);
  });

  it.skipIf(skip)('an unknown task is a 404 and nothing is read', async () => {
    const e = await rejection(importSubscribers(h.t.db, { taskId: 'nope', source: 'tel\n79001\n' }));
    expect(e.status).toBe(404);
    expect(e.message).toBe('outbound task "nope" not found');
  });

  it.skipIf(skip)('the trigger sets due_at for rows imported with status 10 and a callback', async () => {
    const csv = [
      'tel,status,callaftermin,date_call,date_callback,time_callback,operator_number',
      '79001,10,30,2026-11-22T09:00:00Z,,,101',
      '79002,10,,,2026-11-23,10:15,101',
      '79003,10,45,22.11.2026 12:00,,,101',
      '79004,,30,,,,',
    ].join('\n');
    expect(await load(csv)).toMatchObject({ imported: 4 });
    const rows = await stored('tel, status, due_at, date_call');
    const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
    expect(rows.map((r) => [r.tel, r.status, iso(r.due_at), iso(r.date_call)])).toEqual([
      ['79001', 10, '2026-11-22T09:30:00.000Z', '2026-11-22T09:00:00.000Z'],
      // Date and time in the task's zone (Europe/Moscow, UTC+3).
      ['79002', 10, '2026-11-23T07:15:00.000Z', null],
      // A date_call without an offset is in the task's zone too.
      ['79003', 10, '2026-11-22T09:45:00.000Z', '2026-11-22T09:00:00.000Z'],
      ['79004', null, null, null],
    ]);
  });

  it.skipIf(skip)('reports progress after every batch and at the end', async () => {
    const lines = ['tel'];
    for (let i = 0; i < 2345; i++) lines.push(`7900${i}`);
    const seen: number[] = [];
    const r = await load(lines.join('\n'), { batchSize: 1000, onProgress: (n) => seen.push(n) });
    expect(r.imported).toBe(2345);
    expect(seen).toEqual([1000, 2000, 2345]);
    // Throwing from the callback aborts the import.
    await expect(
      load(lines.join('\n'), {
        batchSize: 1000,
        onProgress: (n) => {
          if (n >= 2000) throw new Error('cancelled');
        },
      }),
    ).rejects.toThrow('cancelled');
    expect((await stored()).length).toBe(2345);
  });

  it.skipIf(skip)('stores SQL injection attempts and odd text verbatim', async () => {
    const nasty = [`Robert'); DROP TABLE table_out_call; --`, `x", "y"); delete from outbound_tasks; --`, 'NULL', '{1,2}', '\\N', '$1 $2::text', '  padded  '];
    const csv = ['tel,first_name,comments', ...nasty.map((s, i) => `7900${i},"${s.replaceAll('"', '""')}",${i}`)].join('\n');
    expect(await load(csv)).toMatchObject({ imported: nasty.length });
    expect((await stored('first_name')).map((r) => r.first_name)).toEqual(nasty);
    expect(await h.runtime.outboundTasks.progress('spring')).toEqual({ new: nasty.length });
  });
});

/** What an import refuses (rows that could never be called), duplicate phone numbers, and importing a file again (keys). */
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { useHarness, type Harness } from '../test-support.ts';
import { formatImportError, importSubscribers, type ImportSubscribersOptions } from './import.ts';

type Row = Record<string, unknown>;

describe.each(DATABASE_KINDS)('subscriber import checks and keys on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;

  beforeEach(async () => {
    if (skip) return;
    h = current();
    await h.runtime.outboundTasks.create({ id: 'spring', operators: ['101'], timeZone: 'Europe/Moscow' });
  });

  const load = (source: string, options: Partial<ImportSubscribersOptions> = {}) => importSubscribers(h.t.db, { taskId: 'spring', source, ...options });
  const policy = (duplicatePhones: 'reject' | 'skip' | 'allow') => h.runtime.outboundTasks.update('spring', { duplicatePhones });

  /** Every column of every row, in Id order: what "nothing changed" is compared on. */
  async function table(): Promise<Row[]> {
    return (await h.t.db.query<Row>('select * from table_out_call order by "Id"')).rows;
  }
  async function stored(columns = 'tel, first_name, status'): Promise<Row[]> {
    return (await h.t.db.query<Row>(`select ${columns} from table_out_call order by "Id"`)).rows;
  }

  it.skipIf(skip)('refuses rows that could never be called, naming the line and the column', async () => {
    const csv = [
      'tel,status,operator_number,callaftermin,date_callback,time_callback',
      '79001,11,101,,,', // 2: being served is Tellflow's state
      '79002,10,,30,,', // 3: a callback without an operator
      '79003,10,101,,,10:00', // 4: a callback without a time (a time alone is no date)
      '79004,10,,,,', // 5: both
      '79005,10,101,30,,', // 6: fine: in 30 minutes
      '79006,10,101,,2026-12-01,', // 7: fine: on a date
      '79007,12,,,,', // 8: done: imported as history
      '79008,,,,,', // 9: new
    ].join('\n');
    const r = await load(csv);
    expect(r.errors.map(formatImportError)).toEqual([
      'line 2: status: 11 (being served) is set by Tellflow while it calls; import the row as new (empty) or 10 with a callback time',
      'line 3: operator_number: is empty: status 10 (call back) needs the operator who makes the callback',
      'line 4: callaftermin: is empty and so is date_callback: status 10 (call back) needs a time (callaftermin minutes, or date_callback and time_callback)',
      'line 5: operator_number: is empty: status 10 (call back) needs the operator who makes the callback',
      'line 5: callaftermin: is empty and so is date_callback: status 10 (call back) needs a time (callaftermin minutes, or date_callback and time_callback)',
    ]);
    expect(r).toMatchObject({ imported: 0, skipped: 4, rows: 8 });
    expect(await stored()).toEqual([]);
    // A file without an operator column cannot give status 10 either.
    expect((await load('tel,status,callaftermin\n79001,10,5\n')).errors.map((e) => [e.line, e.column])).toEqual([[2, 'operator_number']]);

    const skipped = await load(csv, { mode: 'skip-bad-rows' });
    expect(skipped).toMatchObject({ imported: 4, added: 4, skipped: 4 });
    expect(await stored('tel, status')).toEqual([
      { tel: '79005', status: 10 },
      { tel: '79006', status: 10 },
      { tel: '79007', status: 12 },
      { tel: '79008', status: null },
    ]);
  });

  it.skipIf(skip)('duplicate phone numbers, reject (the default): the import fails naming both lines, in the file and against the task', async () => {
    expect((await h.runtime.outboundTasks.get('spring')).duplicatePhones).toBe('reject');
    // Compared as stored: "+7 (900) 1" and "+79001" are one number.
    let r = await load('tel,first_name\n+79001,Ann\n79002,Bob\n+7 (900) 1,Ann again\n79002,Bob again\n');
    expect(r.errors.map(formatImportError)).toEqual([
      "line 4: tel: +79001 is also on line 2 (the task's duplicatePhones policy is reject)",
      "line 5: tel: 79002 is also on line 3 (the task's duplicatePhones policy is reject)",
    ]);
    expect(r).toMatchObject({ imported: 0, skipped: 2, duplicates: 0 });
    expect(await stored()).toEqual([]);

    await load('key,tel,first_name\nK1,79001,Ann\n');
    const [ann] = (await h.t.db.query<{ Id: number }>('select "Id" from table_out_call')).rows;
    r = await load('key,tel,first_name\nK5,79005,Eve\nK6,79001,Ann from another list\n', { batchSize: 1 });
    expect(r.errors.map(formatImportError)).toEqual([
      `line 3: tel: 79001 is already in the task (subscriber ${ann!.Id}) (the task's duplicatePhones policy is reject)`,
    ]);
    expect(r).toMatchObject({ imported: 0, skipped: 1 });
    expect(await stored('tel, first_name')).toEqual([{ tel: '79001', first_name: 'Ann' }]);
    // skip-bad-rows: the duplicates are errors, the rest is imported. (Without a key column a row's key is its number.)
    r = await load('tel,first_name\n79005,Eve\n79001,Ann from another list\n79005,Eve again\n', { mode: 'skip-bad-rows' });
    expect(r).toMatchObject({ imported: 1, added: 1, skipped: 2 });
    expect(r.errors.map((e) => e.line)).toEqual([3, 4]);
  });

  it.skipIf(skip)('duplicate phone numbers, skip: left out and counted; allow: imported as they are', async () => {
    await load('key,tel,first_name\nK1,79001,Ann\n');
    await policy('skip');
    let r = await load('tel,first_name\n79002,Bob\n79001,Ann elsewhere\n79002,Bob again\n79003,Cid\n');
    expect(r).toMatchObject({ imported: 2, added: 2, duplicates: 2, skipped: 0, errors: [] });
    expect(await stored('tel, first_name')).toEqual([
      { tel: '79001', first_name: 'Ann' },
      { tel: '79002', first_name: 'Bob' },
      { tel: '79003', first_name: 'Cid' },
    ]);

    await policy('allow');
    r = await load('tel,first_name\n79001,Ann twice\n79001,Ann thrice\n');
    expect(r).toMatchObject({ imported: 2, added: 2, duplicates: 0 });
    expect(await stored('tel, first_name, external_key')).toEqual([
      { tel: '79001', first_name: 'Ann', external_key: 'K1' },
      { tel: '79002', first_name: 'Bob', external_key: 'tel:79002#1' },
      { tel: '79003', first_name: 'Cid', external_key: 'tel:79003#1' },
      { tel: '79001', first_name: 'Ann twice', external_key: 'tel:79001#1' },
      { tel: '79001', first_name: 'Ann thrice', external_key: 'tel:79001#2' },
    ]);
    // Without a key column the number (and which of its rows) is the key: the same number is that subscriber again.
    expect(await load('tel,first_name\n79002,Bob renamed\n')).toMatchObject({ added: 0, updated: 1 });
  });

  it.skipIf(skip)('the same file twice changes nothing, also after calls changed its rows', async () => {
    const csv = [
      'tel,first_name,status,operator_number,callaftermin,date_call',
      '79001,Ann,,,,',
      '79002,Bob,10,101,30,2026-11-22 12:00',
      '79003,Cid,,,,',
      '79004,Dan,12,101,,2026-11-20 10:00',
    ].join('\n');
    expect(await load(csv)).toMatchObject({ imported: 4, added: 4, updated: 0, unchanged: 0 });
    const first = await table();
    expect(await load(csv)).toMatchObject({ imported: 4, added: 0, updated: 0, unchanged: 4, kept: 0 });
    expect(await table()).toEqual(first);

    // Calls happen: Ann is being served, Cid asked for a callback. The file, imported again, undoes none of it.
    await h.t.db.query(`update table_out_call set status = 11, operator_number = '101', status_reason = 'x' where tel = '79001'`);
    await h.t.db.query(`update table_out_call set status = 10, operator_number = '101', callaftermin = 15 where tel = '79003'`);
    const called = await table();
    expect(await load(csv, { batchSize: 2 })).toMatchObject({ imported: 4, unchanged: 4 });
    expect(await table()).toEqual(called);
  });

  it.skipIf(skip)('an edited file updates the rows it changed while they are new or waiting for a callback; rows being served or done are kept', async () => {
    await load('tel,first_name,comments\n79001,Ann,a\n79002,Bob,b\n79003,Cid,c\n79004,Dan,d\n');
    await h.t.db.query(`update table_out_call set status = 10, operator_number = '101', callaftermin = 5 where tel = '79002'`);
    await h.t.db.query(`update table_out_call set status = 11, operator_number = '101' where tel = '79003'`);
    await h.t.db.query(`update table_out_call set status = 12 where tel = '79004'`);
    const r = await load('tel,first_name,comments\n79001,Ann,changed\n79002,Bob,changed\n79003,Cid,changed\n79004,Dan,changed\n79005,Eve,new\n');
    expect(r).toMatchObject({ imported: 5, added: 1, updated: 2, unchanged: 0, kept: 2 });
    expect(await stored('tel, comments, status, operator_number')).toEqual([
      { tel: '79001', comments: 'changed', status: null, operator_number: null },
      // The file has no status or callback columns: the callback stays.
      { tel: '79002', comments: 'changed', status: 10, operator_number: '101' },
      { tel: '79003', comments: 'c', status: 11, operator_number: '101' },
      { tel: '79004', comments: 'd', status: 12, operator_number: null },
      { tel: '79005', comments: 'new', status: null, operator_number: null },
    ]);
    // The kept rows still differ from the file: they are counted again next time, and never overwritten.
    expect(await load('tel,first_name,comments\n79003,Cid,changed\n79004,Dan,changed\n')).toMatchObject({ kept: 2, updated: 0 });
  });

  it.skipIf(skip)('a key column identifies rows: numbers can change; a key twice in a file is an error', async () => {
    const v1 = 'Key,tel,first_name\nA-1,79001,Ann\nA-2,79002,Bob\n';
    expect((await load(v1)).mapping).toEqual({ Key: 'external_key', tel: 'tel', first_name: 'first_name' });
    const v2 = 'external_key,tel,first_name\nA-1,79011,Ann\nA-2,79002,Bob\nA-3,79003,Cid\n';
    expect(await load(v2)).toMatchObject({ imported: 3, added: 1, updated: 1, unchanged: 1 });
    expect(await stored('external_key, tel, first_name')).toEqual([
      { external_key: 'A-1', tel: '79011', first_name: 'Ann' },
      { external_key: 'A-2', tel: '79002', first_name: 'Bob' },
      { external_key: 'A-3', tel: '79003', first_name: 'Cid' },
    ]);
    // A file's own "Id" column is mapped to the key (Id itself is the table's).
    expect(await load('Id,tel\n17,79017\n', { mapping: { Id: 'external_key' } })).toMatchObject({ added: 1 });

    const r = await load('key,tel\nB-1,79101\nB-2,79102\nB-1,79103\n,79104\n');
    expect(r.errors.map(formatImportError)).toEqual([
      'line 4: external_key: "B-1" is also the key of line 2',
      'line 5: external_key: is empty: when the file has a key column, every row needs its key',
    ]);
    // Another key with a number the task has is a duplicate number.
    expect((await load('key,tel\nC-1,79002\n')).errors.map(formatImportError)).toEqual([
      expect.stringMatching(/^line 2: tel: 79002 is already in the task \(subscriber \d+\)/),
    ]);
  });
});

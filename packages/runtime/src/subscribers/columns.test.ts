import { describe, expect, it } from 'vitest';
import { NORMALISE, Problem, columnNamed, defaultColumn } from './columns.ts';
import { detectDelimiter } from './text.ts';

const ok = (column: keyof typeof NORMALISE, value: string) => NORMALISE[column](value);
const bad = (column: keyof typeof NORMALISE, value: string) => {
  const cell = NORMALISE[column](value);
  expect(cell, `${column} ${JSON.stringify(value)}`).toBeInstanceOf(Problem);
  return (cell as Problem).message;
};

describe('subscriber columns', () => {
  it('matches headers by name and alias, ignoring case, spaces, underscores and dashes', () => {
    expect(['tel', 'TEL', 'Phone', 'telephone', 'Number', 'Phone-Number', 'Телефон'].map(defaultColumn)).toEqual(Array(7).fill('tel'));
    expect(['first name', 'FirstName', 'first_name', 'Имя'].map(defaultColumn)).toEqual(Array(4).fill('first_name'));
    expect(['last name', 'Фамилия'].map(defaultColumn)).toEqual(['last_name', 'last_name']);
    expect(['Order ID', 'Id заказа', 'owner id', 'ID владельца'].map(defaultColumn)).toEqual(['order_id', 'order_id', 'owner_id', 'owner_id']);
    expect(['comment', 'Комментарии', 'operator', 'Operator_Number'].map(defaultColumn)).toEqual([
      'comments',
      'comments',
      'operator_number',
      'operator_number',
    ]);
    expect(['nickname', 'id', 'due_at', 'name'].map(defaultColumn)).toEqual([undefined, undefined, undefined, undefined]);
    // A mapping target is a column's own name only.
    expect([columnNamed('Date_Callback'), columnNamed('phone'), columnNamed('task_id')]).toEqual(['date_callback', undefined, undefined]);
  });

  it('cleans phone numbers lightly and refuses what is not one', () => {
    expect(ok('tel', ' +7 (912) 345-67-89 ')).toBe('+79123456789');
    expect(ok('tel', '8\u00a0800\u2013555\u201335\u201335')).toBe('88005553535');
    expect(ok('tel', '101')).toBe('101');
    expect(bad('tel', '')).toBe('is empty');
    expect(bad('tel', 'abc')).toBe('"abc" is not a phone number');
    for (const v of ['+', '7+912', '12 34 ext 5', '++7912', '1'.repeat(21), '79.12']) bad('tel', v);
  });

  it('checks typed columns and normalises dates and times', () => {
    expect(['', ' 5 ', '007', '2147483647'].map((v) => ok('callaftermin', v))).toEqual([null, '5', '7', '2147483647']);
    for (const v of ['0', '-5', '1.5', '2147483648', 'ten']) bad('callaftermin', v);
    expect(['', 'null', '10', '11', '12', '-1', '0'].map((v) => ok('status', v))).toEqual([null, null, '10', '11', '12', '-1', '0']);
    for (const v of ['new', '10.0', '99999999999']) bad('status', v);
    expect(['2026-11-22', '2026-1-2', '22.11.2026', '1.2.2026', '29.02.2028'].map((v) => ok('date_callback', v))).toEqual([
      '2026-11-22',
      '2026-01-02',
      '2026-11-22',
      '2026-02-01',
      '2028-02-29',
    ]);
    for (const v of ['29.02.2026', '2026-13-01', '2026-00-10', '2026-11-22 10:00', '22/11/2026', '11.22.2026']) bad('date_callback', v);
    expect(['9:30', '09:30', '23:59:59', '00:00:00.5'].map((v) => ok('time_callback', v))).toEqual(['09:30:00', '09:30:00', '23:59:59', '00:00:00.5']);
    for (const v of ['24:00', '12:60', '12', '9.30', '12:00 pm']) bad('time_callback', v);
    expect(
      ['2026-11-22', '2026-11-22 9:30', '2026-11-22T09:30:15Z', '22.11.2026 09:30+03', '2026-11-22 09:30:00 -0530'].map((v) => ok('date_call', v)),
    ).toEqual(['2026-11-22 00:00:00', '2026-11-22 09:30:00', '2026-11-22T09:30:15+00:00', '2026-11-22T09:30:00+03:00', '2026-11-22T09:30:00-05:30']);
    for (const v of ['yesterday', '2026-11-22 25:00', '2026-11-22 09:30 MSK', '2026-11-22X09:30']) bad('date_call', v);
    expect([ok('comments', ''), ok('comments', '  as is  '), ok('operator_number', ' 101 ')]).toEqual([null, '  as is  ', '101']);
  });

  it('detects the delimiter from the header line, outside quotes', () => {
    expect(detectDelimiter('tel,first_name,last_name')).toBe(',');
    expect(detectDelimiter('tel;first_name;"a,b,c"')).toBe(';');
    expect(detectDelimiter('tel\tfirst_name')).toBe('\t');
    expect(detectDelimiter('tel')).toBe(',');
  });
});

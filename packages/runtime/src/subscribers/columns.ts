/**
 * The columns of `table_out_call` a subscriber file may fill, how a CSV
 * header names them (the column's own name or a common alias, in English or
 * Russian, case and separators ignored), and the checks and light clean-up
 * each column's values get before they are stored.
 */

/** Importable columns, in table order. `Id`, `task_id` and `due_at` are never read from a file. */
export const SUBSCRIBER_COLUMNS = [
  'tel',
  'first_name',
  'last_name',
  'order_id',
  'owner_id',
  'comments',
  'callaftermin',
  'date_callback',
  'time_callback',
  'operator_number',
  'status',
  'date_call',
  'external_key',
] as const;
export type SubscriberColumn = (typeof SUBSCRIBER_COLUMNS)[number];

/** Columns of the table that a file may not set, and why. */
const RESERVED: Record<string, string> = {
  id: 'is assigned by the database',
  taskid: 'is the task being imported into',
  dueat: 'is computed from status and the callback fields',
};

/** Header spellings accepted besides the column's own name (compared after `headerKey`). */
const ALIASES: Record<SubscriberColumn, string[]> = {
  tel: ['phone', 'telephone', 'number', 'phone number', 'phone no', 'mobile', 'msisdn', 'телефон', 'номер', 'номер телефона', 'тел'],
  first_name: ['first name', 'firstname', 'given name', 'имя'],
  last_name: ['last name', 'lastname', 'surname', 'family name', 'фамилия'],
  order_id: ['order id', 'order', 'order number', 'id заказа', 'номер заказа', 'заказ'],
  owner_id: ['owner id', 'owner', 'id владельца', 'владелец'],
  comments: ['comment', 'note', 'notes', 'комментарий', 'комментарии', 'примечание'],
  callaftermin: ['call after min', 'call after minutes', 'call after', 'перезвонить через'],
  date_callback: ['callback date', 'дата перезвона'],
  time_callback: ['callback time', 'время перезвона'],
  operator_number: ['operator', 'operator number', 'оператор', 'номер оператора'],
  status: ['статус'],
  date_call: ['last call', 'date of call', 'дата звонка'],
  // Not "id": that one is the table's own (a file's own ids are mapped here with --map Id=external_key).
  external_key: ['key', 'external id', 'ext key', 'ext id', 'ключ', 'внешний ключ', 'внешний id'],
};

/** Case, spaces, underscores, dashes and dots do not matter in a header: "First Name" = "first_name". */
export const headerKey = (header: string): string =>
  header
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s_.-]+/g, '');

const BY_KEY = new Map<string, SubscriberColumn>();
for (const column of SUBSCRIBER_COLUMNS) {
  for (const name of [column, ...ALIASES[column]]) BY_KEY.set(headerKey(name), column);
}

/** The column a header names by default (its own name or an alias), if any. */
export function defaultColumn(header: string): SubscriberColumn | undefined {
  return BY_KEY.get(headerKey(header));
}

/** A mapping target: exactly a column's name (any case), not an alias. */
export function columnNamed(name: string): SubscriberColumn | undefined {
  const key = headerKey(name);
  return SUBSCRIBER_COLUMNS.find((c) => headerKey(c) === key);
}

/** Why a header or mapping target names a column a file may not set, if it does. */
export function reservedReason(name: string): string | undefined {
  return RESERVED[headerKey(name)];
}

// ---------------------------------------------------------------------------
// Values. A cell becomes the text PostgreSQL casts to the column's type, or
// null (empty), or a Problem saying what is wrong with it.

export class Problem {
  constructor(readonly message: string) {}
}

export type Cell = string | null | Problem;

/** A value quoted for a message, cut short when long. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

const INT4_MAX = 2_147_483_647;
const SEPARATORS = /[\s\-\u2010-\u2015\u2212()]/g;
const PHONE = /^\+?\d{1,20}$/;

/** "+7 (912) 345-67-89" → "+79123456789": spaces, dashes and parentheses go, a leading + stays. */
export function normalisePhone(value: string): Cell {
  if (value.trim() === '') return new Problem('is empty');
  const phone = value.replace(SEPARATORS, '');
  return PHONE.test(phone) ? phone : new Problem(`${quote(value)} is not a phone number`);
}

/** Free text is stored as written; an empty cell is null. */
const text = (value: string): Cell => (value === '' ? null : value);

function callAfterMinutes(value: string): Cell {
  const v = value.trim();
  if (v === '') return null;
  if (/^\d{1,10}$/.test(v)) {
    const n = Number(v);
    if (n >= 1 && n <= INT4_MAX) return String(n);
  }
  return new Problem(`${quote(value)} is not a positive whole number of minutes`);
}

function status(value: string): Cell {
  const v = value.trim();
  if (v === '' || v.toLowerCase() === 'null') return null;
  if (/^[+-]?\d{1,10}$/.test(v)) {
    const n = Number(v);
    if (n >= -INT4_MAX - 1 && n <= INT4_MAX) return String(n);
  }
  return new Problem(`${quote(value)} is not a status (empty for new, 10, 11, 12 or another whole number)`);
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})/;
const DOTTED_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})/;

/** The date at the start of `v` as YYYY-MM-DD and the rest of `v`, or undefined. */
function leadingDate(v: string): { date: string; rest: string } | undefined {
  let y: number, m: number, d: number, length: number;
  const iso = ISO_DATE.exec(v);
  if (iso) [y, m, d, length] = [Number(iso[1]), Number(iso[2]), Number(iso[3]), iso[0].length];
  else {
    const dotted = DOTTED_DATE.exec(v);
    if (!dotted) return undefined;
    [d, m, y, length] = [Number(dotted[1]), Number(dotted[2]), Number(dotted[3]), dotted[0].length];
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { date: `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`, rest: v.slice(length) };
}

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(2000, m, 0)).getUTCDate() - (m === 2 && !isLeap(y) ? 1 : 0);
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const pad = (n: number) => String(n).padStart(2, '0');

function dateCallback(value: string): Cell {
  const v = value.trim();
  if (v === '') return null;
  const found = leadingDate(v);
  return found && found.rest === '' ? found.date : new Problem(`${quote(value)} is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?/;

/** A time of day at the start of `v` as HH:MM:SS[.ffffff] and the rest of `v`, or undefined. */
function leadingTime(v: string): { time: string; rest: string } | undefined {
  const t = TIME.exec(v);
  if (!t) return undefined;
  const [h, m, s] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
  if (h > 23 || m > 59 || s > 59) return undefined;
  return { time: `${pad(h)}:${pad(m)}:${pad(s)}${t[4] ?? ''}`, rest: v.slice(t[0].length) };
}

function timeCallback(value: string): Cell {
  const v = value.trim();
  if (v === '') return null;
  const found = leadingTime(v);
  return found && found.rest === '' ? found.time : new Problem(`${quote(value)} is not a time (HH:MM or HH:MM:SS)`);
}

const OFFSET = /^\s*(?:(Z)|([+-])(\d{2}):?(\d{2})?)$/i;

/**
 * A date and time, with or without an offset: "2026-11-22 09:30", "2026-11-22T09:30:00Z",
 * "22.11.2026 09:30:15+03:00", or a date alone (midnight). Without an offset it is read
 * in the task's time zone. Out: "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS+HH:MM".
 */
function dateCall(value: string): Cell {
  const v = value.trim();
  if (v === '') return null;
  const bad = new Problem(`${quote(value)} is not a date and time (YYYY-MM-DD HH:MM[:SS][+HH:MM] or DD.MM.YYYY HH:MM[:SS])`);
  const date = leadingDate(v);
  if (!date) return bad;
  if (date.rest === '') return `${date.date} 00:00:00`;
  if (!/^[T ]/i.test(date.rest)) return bad;
  const time = leadingTime(date.rest.slice(1).trimStart());
  if (!time) return bad;
  if (time.rest === '') return `${date.date} ${time.time}`;
  const offset = OFFSET.exec(time.rest);
  if (!offset) return bad;
  if (offset[1]) return `${date.date}T${time.time}+00:00`;
  const [oh, om] = [Number(offset[3]), Number(offset[4] ?? 0)];
  if (oh > 15 || om > 59) return bad;
  return `${date.date}T${time.time}${offset[2]}${pad(oh)}:${pad(om)}`;
}

function operatorNumber(value: string): Cell {
  const v = value.trim();
  return v === '' ? null : v;
}

const MAX_KEY = 200;

/** A key names one row of the file: required (when the file has the column), trimmed, not too long. */
function externalKey(value: string): Cell {
  const v = value.trim();
  if (v === '') return new Problem('is empty: when the file has a key column, every row needs its key');
  return v.length > MAX_KEY ? new Problem(`${quote(v)} is longer than ${MAX_KEY} characters`) : v;
}

export const NORMALISE: Record<SubscriberColumn, (value: string) => Cell> = {
  tel: normalisePhone,
  first_name: text,
  last_name: text,
  order_id: text,
  owner_id: text,
  comments: text,
  callaftermin: callAfterMinutes,
  date_callback: dateCallback,
  time_callback: timeCallback,
  operator_number: operatorNumber,
  status,
  date_call: dateCall,
  external_key: externalKey,
};

/**
 * The select-list expression that turns the text a batch carries for
 * `column` (as `u.column`) into the column's type. `tz` is the parameter
 * holding the task's time zone.
 */
export function castExpression(column: SubscriberColumn, tz: string): string {
  const u = `u."${column}"`;
  switch (column) {
    case 'callaftermin':
    case 'status':
      return `${u}::int`;
    case 'date_callback':
      return `${u}::date`;
    case 'time_callback':
      return `${u}::time`;
    case 'date_call':
      return `case when ${u} ~ '[+-]\\d\\d:\\d\\d$' then ${u}::timestamptz else ${u}::timestamp at time zone ${tz} end`;
    default:
      return u;
  }
}

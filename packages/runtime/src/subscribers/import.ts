/**
 * Importing a subscriber list (the rows of `table_out_call` an outbound task
 * dials) from a CSV file with a header row. Used by `tellflow subscribers
 * import` and the HTTP API.
 *
 * The file is read as a stream and written in batches (write-batch.ts:
 * multi-row statements, values bound as arrays), all in one transaction: a
 * fatal error anywhere in the file, or in all-or-nothing mode any bad row,
 * leaves nothing imported.
 *
 * Each row has a key: the file's key column (`external_key`, `key`…), or,
 * without one, `tel:<number>#<n>` for the n-th row of the file with that
 * number. Importing a file again matches its rows to the task's by key:
 * unchanged rows are left alone, changed ones updated (see write-batch.ts).
 * Rows that could never be called are refused (row-rules.ts); phone numbers
 * twice in the file or already in the task follow the task's
 * `duplicatePhones` policy.
 */
import { Readable } from 'node:stream';
import type { DuplicatePhones } from '@tellflow/api';
import { parse, CsvError, type Options } from 'csv-parse';
import type { Database, Queryable } from '@tellflow/db';
import { invalid, notFound } from '../errors.ts';
import {
  NORMALISE,
  Problem,
  SUBSCRIBER_COLUMNS,
  columnNamed,
  defaultColumn,
  headerKey,
  normalisePhone,
  quote,
  reservedReason,
  type SubscriberColumn,
} from './columns.ts';
import { callabilityProblems } from './row-rules.ts';
import { countNewlines, detectDelimiter, fatal, textChunks, type SubscriberSource } from './text.ts';
import { WriteBatch, type BatchOutcome } from './write-batch.ts';

export type { SubscriberSource } from './text.ts';

export type ImportMode = 'all-or-nothing' | 'skip-bad-rows';

export interface ImportSubscribersOptions {
  /** The outbound task the subscribers are for; it must exist. */
  taskId: string;
  /** The CSV file: its text, its bytes, or a stream of them (e.g. a Node.js Readable). */
  source: SubscriberSource;
  /**
   * CSV header → column (`tel`, `first_name`…), or null to ignore that
   * column of the file. Headers not given here are matched to columns by
   * name or a common alias (phone → tel, "Имя" → first_name…).
   */
  mapping?: Record<string, string | null>;
  /** One character; by default `,` `;` or tab, whichever the header line uses. */
  delimiter?: string;
  /** 'all-or-nothing' (default): any bad row and nothing is imported. 'skip-bad-rows': the good rows are. */
  mode?: ImportMode;
  /**
   * Called after every batch with the number of data rows read so far, and
   * once at the end. Throwing from it aborts the import (nothing is imported).
   */
  onProgress?: (rowsDone: number) => void;
  /** Rows per INSERT (default 2000). */
  batchSize?: number;
  /** At most this many errors are listed (default 1000); `omittedErrors` counts the rest. */
  maxErrors?: number;
}

export interface SubscriberRowError {
  /** The physical line of the file the row starts on (the header is line 1). */
  line: number;
  /** The column whose value is wrong, when it is one column's. */
  column?: SubscriberColumn;
  message: string;
}

export interface SubscriberImportResult {
  /** Rows of the file the task now has: added + updated + unchanged + kept (0 when all-or-nothing mode met a bad row). */
  imported: number;
  /** Rows new to the task. */
  added: number;
  /** Rows the task had (same key) whose values the file changed. */
  updated: number;
  /** Rows the task had with the values the file gives. */
  unchanged: number;
  /** Rows the file changed that were left as they are: being served, done, or with a status other than new or 10. */
  kept: number;
  /** Rows left out for their phone number (policy skip). */
  duplicates: number;
  /** Rows with errors, not stored. */
  skipped: number;
  /** Data rows in the file (blank lines not counted). */
  rows: number;
  errors: SubscriberRowError[];
  /** Errors beyond `maxErrors`, not listed. */
  omittedErrors: number;
  /** The delimiter used. */
  delimiter: string;
  /** Each header of the file and the column it filled (null: ignored). */
  mapping: Record<string, SubscriberColumn | null>;
}

/** "line 7: tel: "abc" is not a phone number" */
export function formatImportError(e: { line: number; column?: string; message: string }): string {
  return `line ${e.line}: ${e.column ? `${e.column}: ` : ''}${e.message}`;
}

const DEFAULT_BATCH = 2000;
/** Longer than this, a record is refused: most likely a quote that is never closed. */
const MAX_RECORD_CHARS = 1_000_000;

/** Thrown inside the transaction to roll an all-or-nothing import back. */
class RollBack extends Error {}

/**
 * Imports subscribers for a task from CSV. Resolves to what was imported
 * and the errors of rejected rows; rejects with a RuntimeError for a bad
 * request: 404 when the task does not exist, 400 for bad options or a file
 * that cannot be read as a subscriber list at all (`details.errors` holds
 * the one error, with its line). Nothing is imported on a rejection.
 */
/** The counts of an import that stored nothing (yet). */
export const NOTHING_IMPORTED = { imported: 0, added: 0, updated: 0, unchanged: 0, kept: 0, duplicates: 0, skipped: 0, rows: 0, omittedErrors: 0 } as const;

export async function importSubscribers(db: Database, options: ImportSubscribersOptions): Promise<SubscriberImportResult> {
  const o = checkOptions(options);
  let result: SubscriberImportResult | undefined;
  try {
    await db.transaction(async (tx) => {
      // KEY SHARE: the task cannot be deleted meanwhile, yet stays free to be updated (started, stopped…).
      const { rows } = await tx.query<{ time_zone: string; duplicate_phones: DuplicatePhones }>(
        'select time_zone, duplicate_phones from outbound_tasks where id = $1 for key share',
        [o.taskId],
      );
      if (!rows[0]) throw notFound(`outbound task "${o.taskId}"`);
      // One import into a task at a time: each checks keys and phone numbers against what the task has.
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`tellflow:import:${o.taskId}`]);
      result = await load(tx, o, rows[0].time_zone, rows[0].duplicate_phones);
      if (o.mode === 'all-or-nothing' && result.skipped > 0) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
    Object.assign(result!, { imported: 0, added: 0, updated: 0, unchanged: 0, kept: 0, duplicates: 0 });
  }
  return result!;
}

interface Checked {
  taskId: string;
  source: SubscriberSource;
  mapping: Record<string, SubscriberColumn | null>;
  delimiter: string | undefined;
  mode: ImportMode;
  onProgress: ((rowsDone: number) => void) | undefined;
  batchSize: number;
  maxErrors: number;
}

function checkOptions(o: ImportSubscribersOptions): Checked {
  if (typeof o.taskId !== 'string' || o.taskId === '') throw invalid('taskId is required');
  const s: unknown = o.source;
  if (typeof s !== 'string' && !(s instanceof Uint8Array) && !(typeof s === 'object' && s !== null && Symbol.asyncIterator in s)) {
    throw invalid('source must be the CSV text, its bytes or a stream of them');
  }
  const mode = o.mode ?? 'all-or-nothing';
  if (mode !== 'all-or-nothing' && mode !== 'skip-bad-rows') throw invalid(`mode must be "all-or-nothing" or "skip-bad-rows", not ${quote(String(mode))}`);
  if (o.delimiter !== undefined && (o.delimiter.length !== 1 || '"\r\n'.includes(o.delimiter))) {
    throw invalid(`delimiter must be one character other than a quote or a line break, not ${quote(o.delimiter)}`);
  }
  const batchSize = o.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) throw invalid('batchSize must be a whole number from 1 to 50000');
  const maxErrors = o.maxErrors ?? 1000;
  if (!Number.isInteger(maxErrors) || maxErrors < 0) throw invalid('maxErrors must be a whole number, 0 or more');
  const mapping: Record<string, SubscriberColumn | null> = {};
  for (const [header, target] of Object.entries(o.mapping ?? {})) {
    if (target === null) mapping[header] = null;
    else {
      const column = typeof target === 'string' ? columnNamed(target) : undefined;
      if (!column) {
        const reason = typeof target === 'string' ? reservedReason(target) : undefined;
        throw invalid(
          reason
            ? `mapping ${quote(header)}: ${quote(target)} cannot be imported: it ${reason}`
            : `mapping ${quote(header)}: ${quote(String(target))} is not a subscriber column (the columns: ${SUBSCRIBER_COLUMNS.join(', ')})`,
        );
      }
      mapping[header] = column;
    }
  }
  return { taskId: o.taskId, source: o.source, mapping, delimiter: o.delimiter, mode, onProgress: o.onProgress, batchSize, maxErrors };
}

/** Reads the file and writes its good rows through `tx`; returns the counts and errors. */
async function load(tx: Queryable, o: Checked, timeZone: string, policy: DuplicatePhones): Promise<SubscriberImportResult> {
  const chunks = textChunks(o.source)[Symbol.asyncIterator]();
  // The first line, to detect the delimiter from.
  let head = '';
  for (;;) {
    const next = await chunks.next();
    if (next.done) break;
    head += next.value;
    if (head.includes('\n')) break;
  }
  const firstNewline = head.indexOf('\n');
  const delimiter = o.delimiter ?? detectDelimiter(firstNewline < 0 ? head : head.slice(0, firstNewline));

  // The physical line the last record parsed ended on: counted as the parser goes (records it parsed
  // just before a fatal error never reach the loop below, but their lines count for the error's line).
  let lastLine = 0;
  const options: Options<Parsed, string[]> = {
    delimiter,
    on_record: (record: string[]): Parsed => {
      const line = ++lastLine;
      for (const field of record) if (field.includes('\n')) lastLine += countNewlines(field, field.length);
      return { line, record };
    },
    relax_column_count: true,
    relax_quotes: true,
    // Empty lines come through as [""] and are skipped below: counting them keeps line numbers right.
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  };
  // csv-parse's overloads type records as string[] unless `columns` is set; on_record may return anything.
  const parser = parse(options as unknown as Options);
  const input = Readable.from(
    (async function* () {
      if (head) yield head;
      for (;;) {
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  // One batch being written while the next is parsed.
  let inFlight: Promise<BatchOutcome> | undefined;
  const flush = async () => {
    const previous = inFlight;
    inFlight = batch!.flush(tx);
    // Awaited below or in `finally`; until then a failure must not count as unhandled.
    inFlight.catch(() => {});
    if (previous) count(await previous);
  };
  let plan: Plan | undefined;
  let batch: WriteBatch | undefined;
  let rowKeys: RowKeys | undefined;
  const result: SubscriberImportResult = { ...NOTHING_IMPORTED, errors: [], delimiter, mapping: {} };
  const addError = (e: SubscriberRowError) => {
    if (result.errors.length < o.maxErrors) result.errors.push(e);
    else result.omittedErrors++;
  };
  const duplicate = (line: number, message: string) => {
    if (policy === 'skip') result.duplicates++;
    else {
      addError({ line, column: 'tel', message: `${message} (the task's duplicatePhones policy is reject)` });
      result.skipped++;
    }
  };
  const count = (b: BatchOutcome) => {
    result.added += b.added;
    result.updated += b.updated;
    result.unchanged += b.unchanged;
    result.kept += b.kept;
    for (const d of b.duplicates) duplicate(d.line, `${d.tel} is already in the task (subscriber ${d.existingId})`);
  };
  let reported = -1;
  const progress = () => {
    if (o.onProgress && reported !== result.rows) o.onProgress(result.rows);
    reported = result.rows;
  };

  try {
    for await (const { line, record } of parser as AsyncIterable<Parsed>) {
      if (isBlank(record)) continue;

      if (!plan) {
        plan = planColumns(record, line, o.mapping);
        result.mapping = plan.mapping;
        batch = new WriteBatch(plan.valueColumns, o.taskId, timeZone, policy);
        rowKeys = new RowKeys(plan, policy);
        continue;
      }
      result.rows++;
      const row = rowValues(record, line, plan, addError);
      const seen = rowKeys!.see(row.cells, line);
      if (seen.kind === 'error') addError(seen.error);
      if (!row.ok || seen.kind === 'error') result.skipped++;
      else if (seen.kind === 'duplicate') duplicate(line, seen.message);
      // In all-or-nothing mode rows are still written after a bad one: the rollback at the end undoes them,
      // and writing is how the rest of the file is checked against the task's rows.
      else
        batch!.add(
          plan.valueSlots.map((slot) => row.cells[slot] as string | null),
          seen.key,
          line,
        );
      if (result.rows % o.batchSize === 0) {
        await flush();
        progress();
        // Let the rest of the process (e.g. the server's other requests) run between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (!plan) throw fatal(1, 'the file is empty: it needs a header row naming the columns (tel is required)');
    await flush();
    count(await inFlight!);
    inFlight = undefined;
    result.imported = result.added + result.updated + result.unchanged + result.kept;
    // Errors found while writing (phone numbers already in the task) came after later rows' own errors.
    result.errors.sort((a, b) => a.line - b.line);
  } catch (error) {
    if (error instanceof CsvError) throw csvFatal(error, lastLine + 1);
    throw error;
  } finally {
    input.destroy();
    parser.destroy();
    // Never leave a statement running when the transaction ends.
    await inFlight?.catch(() => {});
  }
  progress();
  return result;
}

/** A record and the physical line it starts on. */
interface Parsed {
  line: number;
  record: string[];
}

const isBlank = (record: string[]) => record.every((f) => f.trim() === '');

function csvFatal(error: CsvError, line: number) {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return fatal(line, 'a quoted field is never closed (a missing " ?)');
    case 'CSV_MAX_RECORD_SIZE':
      return fatal(line, `a row is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (a quoted field never closed?)`);
    default:
      return fatal(line, `not valid CSV: ${error.message.replace(/\s*at line \d+.*$/s, '')}`);
  }
}

// ---------------------------------------------------------------------------

interface Plan {
  /** Per field of a record: the column it fills, or null (ignored). */
  fields: (SubscriberColumn | null)[];
  /** The columns filled, in table order. */
  columns: SubscriberColumn[];
  /** The columns written as values (all but external_key), and their indexes in `columns`. */
  valueColumns: SubscriberColumn[];
  valueSlots: number[];
  /** Per field: its index in `columns`, or -1. */
  slots: number[];
  mapping: Record<string, SubscriberColumn | null>;
}

/** Which column each header fills; a fatal error (line 1) listing every problem with the header. */
function planColumns(record: string[], line: number, mapping: Record<string, SubscriberColumn | null>): Plan {
  const headers = record.map((h) => h.trim());
  const problems: string[] = [];
  const fields: (SubscriberColumn | null | undefined)[] = headers.map(() => undefined);

  for (const [header, target] of Object.entries(mapping)) {
    let at = headers.indexOf(header.trim());
    if (at < 0) at = headers.findIndex((h) => headerKey(h) === headerKey(header));
    if (at < 0) problems.push(`the mapping names ${quote(header)}, which is not in the header`);
    else fields[at] = target;
  }
  const unknown: string[] = [];
  headers.forEach((header, i) => {
    if (fields[i] !== undefined) return;
    if (header === '') fields[i] = null;
    else {
      const reason = reservedReason(header);
      if (reason) problems.push(`column ${quote(header)} cannot be imported: it ${reason} (map it to null to ignore it)`);
      else if (!(fields[i] = defaultColumn(header) ?? null)) unknown.push(header);
    }
  });
  if (unknown.length > 0) {
    problems.push(
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map(quote).join(', ')} (map ${unknown.length > 1 ? 'them' : 'it'} to a subscriber column, or to null to ignore ${unknown.length > 1 ? 'them' : 'it'})`,
    );
  }
  const firstHeader = new Map<SubscriberColumn, string>();
  headers.forEach((header, i) => {
    const column = fields[i];
    if (!column) return;
    const other = firstHeader.get(column);
    if (other !== undefined) problems.push(`${quote(other)} and ${quote(header)} both fill ${column}`);
    else firstHeader.set(column, header);
  });
  if (!firstHeader.has('tel')) {
    // "79123456789,Ivan,…" on the first line: the header row is missing.
    if (headers.some((h) => /\d{5}/.test(h) && typeof normalisePhone(h) === 'string')) {
      throw fatal(line, 'the first row is data, not a header row: the file must start with a header row naming the columns (tel is required)');
    }
    problems.push('no tel column: the header must name the column with the phone numbers (tel, phone, telephone or number)');
  }
  if (problems.length > 0) throw fatal(line, `the header: ${problems.join('; ')}`);

  const columns = SUBSCRIBER_COLUMNS.filter((c) => firstHeader.has(c));
  const valueColumns = columns.filter((c) => c !== 'external_key');
  const done = fields as (SubscriberColumn | null)[];
  return {
    fields: done,
    columns,
    valueColumns,
    valueSlots: valueColumns.map((c) => columns.indexOf(c)),
    slots: done.map((c) => (c ? columns.indexOf(c) : -1)),
    mapping: Object.fromEntries(record.map((h, i) => [h, done[i]!])),
  };
}

/**
 * The row's cells in `plan.columns` order (undefined: the value is bad, or the row has the wrong number of fields),
 * and whether they are all good; its errors are reported.
 */
function rowValues(record: string[], line: number, plan: Plan, addError: (e: SubscriberRowError) => void): { cells: Cells; ok: boolean } {
  const expected = plan.fields.length;
  const cells: Cells = new Array(plan.columns.length).fill(null);
  if (record.length !== expected && !(record.length > expected && record.slice(expected).every((f) => f.trim() === ''))) {
    addError({ line, message: `has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${expected}` });
    return { cells: cells.fill(undefined), ok: false };
  }
  let ok = true;
  for (let i = 0; i < expected; i++) {
    const column = plan.fields[i];
    if (!column) continue;
    const cell = NORMALISE[column](record[i]!);
    if (cell instanceof Problem) {
      addError({ line, column, message: cell.message });
      cells[plan.slots[i]!] = undefined;
      ok = false;
    } else cells[plan.slots[i]!] = cell;
  }
  if (ok) {
    for (const p of callabilityProblems((column) => cellOf(plan, cells, column) ?? null)) {
      addError({ line, ...p });
      ok = false;
    }
  }
  return { cells, ok };
}

/** A row's cells in `plan.columns` order: the normalised value, null when empty, undefined when bad. */
type Cells = (string | null | undefined)[];

/** The cell of `column` (null when the file has no such column). */
export function cellOf(plan: Pick<Plan, 'columns'>, cells: Cells, column: SubscriberColumn): string | null | undefined {
  const at = plan.columns.indexOf(column);
  return at < 0 ? null : cells[at];
}

type Seen = { kind: 'key'; key: string } | { kind: 'error'; error: SubscriberRowError } | { kind: 'duplicate'; message: string };

/**
 * Keys and phone numbers across the whole file: a key given twice is an
 * error; without a key column a row's key is `tel:<number>#<n>` (the n-th
 * row with that number), which stays the same when other columns change;
 * a phone number on an earlier row is a duplicate unless the task allows them.
 */
class RowKeys {
  private readonly keyLines = new Map<string, number>();
  /** Per phone number: the first line it is on, and how many rows had it so far. */
  private readonly phones = new Map<string, { line: number; n: number }>();

  constructor(
    private readonly plan: Pick<Plan, 'columns'>,
    private readonly policy: DuplicatePhones,
  ) {}

  see(cells: Cells, line: number): Seen {
    const tel = cellOf(this.plan, cells, 'tel');
    const given = this.plan.columns.includes('external_key') ? cellOf(this.plan, cells, 'external_key') : undefined;
    let error: SubscriberRowError | undefined;
    if (typeof given === 'string') {
      const first = this.keyLines.get(given);
      if (first === undefined) this.keyLines.set(given, line);
      else error = { line, column: 'external_key', message: `${quote(given)} is also the key of line ${first}` };
    }
    if (typeof tel !== 'string') return error ? { kind: 'error', error } : { kind: 'key', key: '' };
    const phone = this.phones.get(tel);
    if (phone) phone.n++;
    else this.phones.set(tel, { line, n: 1 });
    if (error) return { kind: 'error', error };
    if (phone && this.policy !== 'allow') return { kind: 'duplicate', message: `${tel} is also on line ${phone.line}` };
    return { kind: 'key', key: given ?? `tel:${tel}#${phone ? phone.n : 1}` };
  }
}

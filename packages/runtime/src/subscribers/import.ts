/**
 * Importing a subscriber list (the rows of `table_out_call` an outbound task
 * dials) from a CSV file with a header row. Used by `tellflow subscribers
 * import` and the HTTP API.
 *
 * The file is read as a stream and inserted in batches (one multi-row INSERT
 * per batch, its values bound as arrays), all in one transaction: a fatal
 * error anywhere in the file, or in all-or-nothing mode any bad row, leaves
 * nothing imported.
 */
import { Readable } from 'node:stream';
import { parse, CsvError, type Options } from 'csv-parse';
import type { Database, Queryable } from '@tellflow/db';
import { invalid, notFound } from '../errors.ts';
import {
  NORMALISE,
  Problem,
  SUBSCRIBER_COLUMNS,
  castExpression,
  columnNamed,
  defaultColumn,
  headerKey,
  normalisePhone,
  quote,
  reservedReason,
  type SubscriberColumn,
} from './columns.ts';
import { countNewlines, detectDelimiter, fatal, textChunks, type SubscriberSource } from './text.ts';

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
  /** Rows stored: 0 when all-or-nothing mode met a bad row. */
  imported: number;
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
export async function importSubscribers(db: Database, options: ImportSubscribersOptions): Promise<SubscriberImportResult> {
  const o = checkOptions(options);
  let result: SubscriberImportResult | undefined;
  try {
    await db.transaction(async (tx) => {
      // KEY SHARE: the task cannot be deleted meanwhile, yet stays free to be updated (started, stopped…).
      const { rows } = await tx.query<{ time_zone: string }>('select time_zone from outbound_tasks where id = $1 for key share', [o.taskId]);
      if (!rows[0]) throw notFound(`outbound task "${o.taskId}"`);
      result = await load(tx, o, rows[0].time_zone);
      if (o.mode === 'all-or-nothing' && result.skipped > 0) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
    result!.imported = 0;
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

/** Reads the file and inserts its good rows through `tx`; returns the counts and errors. */
async function load(tx: Queryable, o: Checked, timeZone: string): Promise<SubscriberImportResult> {
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

  // One INSERT in flight while the next batch is parsed.
  let inFlight: Promise<number> | undefined;
  const flush = async () => {
    const previous = inFlight;
    inFlight = batch!.flush(tx);
    // Awaited below or in `finally`; until then a failure must not count as unhandled.
    inFlight.catch(() => {});
    if (previous) result.imported += await previous;
  };
  let plan: Plan | undefined;
  let batch: Batch | undefined;
  const result: SubscriberImportResult = { imported: 0, skipped: 0, rows: 0, errors: [], omittedErrors: 0, delimiter, mapping: {} };
  const addError = (e: SubscriberRowError) => {
    if (result.errors.length < o.maxErrors) result.errors.push(e);
    else result.omittedErrors++;
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
        batch = new Batch(plan.columns, o.taskId, timeZone);
        continue;
      }
      result.rows++;
      const values = rowValues(record, line, plan, addError);
      if (values === undefined) {
        // All or nothing: the rows before are rolled back, the rows after only checked.
        if (result.skipped++ === 0 && o.mode === 'all-or-nothing') batch!.clear();
      } else if (o.mode === 'skip-bad-rows' || result.skipped === 0) batch!.add(values);
      if (result.rows % o.batchSize === 0) {
        await flush();
        progress();
        // Let the rest of the process (e.g. the server's other requests) run between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (!plan) throw fatal(1, 'the file is empty: it needs a header row naming the columns (tel is required)');
    await flush();
    result.imported += await inFlight!;
    inFlight = undefined;
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
  const done = fields as (SubscriberColumn | null)[];
  return {
    fields: done,
    columns,
    slots: done.map((c) => (c ? columns.indexOf(c) : -1)),
    mapping: Object.fromEntries(record.map((h, i) => [h, done[i]!])),
  };
}

/** The row's values in `plan.columns` order, or undefined after reporting its errors. */
function rowValues(record: string[], line: number, plan: Plan, addError: (e: SubscriberRowError) => void): (string | null)[] | undefined {
  const expected = plan.fields.length;
  if (record.length !== expected && !(record.length > expected && record.slice(expected).every((f) => f.trim() === ''))) {
    addError({ line, message: `has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${expected}` });
    return undefined;
  }
  const values: (string | null)[] = new Array(plan.columns.length).fill(null);
  let ok = true;
  for (let i = 0; i < expected; i++) {
    const column = plan.fields[i];
    if (!column) continue;
    const cell = NORMALISE[column](record[i]!);
    if (cell instanceof Problem) {
      addError({ line, column, message: cell.message });
      ok = false;
    } else values[plan.slots[i]!] = cell;
  }
  return ok ? values : undefined;
}

/** Rows waiting to be inserted, held column by column: one array parameter per column. */
class Batch {
  private arrays: (string | null)[][];
  private readonly sql: string;
  private readonly fixed: unknown[];

  constructor(columns: SubscriberColumn[], taskId: string, timeZone: string) {
    this.arrays = columns.map(() => []);
    const n = columns.length;
    const withZone = columns.includes('date_call');
    const names = columns.map((c) => `"${c}"`).join(', ');
    // Identifiers come from SUBSCRIBER_COLUMNS only; every value is a bound parameter.
    this.sql =
      `insert into table_out_call (${names}, task_id) ` +
      `select ${columns.map((c) => castExpression(c, `$${n + 2}`)).join(', ')}, $${n + 1} ` +
      `from unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) with ordinality as u(${names}, ord) order by u.ord`;
    this.fixed = withZone ? [taskId, timeZone] : [taskId];
  }

  add(values: (string | null)[]): void {
    for (let i = 0; i < values.length; i++) this.arrays[i]!.push(values[i]!);
  }

  clear(): void {
    this.arrays = this.arrays.map(() => []);
  }

  /** Starts inserting the waiting rows (the batch is empty again at once); resolves to how many. */
  async flush(tx: Queryable): Promise<number> {
    const arrays = this.arrays;
    const count = arrays[0]!.length;
    if (count === 0) return 0;
    this.clear();
    await tx.query(this.sql, [...arrays, ...this.fixed]);
    return count;
  }
}

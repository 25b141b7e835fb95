import { userInfo } from 'node:os';
import {
  RuntimeError,
  SUBSCRIBER_COLUMNS,
  columnNamed,
  formatImportError,
  importSubscribers,
  NOTHING_IMPORTED,
  type SubscriberImportResult,
  type SubscriberRowError,
} from '@tellflow/runtime';
import { openProductDatabase } from '../databases.ts';
import { describeFsError, type Io } from '../io.ts';
import { table, withProduct, withReads } from '../management.ts';
import { EXIT, parseCommandArgs, plural, usageError, type Command } from './command.ts';

/** What `--json` prints (after the import ran, whatever its outcome). */
export interface SubscribersImportReport {
  ok: boolean;
  task: string;
  imported: number;
  added: number;
  updated: number;
  unchanged: number;
  kept: number;
  duplicates: number;
  skipped: number;
  rows: number;
  errors: SubscriberRowError[];
  omittedErrors: number;
  /** The whole file was refused (e.g. no tel column): `errors` holds the one error. */
  fatal?: boolean;
}

/** Progress goes to stderr every this many rows. */
export const PROGRESS_EVERY = 10_000;

export const subscribers: Command = {
  name: 'subscribers',
  summary: 'import, list and reset the subscribers of outbound tasks',
  usage: `Usage: tellflow subscribers import FILE --task ID [--map HEADER=COLUMN]… [--delimiter X] [--skip-bad-rows] [--json]
       tellflow subscribers list [--task ID] [--status S] [--due-before TIME] [--limit N] [--cursor C] [--json]
       tellflow subscribers reset (--ids 1,2,… | --task ID [--status S,…]) --to new|callback [--due-at TIME]

Works on the database that "tellflow serve" uses (DATABASE_URL, or the
embedded database under TELLFLOW_DATA_DIR, default ./data).

import   adds the rows of a CSV file to the subscriber list (table_out_call)
         of the outbound task ID; a row the task has already (same key, see
         below) is updated instead.
list     subscribers by due time (rows without one last), then Id: status
         (S is new, 10, 11, 12 or another number), due time, operator, name
         and the reason Tellflow gave for the status. TIME is ISO 8601, e.g.
         2026-11-22T18:00:00+03:00. Prints the next page's --cursor.
reset    sets rows to new (status empty, no operator: dialled again) or to a
         callback (status 10, due at --due-at, default now, by the row's
         operator), with the status reason "reset by <you> (command line)".
         Refused, and nothing changes, while a row is served by a live
         execution (cancel it first) or when a callback row has no operator.

The file starts with a header row. Its headers are matched to the columns
by name, ignoring case, spaces and underscores, or by a common alias:
  tel              phone, telephone, number, телефон (required)
  first_name       first name, имя         last_name   last name, фамилия
  order_id         order id, id заказа     owner_id    owner id, id владельца
  comments         comment, комментарии    operator_number  operator, оператор
  callaftermin     minutes, a whole number above 0
  date_callback    YYYY-MM-DD or DD.MM.YYYY
  time_callback    HH:MM or HH:MM:SS
  status           empty (new), 10 (call back), 12 (done) or another number;
                   not 11 (being served: Tellflow's own state)
  date_call        YYYY-MM-DD HH:MM[:SS][+HH:MM]; without an offset, in the
                   task's time zone
  external_key     key, external id, ключ: the row's own key (see below)
Phone numbers lose their spaces, dashes and parentheses ("+7 (912) 345-67-89"
is stored as "+79123456789"). Any other header is an error unless --map
names its column or ignores it (a file's own "Id" column: --map Id=external_key).
The file is UTF-8 (a byte-order mark is fine) or UTF-16 with a byte-order mark.

A row with status 10 needs operator_number and a time (callaftermin, or
date_callback with time_callback): otherwise it is an error, never a row
that is never called.

Importing the same file again changes nothing. Each row has a key: its key
column, or without one its phone number (the 2nd row with one number is
another key than the 1st). A row whose key the task has is updated if the
file changed it and the row is new or waiting for its callback (status 10);
a row being served (11) or done (12) is kept as it is. A phone number the
task has under another key, or twice in the file, follows the task's policy
(tellflow tasks update ID --duplicate-phones reject|skip|allow): reject (the
default) makes those rows errors, skip leaves them out, allow imports them.

By default the file is imported all or nothing: one bad row and nothing is
imported, and every bad row is listed. With --skip-bad-rows the good rows
are imported and the bad ones listed. A file that cannot be read as a
subscriber list at all (no header row, no tel column, a quote never closed)
is never imported in part.

With the embedded database, stop "tellflow serve" first: its data directory
serves one process at a time.

Options:
  --task ID              the outbound task (required)
  --map HEADER=COLUMN    fill COLUMN from the file's HEADER; "HEADER=" ignores
                         that column of the file (repeatable)
  --delimiter X          the field delimiter: "," ";" "tab" or one character
                         (default: whichever of , ; and tab the header uses)
  --skip-bad-rows        import the good rows even if some rows are bad
  --json                 print {"ok", "task", "imported", "added", "updated",
                         "unchanged", "kept", "duplicates", "skipped", "rows",
                         "errors": [{"line", "column", "message"}],
                         "omittedErrors", "fatal"} instead (list: the rows)
  -h, --help             show this help

Prints one line per bad row ("line 7: tel: "abc" is not a phone number", the
line of the file the row starts on), then "imported N subscribers into task
ID" and, unless all were new, how many were added, updated, unchanged, kept
or left out as duplicates. Progress goes to stderr every ${PROGRESS_EVERY.toLocaleString('en')} rows.

Exit status:
  0  every row was imported; the list was printed; the rows were reset
  1  rows were rejected (with --skip-bad-rows the others were imported,
     otherwise nothing was), or the file is not a subscriber list; reset
     refused (a live execution, no operator, unknown rows or task)
  2  bad arguments, the file could not be read, the task does not exist, or
     the database could not be opened: nothing was imported
`,
  async run(args, io) {
    const parsed = parseCommandArgs(
      subscribers,
      args,
      {
        task: { type: 'string' },
        map: { type: 'string', multiple: true },
        delimiter: { type: 'string' },
        'skip-bad-rows': { type: 'boolean' },
        json: { type: 'boolean' },
        status: { type: 'string' },
        'due-before': { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        ids: { type: 'string' },
        to: { type: 'string' },
        'due-at': { type: 'string' },
      },
      io,
    );
    if (!parsed) return EXIT.usage;
    const [action, ...files] = parsed.positionals;
    if (action === undefined) return usageError(subscribers, 'no subcommand given (import, list or reset)', io);
    if (action === 'list' || action === 'reset') {
      if (files.length > 0) return usageError(subscribers, `unexpected ${files.map((f) => `"${f}"`).join(' ')}`, io);
      return action === 'list' ? list(parsed.values, io) : reset(parsed.values, io);
    }
    if (action !== 'import') return usageError(subscribers, `unknown subcommand "${action}" (import, list or reset)`, io);
    if (files.length === 0) return usageError(subscribers, 'no file given', io);
    if (files.length > 1) return usageError(subscribers, `give one file, not ${files.length}`, io);
    const file = files[0]!;
    const taskId = parsed.values.task;
    if (taskId === undefined || taskId === '') return usageError(subscribers, 'missing --task ID', io);

    const mapping: Record<string, string | null> = {};
    for (const entry of parsed.values.map ?? []) {
      const eq = entry.lastIndexOf('=');
      const header = eq < 0 ? '' : entry.slice(0, eq);
      if (header.trim() === '') return usageError(subscribers, `--map ${JSON.stringify(entry)}: expected HEADER=COLUMN`, io);
      const target = entry.slice(eq + 1).trim();
      if (target !== '' && !columnNamed(target)) {
        return usageError(
          subscribers,
          `--map ${JSON.stringify(entry)}: "${target}" is not a subscriber column (the columns: ${SUBSCRIBER_COLUMNS.join(', ')})`,
          io,
        );
      }
      mapping[header] = target === '' ? null : target;
    }

    let delimiter: string | undefined;
    if (parsed.values.delimiter !== undefined) {
      const d = parsed.values.delimiter;
      delimiter = d === 'tab' || d === '\\t' ? '\t' : d;
      if (delimiter.length !== 1 || '"\r\n'.includes(delimiter)) {
        return usageError(subscribers, `--delimiter ${JSON.stringify(d)}: expected one character or "tab"`, io);
      }
    }

    let bytes: Uint8Array;
    try {
      bytes = await io.readFile(file);
    } catch (error) {
      io.stderr(`tellflow subscribers: cannot read ${file}: ${describeFsError(error)}\nnothing imported\n`);
      return EXIT.usage;
    }

    const opened = await openProductDatabase({ existing: true });
    if (!opened.ok) {
      io.stderr(`tellflow subscribers: ${opened.error}\nnothing imported\n`);
      return EXIT.usage;
    }
    const json = parsed.values.json === true;
    let shown = 0;
    let result: SubscriberImportResult;
    try {
      result = await importSubscribers(opened.db, {
        taskId,
        source: bytes,
        mapping,
        ...(delimiter !== undefined ? { delimiter } : {}),
        mode: parsed.values['skip-bad-rows'] ? 'skip-bad-rows' : 'all-or-nothing',
        onProgress(rows) {
          if (Math.floor(rows / PROGRESS_EVERY) > shown) {
            shown = Math.floor(rows / PROGRESS_EVERY);
            io.stderr(`tellflow subscribers: ${rows.toLocaleString('en')} rows read…\n`);
          }
        },
      });
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      if (error.status === 404) {
        io.stderr(`tellflow subscribers: ${error.message}\nnothing imported\n`);
        return EXIT.usage;
      }
      // The whole file was refused.
      const errors = (error.details as { errors?: SubscriberRowError[] } | undefined)?.errors ?? [];
      if (json) {
        const report: SubscribersImportReport = { ok: false, task: taskId, ...NOTHING_IMPORTED, errors, fatal: true };
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      }
      io.stderr(`tellflow subscribers: ${file}: ${error.message}\nnothing imported\n`);
      return EXIT.failed;
    } finally {
      await opened.db.close();
    }

    const ok = result.skipped === 0;
    const refused = !ok && result.imported === 0 && !parsed.values['skip-bad-rows'];
    if (json) {
      const { imported, added, updated, unchanged, kept, duplicates, skipped, rows, errors, omittedErrors } = result;
      const report: SubscribersImportReport = { ok, task: taskId, imported, added, updated, unchanged, kept, duplicates, skipped, rows, errors, omittedErrors };
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const e of result.errors) io.stdout(`${formatImportError(e)}\n`);
      if (result.omittedErrors > 0) io.stdout(`… and ${plural(result.omittedErrors, 'more error')}\n`);
      if (refused) {
        io.stdout(`${plural(result.skipped, 'bad row')} of ${result.rows}: nothing imported into task ${taskId} (--skip-bad-rows imports the good rows)\n`);
      } else {
        const notes = [
          ...(result.added === result.imported ? [] : [`${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged`]),
          ...(result.kept > 0 ? [`${result.kept} kept as they are (being served or done)`] : []),
          ...(result.duplicates > 0 ? [`${plural(result.duplicates, 'duplicate phone number')} left out`] : []),
          ...(result.skipped > 0 ? [`${plural(result.skipped, 'bad row')} skipped`] : []),
        ];
        io.stdout(`imported ${plural(result.imported, 'subscriber')} into task ${taskId}${notes.length ? ` (${notes.join('; ')})` : ''}\n`);
      }
    }
    if (refused) io.stderr('tellflow subscribers: nothing imported\n');
    return ok ? EXIT.ok : EXIT.failed;
  },
};

type Values = Record<string, string | boolean | string[] | undefined>;

const text = (v: Values, name: string) => v[name] as string | undefined;

/** `--status 10` / `new`: a status as the list and reset take it, or undefined when it is not one. */
const statusOf = (s: string): 'new' | number | undefined => (s === 'new' ? 'new' : /^-?\d{1,9}$/.test(s) ? Number(s) : undefined);

function isoTime(value: string | undefined): string | undefined | null {
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : null;
}

async function list(v: Values, io: Io): Promise<number> {
  const status = text(v, 'status');
  const due = isoTime(text(v, 'due-before'));
  const limit = text(v, 'limit');
  if (status !== undefined && statusOf(status) === undefined)
    return usageError(subscribers, `--status must be new, 10, 11, 12 or another number, not "${status}"`, io);
  if (due === null) return usageError(subscribers, `--due-before must be a time like 2026-11-22T18:00:00+03:00, not "${text(v, 'due-before')}"`, io);
  if (limit !== undefined && !/^([1-9]\d{0,2}|1000)$/.test(limit))
    return usageError(subscribers, `--limit must be a number from 1 to 1000, not "${limit}"`, io);
  return withReads(io, subscribers.name, async (product) => {
    const page = await product.subscribers.list({
      ...(text(v, 'task') !== undefined ? { task: text(v, 'task') } : {}),
      ...(status !== undefined ? { status: statusOf(status) } : {}),
      ...(due ? { dueBefore: due } : {}),
      ...(limit !== undefined ? { limit: Number(limit) } : {}),
      ...(text(v, 'cursor') !== undefined ? { cursor: text(v, 'cursor') } : {}),
    });
    if (v.json) {
      io.stdout(`${JSON.stringify(page, null, 2)}\n`);
      return EXIT.ok;
    }
    if (page.subscribers.length === 0) {
      io.stdout('no subscribers\n');
      return EXIT.ok;
    }
    io.stdout(
      table([
        ['ID', 'TASK', 'TEL', 'STATUS', 'DUE', 'OPERATOR', 'NAME', 'REASON'],
        ...page.subscribers.map((s) => [
          String(s.id),
          s.taskId ?? '',
          s.tel,
          s.status === null ? 'new' : String(s.status),
          s.dueAt ? s.dueAt.toISOString() : '',
          s.operatorNumber ?? '',
          [s.firstName, s.lastName].filter(Boolean).join(' '),
          s.statusReason ?? '',
        ]),
      ]),
    );
    io.stdout(`${page.subscribers.length} of ${page.total}${page.nextCursor ? `; next page: --cursor ${page.nextCursor}` : ''}\n`);
    return EXIT.ok;
  });
}

async function reset(v: Values, io: Io): Promise<number> {
  const ids = text(v, 'ids');
  const task = text(v, 'task');
  const to = text(v, 'to');
  const statuses = text(v, 'status')
    ?.split(',')
    .map((s) => s.trim());
  const dueAt = isoTime(text(v, 'due-at'));
  if ((ids === undefined) === (task === undefined)) return usageError(subscribers, 'reset needs --ids 1,2,… or --task ID', io);
  if (ids !== undefined && !/^\d{1,10}(,\d{1,10})*$/.test(ids.replaceAll(' ', '')))
    return usageError(subscribers, `--ids must be subscriber ids like 17,18, not "${ids}"`, io);
  if (statuses && ids !== undefined) return usageError(subscribers, '--status filters the rows of --task ID', io);
  if (statuses?.some((s) => statusOf(s) === undefined))
    return usageError(subscribers, `--status must be a list of new, 10, 11, 12 or other numbers, not "${text(v, 'status')}"`, io);
  if (to !== 'new' && to !== 'callback') return usageError(subscribers, `--to must be new or callback${to === undefined ? '' : `, not "${to}"`}`, io);
  if (dueAt === null) return usageError(subscribers, `--due-at must be a time like 2026-11-22T18:00:00+03:00, not "${text(v, 'due-at')}"`, io);
  if (dueAt && to !== 'callback') return usageError(subscribers, '--due-at is for --to callback', io);
  return withProduct(io, subscribers.name, async (product) => {
    const done = await product.subscribers.reset(
      {
        ...(ids !== undefined ? { ids: ids.replaceAll(' ', '').split(',').map(Number) } : { task }),
        ...(statuses ? { status: statuses.map(statusOf) } : {}),
        to,
        ...(dueAt ? { dueAt } : {}),
      },
      `${userInfo().username} (command line)`,
    );
    io.stdout(`reset ${plural(done.reset, 'subscriber')} to ${to === 'new' ? 'new' : `a callback due ${dueAt ?? 'now'}`}\n`);
    return EXIT.ok;
  });
}

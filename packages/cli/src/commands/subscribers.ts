import {
  RuntimeError,
  SUBSCRIBER_COLUMNS,
  columnNamed,
  formatImportError,
  importSubscribers,
  type SubscriberImportResult,
  type SubscriberRowError,
} from '@tellflow/runtime';
import { openProductDatabase } from '../databases.ts';
import { describeFsError } from '../io.ts';
import { EXIT, parseCommandArgs, plural, usageError, type Command } from './command.ts';

/** What `--json` prints (after the import ran, whatever its outcome). */
export interface SubscribersImportReport {
  ok: boolean;
  task: string;
  imported: number;
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
  summary: 'import the subscriber list of an outbound task from a CSV file',
  usage: `Usage: tellflow subscribers import FILE --task ID [--map HEADER=COLUMN]… [--delimiter X] [--skip-bad-rows] [--json]

Adds the rows of a CSV file to the subscriber list (table_out_call) of the
outbound task ID, as new subscribers, in the database that "tellflow serve"
uses (DATABASE_URL, or the embedded database under TELLFLOW_DATA_DIR,
default ./data).

The file starts with a header row. Its headers are matched to the columns
by name, ignoring case, spaces and underscores, or by a common alias:
  tel              phone, telephone, number, телефон (required)
  first_name       first name, имя         last_name   last name, фамилия
  order_id         order id, id заказа     owner_id    owner id, id владельца
  comments         comment, комментарии    operator_number  operator, оператор
  callaftermin     minutes, a whole number above 0
  date_callback    YYYY-MM-DD or DD.MM.YYYY
  time_callback    HH:MM or HH:MM:SS
  status           empty (new), 10, 11, 12
  date_call        YYYY-MM-DD HH:MM[:SS][+HH:MM]; without an offset, in the
                   task's time zone
Phone numbers lose their spaces, dashes and parentheses ("+7 (912) 345-67-89"
is stored as "+79123456789"). Any other header is an error unless --map
names its column or ignores it. The file is UTF-8 (a byte-order mark is
fine) or UTF-16 with a byte-order mark.

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
  --json                 print {"ok", "task", "imported", "skipped", "rows",
                         "errors": [{"line", "column", "message"}],
                         "omittedErrors", "fatal"} instead
  -h, --help             show this help

Prints one line per bad row ("line 7: tel: "abc" is not a phone number", the
line of the file the row starts on), then "imported N subscribers into task
ID". Progress goes to stderr every ${PROGRESS_EVERY.toLocaleString('en')} rows.

Exit status:
  0  every row was imported
  1  rows were rejected (with --skip-bad-rows the others were imported,
     otherwise nothing was), or the file is not a subscriber list
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
      },
      io,
    );
    if (!parsed) return EXIT.usage;
    const [action, ...files] = parsed.positionals;
    if (action === undefined) return usageError(subscribers, 'no subcommand given (the subcommand is "import")', io);
    if (action !== 'import') return usageError(subscribers, `unknown subcommand "${action}" (the subcommand is "import")`, io);
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
        const report: SubscribersImportReport = { ok: false, task: taskId, imported: 0, skipped: 0, rows: 0, errors, omittedErrors: 0, fatal: true };
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
      const { imported, skipped, rows, errors, omittedErrors } = result;
      const report: SubscribersImportReport = { ok, task: taskId, imported, skipped, rows, errors, omittedErrors };
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const e of result.errors) io.stdout(`${formatImportError(e)}\n`);
      if (result.omittedErrors > 0) io.stdout(`… and ${plural(result.omittedErrors, 'more error')}\n`);
      if (refused) {
        io.stdout(`${plural(result.skipped, 'bad row')} of ${result.rows}: nothing imported into task ${taskId} (--skip-bad-rows imports the good rows)\n`);
      } else {
        const skipped = result.skipped > 0 ? ` (${plural(result.skipped, 'bad row')} skipped)` : '';
        io.stdout(`imported ${plural(result.imported, 'subscriber')} into task ${taskId}${skipped}\n`);
      }
    }
    if (refused) io.stderr('tellflow subscribers: nothing imported\n');
    return ok ? EXIT.ok : EXIT.failed;
  },
};

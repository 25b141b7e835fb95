import { writeFile } from 'node:fs/promises';
import { RuntimeError, type ScenarioVersion } from '@tellflow/runtime';
import { openReads } from '../management.ts';
import { describeFsError } from '../io.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

/** The file text of a stored document: keys in the order they were imported, two-space indent. */
export function renderDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'print a stored scenario version as a scenario file',
  usage: `Usage: tellflow export ID [--version N] [--out FILE]

Prints a scenario version stored in the database that "tellflow serve" uses
(DATABASE_URL, or the embedded database under TELLFLOW_DATA_DIR, default
./data) as a scenario file: "tellflow import" of that file stores the same
document again. Keys keep the order they were imported in; the layout is
JSON with a two-space indent. While "tellflow serve" runs on the embedded
database, the version is read through it.

Options:
  --version N  the version to export (default: the latest, published or not)
  --out FILE   write the file there instead of printing it
  -h, --help   show this help

Exit status:
  0  exported
  1  no such scenario or version
  2  bad arguments, the database could not be opened or FILE not written
`,
  async run(args, io) {
    const parsed = parseCommandArgs(exportCommand, args, { version: { type: 'string' }, out: { type: 'string' } }, io);
    if (!parsed) return EXIT.usage;
    const [id, ...extra] = parsed.positionals;
    if (id === undefined) return usageError(exportCommand, 'no scenario id given', io);
    if (extra.length > 0) return usageError(exportCommand, `give one scenario id, not ${parsed.positionals.length}`, io);
    const versionText = parsed.values.version;
    if (versionText !== undefined && !/^[1-9]\d{0,8}$/.test(versionText)) {
      return usageError(exportCommand, `--version must be a version number (1, 2, …), not "${versionText}"`, io);
    }
    const out = parsed.values.out;
    if (out === '') return usageError(exportCommand, '--out needs a file name', io);

    const opened = await openReads();
    if (!opened.ok) {
      io.stderr(`tellflow export: ${opened.error}\n`);
      // No database at all: the scenario is simply not there.
      return opened.missing ? EXIT.failed : EXIT.usage;
    }
    let version: ScenarioVersion;
    try {
      version = await opened.reads.scenarios.version(id, versionText === undefined ? undefined : Number(versionText));
    } catch (error) {
      if (!(error instanceof RuntimeError) || error.status !== 404) throw error;
      io.stderr(`tellflow export: ${error.message}\n`);
      return EXIT.failed;
    } finally {
      await opened.close();
    }

    const text = renderDocument(version.document);
    if (out === undefined) {
      io.stdout(text);
      return EXIT.ok;
    }
    try {
      await writeFile(out, text);
    } catch (error) {
      io.stderr(`tellflow export: cannot write ${out}: ${describeFsError(error)}\n`);
      return EXIT.usage;
    }
    io.stdout(`exported ${version.scenarioId} v${version.version} to ${out}\n`);
    return EXIT.ok;
  },
};

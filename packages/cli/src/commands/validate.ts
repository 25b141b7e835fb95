import { formatIssue, isJsonObject, parseJsonText, validateSet, type Issue, type SetEntry } from '@tellflow/engine';
import { describeFsError } from '../io.ts';
import { uniqueFiles } from '../scenario-files.ts';
import { EXIT, parseCommandArgs, plural, usageError, type Command } from './command.ts';

export interface FileReport {
  file: string;
  ok: boolean;
  issues: Issue[];
}

/** What `--json` prints. */
export interface ValidateReport {
  ok: boolean;
  files: FileReport[];
}

export const validate: Command = {
  name: 'validate',
  summary: 'check scenario files (errors name the node and field)',
  usage: `Usage: tellflow validate FILE… [--json]

Checks scenario files against the scenario format (docs/scenario-format.md).
The files are checked together, so a runScenario node may refer to a
scenario given in another file, and two files may not share a scenario id.

Prints one line per problem, then a summary. Warnings (e.g. an unreachable
node) do not make a file invalid.

Options:
  --json       print {"ok", "files": [{"file", "ok", "issues"}]} instead
  -h, --help   show this help

Exit status:
  0  every file is valid (warnings allowed)
  1  some file has errors
  2  bad arguments, or a file could not be read
`,
  async run(args, io) {
    const parsed = parseCommandArgs(validate, args, { json: { type: 'boolean' } }, io);
    if (!parsed) return EXIT.usage;
    const files = uniqueFiles(parsed.positionals);
    if (files.length === 0) return usageError(validate, 'no files given', io);

    const reports = new Map<string, FileReport>();
    const entries: SetEntry[] = [];
    const unreadable = new Set<string>();
    for (const file of files) {
      let bytes: Uint8Array;
      try {
        bytes = await io.readFile(file);
      } catch (error) {
        const reason = describeFsError(error);
        unreadable.add(file);
        io.stderr(`tellflow validate: cannot read ${file}: ${reason}\n`);
        reports.set(file, { file, ok: false, issues: [{ severity: 'error', path: '', message: `cannot read file: ${reason}` }] });
        continue;
      }
      const text = parseJsonText(bytes);
      if (!text.ok) reports.set(file, { file, ok: false, issues: [{ severity: 'error', path: '', message: text.error }] });
      else entries.push({ source: file, doc: text.value });
    }
    // A file with errors still names its scenario: a runScenario pointing at it is not an "unknown scenario" too.
    const knownScenarioIds = entries.flatMap((e) => (isJsonObject(e.doc) && typeof e.doc.id === 'string' ? [e.doc.id] : []));
    for (const r of validateSet(entries, { knownScenarioIds }).results) reports.set(r.source, { file: r.source, ok: r.ok, issues: r.issues });

    const ordered = files.map((f) => reports.get(f)!);
    const report: ValidateReport = { ok: ordered.every((r) => r.ok), files: ordered };
    if (parsed.values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else {
      // Unreadable files were already reported on stderr.
      const readable = ordered.filter((r) => !unreadable.has(r.file));
      for (const r of readable) for (const issue of r.issues) io.stdout(`${formatIssue(issue, r.file)}\n`);
      io.stdout(`${summary(readable, unreadable.size)}\n`);
    }
    if (unreadable.size > 0) return EXIT.usage;
    return report.ok ? EXIT.ok : EXIT.failed;
  },
};

/** `3 files: 2 valid, 1 invalid (4 errors, 1 warning)`. */
export function summary(reports: FileReport[], unreadable = 0): string {
  const all = reports.flatMap((r) => r.issues);
  const errors = all.filter((i) => i.severity === 'error').length;
  const warnings = all.length - errors;
  const valid = reports.filter((r) => r.ok).length;
  const counts = [`${valid} valid`, `${reports.length - valid} invalid`, ...(unreadable ? [`${unreadable} unreadable`] : [])];
  const details = [...(errors ? [plural(errors, 'error')] : []), ...(warnings ? [plural(warnings, 'warning')] : [])];
  return `${plural(reports.length + unreadable, 'file')}: ${counts.join(', ')}${details.length ? ` (${details.join(', ')})` : ''}`;
}

/**
 * Scenario files for the verbs that take them (`import`, `run`): read as
 * bytes, parsed the way `validate` parses them, reported the way it reports.
 */
import { resolve } from 'node:path';
import { formatIssue, isJsonObject, parseJsonText, referencedScenarioIds, type Issue, type Scenario, type SetEntry } from '@tellflow/engine';
import type { Command } from './commands/command.ts';
import type { FileReport } from './commands/validate.ts';
import { describeFsError, type Io } from './io.ts';

export interface ReadFiles {
  /** Files that parsed as JSON, in the order given. */
  entries: SetEntry[];
  /** Files that are not JSON text: one error each. */
  unparsable: FileReport[];
  /** Files that could not be read (already reported on stderr). */
  unreadable: string[];
}

export async function readScenarioFiles(command: Pick<Command, 'name'>, files: string[], io: Io): Promise<ReadFiles> {
  const out: ReadFiles = { entries: [], unparsable: [], unreadable: [] };
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await io.readFile(file);
    } catch (error) {
      out.unreadable.push(file);
      io.stderr(`tellflow ${command.name}: cannot read ${file}: ${describeFsError(error)}\n`);
      continue;
    }
    const text = parseJsonText(bytes);
    if (text.ok) out.entries.push({ source: file, doc: text.value });
    else out.unparsable.push({ file, ok: false, issues: [{ severity: 'error', path: '', message: text.error }] });
  }
  return out;
}

/** The same file named twice (e.g. by overlapping globs) counts once. */
export function uniqueFiles(files: string[]): string[] {
  const seen = new Set<string>();
  return files.filter((f) => {
    const key = resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The id a document claims, valid or not (so a reference to it is not also "unknown"). */
export function claimedId(doc: unknown): string | undefined {
  return isJsonObject(doc) && typeof doc.id === 'string' ? doc.id : undefined;
}

/** One `file: severity node "x" at path: message` line per issue, as `validate` prints them. */
export function printIssues(io: Io, reports: readonly { file: string; issues: readonly Issue[] }[]): void {
  for (const r of reports) for (const issue of r.issues) io.stdout(`${formatIssue(issue, r.file)}\n`);
}

/** The scenarios a scenario refers to (e.g. starts with runScenario nodes). */
export function referencesOf(scenario: Scenario): string[] {
  return referencedScenarioIds(scenario);
}

/** Scenarios that others run come first, so publishing in this order finds every reference published. */
export { dependencyOrder } from '@tellflow/runtime';

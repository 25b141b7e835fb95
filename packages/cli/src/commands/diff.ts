import { describeDiff, diffScenarios, formatIssue, parseJsonText, validateScenario, type Scenario } from '@tellflow/engine';
import { RuntimeError } from '@tellflow/runtime';
import { openReads } from '../management.ts';
import { describeFsError } from '../io.ts';
import { parseCommandArgs, usageError, type Command } from './command.ts';

/** As diff(1): scripts can ask "would publishing change anything?". */
const SAME = 0;
const DIFFERENT = 1;
const TROUBLE = 2;

const VERSION = /^[1-9]\d{0,8}$/;

export const diff: Command = {
  name: 'diff',
  summary: 'what changed between two versions of a scenario (or a file and a version)',
  usage: `Usage: tellflow diff ID [--from N] [--to N | --file FILE] [--json]

Compares two versions of a scenario stored in the database that "tellflow
serve" uses (DATABASE_URL, or the embedded database under TELLFLOW_DATA_DIR,
default ./data): nodes added and removed, each changed field of a node by
its path (e.g. params.query), edges added and removed, and the scenario's
own fields. Moving nodes on the canvas is listed apart, as layout. While
"tellflow serve" runs on the embedded database, the versions are read
through it.

By default it compares the published version with the latest one: what
publishing the latest would change.

Options:
  --from N     the version to compare from (default: the published one)
  --to N       the version to compare to (default: the latest one)
  --file FILE  compare to this scenario file instead (e.g. before importing it)
  --json       print {"from", "to", "same", "scenario", "nodes", "edges", "layout"}
  -h, --help   show this help

Exit status (as diff(1)):
  0  no differences
  1  differences
  2  bad arguments, no such scenario or version, an unreadable or invalid
     FILE, or the database could not be opened
`,
  async run(args, io) {
    const parsed = parseCommandArgs(diff, args, { from: { type: 'string' }, to: { type: 'string' }, file: { type: 'string' }, json: { type: 'boolean' } }, io);
    if (!parsed) return TROUBLE;
    const [id, ...extra] = parsed.positionals;
    if (id === undefined) return usageError(diff, 'no scenario id given', io);
    if (extra.length > 0) return usageError(diff, `give one scenario id, not ${parsed.positionals.length}`, io);
    const { from, to, file, json } = parsed.values;
    for (const [name, value] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (value !== undefined && !VERSION.test(value)) return usageError(diff, `--${name} must be a version number (1, 2, …), not "${value}"`, io);
    }
    if (to !== undefined && file !== undefined) return usageError(diff, 'give --to or --file, not both', io);
    if (file === '') return usageError(diff, '--file needs a file name', io);

    let fileDoc: Scenario | undefined;
    if (file !== undefined) {
      const loaded = await readScenarioFile(file, id, io);
      if (!loaded) return TROUBLE;
      fileDoc = loaded;
    }

    const opened = await openReads();
    if (!opened.ok) {
      io.stderr(`tellflow diff: ${opened.error}\n`);
      return TROUBLE;
    }
    let before: { version: number | null; document: Scenario };
    let after: { version: number | null; document: Scenario };
    try {
      const store = opened.reads.scenarios;
      const summary = await store.get(id);
      const fromVersion = from !== undefined ? Number(from) : summary.publishedVersion;
      if (fromVersion === null) {
        io.stderr(`tellflow diff: scenario "${id}" has no published version: give --from N\n`);
        return TROUBLE;
      }
      before = await store.version(id, fromVersion);
      after = fileDoc ? { version: null, document: fileDoc } : await store.version(id, to !== undefined ? Number(to) : summary.latestVersion);
    } catch (error) {
      if (!(error instanceof RuntimeError) || error.status !== 404) throw error;
      io.stderr(`tellflow diff: ${error.message}\n`);
      return TROUBLE;
    } finally {
      await opened.close();
    }

    const d = diffScenarios(before.document, after.document);
    if (json) io.stdout(`${JSON.stringify({ from: before.version, to: after.version ?? file, ...d })}\n`);
    else {
      const target = after.version === null ? file : `v${after.version}`;
      io.stdout(`${id}: v${before.version} → ${target}${d.same ? ': no differences' : ''}\n`);
      for (const line of describeDiff(d)) io.stdout(`  ${line}\n`);
    }
    return d.same ? SAME : DIFFERENT;
  },
};

/** A valid scenario file whose id is `id`, or undefined after saying why not. */
async function readScenarioFile(file: string, id: string, io: Parameters<Command['run']>[1]): Promise<Scenario | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(file);
  } catch (error) {
    io.stderr(`tellflow diff: cannot read ${file}: ${describeFsError(error)}\n`);
    return undefined;
  }
  const text = parseJsonText(bytes);
  if (!text.ok) {
    io.stderr(`tellflow diff: ${file}: ${text.error}\n`);
    return undefined;
  }
  const checked = validateScenario(text.value);
  if (!checked.ok || !checked.scenario) {
    for (const issue of checked.issues.filter((i) => i.severity === 'error')) io.stderr(`tellflow diff: ${formatIssue(issue, file)}\n`);
    return undefined;
  }
  if (checked.scenario.id !== id) {
    io.stderr(`tellflow diff: ${file} is scenario "${checked.scenario.id}", not "${id}"\n`);
    return undefined;
  }
  return checked.scenario;
}

import { validateSet, type Issue, type Scenario } from '@tellflow/engine';
import { RuntimeError, ScenarioStore } from '@tellflow/runtime';
import { inOneTransaction, openProductDatabase } from '../databases.ts';
import { claimedId, dependencyOrder, printIssues, readScenarioFiles, uniqueFiles } from '../scenario-files.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import { summary, type FileReport } from './validate.ts';

export interface ImportedFile extends FileReport {
  /** Set when the file was stored. */
  scenarioId?: string;
  version?: number;
  published?: boolean;
}

/** What `--json` prints. */
export interface ImportReport {
  ok: boolean;
  files: ImportedFile[];
}

/** A publish was refused: the transaction rolls back and the issues go on the file. */
class PublishRefused extends Error {}

export const importCommand: Command = {
  name: 'import',
  summary: 'store scenario files as new draft versions (--publish to publish them)',
  usage: `Usage: tellflow import FILE… [--publish] [--json]

Stores each scenario file as a new draft version in the database that
"tellflow serve" uses (DATABASE_URL, or the embedded database under
TELLFLOW_DATA_DIR, default ./data). A file for a new scenario id creates
the scenario.

The files are first checked together, like "tellflow validate" checks them;
a runScenario node may refer to a scenario in another file or to one already
in the database. Only when every file is valid is anything stored, and then
all of them at once: if one fails, nothing is imported.

With the embedded database, stop "tellflow serve" first: its data directory
serves one process at a time.

Options:
  --publish    also publish the new versions (scenarios that others run
               first); a scenario that runs another one needs it published
  --json       print {"ok", "files": [{"file", "ok", "issues", "scenarioId",
               "version", "published"}]} instead
  -h, --help   show this help

Prints "imported ID vN" (", published") per file, after any warnings.

Exit status:
  0  every file was imported
  1  some file has errors, or a version could not be published: nothing
     was imported
  2  bad arguments, a file could not be read, or the database could not be
     opened: nothing was imported
`,
  async run(args, io) {
    const parsed = parseCommandArgs(importCommand, args, { publish: { type: 'boolean' }, json: { type: 'boolean' } }, io);
    if (!parsed) return EXIT.usage;
    const files = uniqueFiles(parsed.positionals);
    if (files.length === 0) return usageError(importCommand, 'no files given', io);

    const read = await readScenarioFiles(importCommand, files, io);
    if (read.unreadable.length > 0) {
      io.stderr('tellflow import: nothing imported\n');
      return EXIT.usage;
    }
    const opened = await openProductDatabase();
    if (!opened.ok) {
      io.stderr(`tellflow import: ${opened.error}\nnothing imported\n`);
      return EXIT.usage;
    }
    const db = opened.db;
    try {
      const stored = (await new ScenarioStore(db).list()).map((s) => s.id);
      const inFiles = read.entries.flatMap((e) => claimedId(e.doc) ?? []);
      const checked = validateSet(read.entries, { knownScenarioIds: [...inFiles, ...stored] });

      const reports = new Map<string, ImportedFile>();
      for (const r of read.unparsable) reports.set(r.file, r);
      for (const r of checked.results) reports.set(r.source, { file: r.source, ok: r.ok, issues: r.issues });
      const ordered = files.map((f) => reports.get(f)!);
      if (!ordered.every((r) => r.ok)) return fail(ordered);

      const docs = new Map(read.entries.map((e) => [e.source, e.doc]));
      const byScenario = new Map<string, ImportedFile>();
      try {
        await inOneTransaction(db, async (scoped) => {
          const store = new ScenarioStore(scoped);
          for (const r of ordered) {
            const { version } = await store.save(docs.get(r.file));
            Object.assign(r, { scenarioId: version.scenarioId, version: version.version, published: false });
            byScenario.set(version.scenarioId, r);
          }
          if (!parsed.values.publish) return;
          const scenarios = checked.results.map((r) => r.scenario as Scenario);
          for (const scenario of dependencyOrder(scenarios)) {
            const r = byScenario.get(scenario.id)!;
            try {
              await store.publish(scenario.id, r.version);
            } catch (error) {
              if (!(error instanceof RuntimeError)) throw error;
              r.ok = false;
              r.issues.push(...publishIssues(error));
              throw new PublishRefused();
            }
            r.published = true;
          }
        });
      } catch (error) {
        if (error instanceof PublishRefused) return fail(ordered.map(({ scenarioId: _s, version: _v, published: _p, ...r }) => r));
        throw error;
      }

      if (parsed.values.json) io.stdout(`${JSON.stringify({ ok: true, files: ordered } satisfies ImportReport, null, 2)}\n`);
      else {
        printIssues(io, ordered);
        for (const r of ordered) io.stdout(`imported ${r.scenarioId} v${r.version}${r.published ? ', published' : ''}\n`);
      }
      return EXIT.ok;
    } finally {
      await db.close();
    }

    function fail(ordered: ImportedFile[]): number {
      if (parsed!.values.json) io.stdout(`${JSON.stringify({ ok: false, files: ordered } satisfies ImportReport, null, 2)}\n`);
      else {
        printIssues(io, ordered);
        io.stdout(`${summary(ordered)}\n`);
      }
      io.stderr('tellflow import: nothing imported\n');
      return EXIT.failed;
    }
  },
};

function publishIssues(error: RuntimeError): Issue[] {
  const issues = (error.details as { issues?: Issue[] } | undefined)?.issues;
  return issues?.length ? issues : [{ severity: 'error', path: '', message: error.message }];
}

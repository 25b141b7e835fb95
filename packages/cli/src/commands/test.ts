import { referencedScenarioIds, validateScenario, validateSet, type Scenario } from '@tellflow/engine';
import { RuntimeError, ScenarioStore } from '@tellflow/runtime';
import { runTestCase, type Source, type TestCaseResult } from '@tellflow/runtime/test-run';
import { openProductDatabase, scratchDatabase, type Opened } from '../databases.ts';
import type { Io } from '../io.ts';
import { claimedId, printIssues, readScenarioFiles, uniqueFiles } from '../scenario-files.ts';
import { EXIT, parseCommandArgs, plural, type Command } from './command.ts';
import type { FileReport } from './validate.ts';

/** A scenario whose test cases run, with where it came from. */
interface Target {
  scenario: Scenario;
  doc: unknown;
  from: string;
}

export const test: Command = {
  name: 'test',
  summary: "run scenarios' test cases and say which pass",
  usage: `Usage: tellflow test [ID|FILE…]

Runs the test cases stored with scenarios (their "tests") and prints one line
per test: "✓ scenario: name", or "✗ scenario: name — what differed".
Each test runs as "tellflow run" runs a scenario: on a throwaway in-memory
database (made ready by the test's setupSql) with the telephony simulator and
simulated time, so nothing real is read or changed. Scenarios a test runs
with runScenario come from the other FILEs given, or published from the
database "tellflow serve" uses.

With FILEs, their tests run. With IDs, the tests of those scenarios' latest
versions (the current drafts) in that database. With neither, those of every
scenario in the database whose latest version has tests.

Options:
  -h, --help   show this help

Exit status:
  0  every test passed
  1  a test failed, or a file is not a valid scenario
  2  bad arguments, a file could not be read, a scenario was not found, or
     the database could not be opened
`,
  async run(args, io) {
    const parsed = parseCommandArgs(test, args, {}, io);
    if (!parsed) return EXIT.usage;
    const given = uniqueFiles(parsed.positionals);
    const files: string[] = [];
    const ids: string[] = [];
    for (const arg of given) ((await isFile(io, arg)) || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(arg) || /\.json$/i.test(arg) ? files : ids).push(arg);

    let opened: Opened | undefined;
    const database = async () => (opened ??= await openProductDatabase({ existing: true }));
    try {
      const targets: Target[] = [];
      if (files.length) {
        const read = await readScenarioFiles(test, files, io);
        if (read.unreadable.length) return EXIT.usage;
        // A scenario a test runs may be in the database: whether it is there is each test's to say.
        const referenced = read.entries.flatMap((e) => {
          const one = validateScenario(e.doc).scenario;
          return one ? referencedScenarioIds(one) : [];
        });
        const checked = validateSet(read.entries, { knownScenarioIds: [...read.entries.flatMap((e) => claimedId(e.doc) ?? []), ...referenced] });
        const reports: FileReport[] = [...read.unparsable, ...checked.results.map((r) => ({ file: r.source, ok: r.ok, issues: r.issues }))];
        const bad = reports.filter((r) => !r.ok);
        if (bad.length) {
          printIssues(
            io,
            bad.map((r) => ({ file: r.file, issues: r.issues.filter((i) => i.severity === 'error') })),
          );
          io.stderr(`tellflow test: ${plural(bad.length, 'file')} not valid: nothing was run\n`);
          return EXIT.failed;
        }
        for (const r of checked.results) targets.push({ scenario: r.scenario!, doc: read.entries.find((e) => e.source === r.source)!.doc, from: r.source });
      }
      if (ids.length || !files.length) {
        const db = await database();
        if (!db.ok) {
          io.stderr(`tellflow test: ${db.error}\n`);
          return EXIT.usage;
        }
        const store = new ScenarioStore(db.db);
        const wanted = ids.length ? ids : (await store.list()).map((s) => s.id);
        for (const id of wanted) {
          try {
            const v = await store.version(id);
            if (ids.length || v.document.tests?.length) targets.push({ scenario: v.document, doc: v.document, from: `${id} v${v.version}` });
          } catch (error) {
            if (!(error instanceof RuntimeError)) throw error;
            io.stderr(`tellflow test: ${error.message}\n`);
            return EXIT.usage;
          }
        }
      }

      // Scenarios a test runs: the files first, then the database's published ones (read only when needed).
      const alongside: Source[] = targets.filter((t) => files.includes(t.from)).map((t) => ({ scenario: t.scenario, doc: t.doc, from: t.from }));
      const needsDatabase = targets.some((t) => needsOthers(t.scenario, alongside));
      const db = needsDatabase ? await database() : undefined;
      const store = db?.ok ? new ScenarioStore(db.db) : undefined;

      let passed = 0;
      let failed = 0;
      for (const target of targets) {
        const tests = target.scenario.tests ?? [];
        if (!tests.length) io.stdout(`- ${target.scenario.id}: no tests (${target.from})\n`);
        for (const t of tests) {
          const result = await runTestCase(target.scenario, target.doc, t, {
            ...(store ? { store } : {}),
            alongside,
            openDatabase: scratchDatabase.open,
            startAt: Date.now(),
          });
          io.stdout(`${line(target.scenario.id, result)}\n`);
          if (result.passed) passed++;
          else failed++;
        }
      }
      io.stdout(`${plural(passed + failed, 'test')}: ${passed} passed, ${failed} failed\n`);
      return failed ? EXIT.failed : EXIT.ok;
    } finally {
      if (opened?.ok) await opened.db.close();
    }
  },
};

function line(scenarioId: string, r: TestCaseResult): string {
  return r.passed ? `✓ ${scenarioId}: ${r.name}` : `✗ ${scenarioId}: ${r.name} — ${r.failures.join('; ')}`;
}

/** Whether the scenario runs others that are not among `have`. */
function needsOthers(scenario: Scenario, have: readonly Source[]): boolean {
  const ids = new Set(have.map((s) => s.scenario.id));
  return referencedScenarioIds(scenario).some((id) => !ids.has(id));
}

async function isFile(io: Io, arg: string): Promise<boolean> {
  try {
    await io.readFile(arg);
    return true;
  } catch {
    return false;
  }
}

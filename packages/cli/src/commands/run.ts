import { isJsonObject, parseJsonText, validateScenario, validateSet, type Json } from '@tellflow/engine';
import { RuntimeError, ScenarioStore, type ScenarioVersion } from '@tellflow/runtime';
import { FormAnswers, publishedWithReferences, runInSandbox, type Source } from '@tellflow/runtime/test-run';
import { parseSimRulesFile, SimRulesError } from '@tellflow/telephony';
import { openProductDatabase, scratchDatabase } from '../databases.ts';
import { describeFsError, type Io } from '../io.ts';
import { formatStatus, formatTrace, type ExecutionReport } from '../run-report.ts';
import { claimedId, printIssues, readScenarioFiles, referencesOf, uniqueFiles } from '../scenario-files.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';
import { summary, type FileReport } from './validate.ts';

/** What `--json` prints. */
export interface RunReport {
  status: string;
  result: Json | null;
  error: string | null;
  trace: ExecutionReport['trace'];
  /** With status "invalid": the files' problems. */
  files?: FileReport[];
}

const DEFAULT_MAX_HOURS = 24;
const DEFAULT_MAX_STEPS = 10_000;

const OPTIONS = {
  vars: { type: 'string' },
  sim: { type: 'string' },
  answers: { type: 'string' },
  version: { type: 'string' },
  'max-hours': { type: 'string' },
  'max-steps': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const run: Command = {
  name: 'run',
  summary: 'run a scenario to the end on simulated time and print its trace',
  usage: `Usage: tellflow run FILE [FILE…] [options]
       tellflow run ID [--version N] [options]

Runs a scenario on a throwaway in-memory database with the telephony
simulator and a simulated clock, so waits, ring delays and timeouts pass at
once, then prints the trace: one line per step with its time offset, node,
type, outcome and the variables it set (child scenarios indented under the
step that ran them), and how the execution ended.

The scenario is the first FILE; further FILEs provide the scenarios it runs
with runScenario nodes. Scenarios neither given nor in the files are taken
(published) from the database "tellflow serve" uses. With an ID instead of a
file, the scenario's published version (or --version N) and those it runs
come from that database. The database is only read: nothing a run does is
stored anywhere. SQL nodes run against the throwaway database too.

Customers answer calls unless --sim rules say otherwise; operator calls are
answered at once unless the rules file has "operators" rules. Forms are
answered from --answers; a form without an answer takes its timeout outcome
when it has one, otherwise the run stops.

Options:
  --vars JSON        the input variables, e.g. '{"tel": "+15550100"}'
  --sim FILE         simulator rules: {"customers": {"rules": [{"match":
                     "+1555*", "outcome": "busy", "afterMs": 3000}], "default":
                     "answered"}, "operators": {…}}; the first matching rule
                     wins; outcomes: answered, busy, noAnswer, failed, manual
                     (rings until its timeout); "sequence": [outcomes…] for
                     successive calls to a number
  --answers JSON     form answers keyed by node id ("scenario:node" to pick
                     one scenario's node) or by form title, each the form's
                     values, e.g. '{"survey": {"score": 5}}', or a list of
                     values for the form's successive visits; null: no
                     answer, the form takes its timeout
  --version N        with an ID: run this stored version, published or not
  --max-hours H      stop after H simulated hours (default ${DEFAULT_MAX_HOURS})
  --max-steps N      stop after N steps over all executions (default ${DEFAULT_MAX_STEPS})
  --json             print {"status", "result", "error", "trace"} instead
  -h, --help         show this help

JSON values may also be read from a file: --vars @vars.json.

Exit status:
  0  the execution completed
  1  it failed or was cancelled (also when stopped: missing form answer,
     limits), or the scenario or its inputs are not valid
  2  bad arguments, a file could not be read, or the database could not be
     opened
`,
  async run(args, io) {
    const parsed = parseCommandArgs(run, args, OPTIONS, io);
    if (!parsed) return EXIT.usage;
    const o = parsed.values;
    const positionals = uniqueFiles(parsed.positionals);
    const target = positionals[0];
    if (target === undefined) return usageError(run, 'no scenario file or id given', io);

    // Options first: a mistake there is reported before anything slow happens.
    const vars = await jsonOption(io, '--vars', o.vars);
    if (vars === REPORTED) return EXIT.usage;
    if (vars !== undefined && !isJsonObject(vars)) return usageError(run, '--vars must be a JSON object of variable names to values', io);
    const answersValue = await jsonOption(io, '--answers', o.answers);
    if (answersValue === REPORTED) return EXIT.usage;
    const answers = FormAnswers.from(answersValue ?? {});
    if (typeof answers === 'string') return usageError(run, `--answers ${answers}`, io);
    const maxHours = o['max-hours'] === undefined ? DEFAULT_MAX_HOURS : Number(o['max-hours']);
    if (!(maxHours > 0) || !Number.isFinite(maxHours)) return usageError(run, `--max-hours must be a positive number, not "${o['max-hours']}"`, io);
    const maxSteps = o['max-steps'] === undefined ? DEFAULT_MAX_STEPS : Number(o['max-steps']);
    if (!Number.isInteger(maxSteps) || maxSteps < 1) return usageError(run, `--max-steps must be a positive whole number, not "${o['max-steps']}"`, io);
    if (o.version !== undefined && !/^[1-9]\d{0,8}$/.test(o.version))
      return usageError(run, `--version must be a version number (1, 2, …), not "${o.version}"`, io);
    let rules: ReturnType<typeof parseSimRulesFile> = { rules: { rules: [], default: 'answered' } };
    if (o.sim !== undefined) {
      const simValue = await jsonFile(io, '--sim', o.sim);
      if (simValue === REPORTED) return EXIT.usage;
      try {
        rules = parseSimRulesFile(simValue);
      } catch (error) {
        if (!(error instanceof SimRulesError)) throw error;
        io.stderr(`tellflow run: ${o.sim}: ${error.message}\n`);
        return EXIT.usage;
      }
    }

    const refuse = (message: string, files?: FileReport[]): number => {
      if (o.json)
        io.stdout(
          `${JSON.stringify({ status: 'invalid', result: null, error: message, trace: [], ...(files ? { files } : {}) } satisfies RunReport, null, 2)}\n`,
        );
      else if (files) {
        printIssues(io, files);
        io.stdout(`${summary(files)}\n`);
      }
      io.stderr(`tellflow run: ${message}\n`);
      return EXIT.failed;
    };

    // Which scenarios: the files, or an id in the product database; plus what they run.
    const byId = await isScenarioId(io, target, positionals.length);
    if (!byId && o.version !== undefined) return usageError(run, '--version goes with a scenario id, not a file', io);
    const loaded = byId ? await fromDatabase(target, o.version) : await fromFiles(positionals);
    if ('exit' in loaded) return loaded.exit;
    const { sources, root } = loaded;

    // The run itself, on a database of its own.
    const ran = await runInSandbox({
      sources,
      root,
      input: (vars ?? {}) as Record<string, Json>,
      rules,
      answers,
      limits: { maxSteps, maxMs: maxHours * 3_600_000 },
      openDatabase: scratchDatabase.open,
      startAt: Date.now(),
      log: (message, fields) => io.stderr(`tellflow run: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
    });
    if (!ran.ok) return refuse(ran.message, ran.issues && ran.from ? [{ file: ran.from, ok: false, issues: ran.issues }] : undefined);
    const { report, stopped } = ran;
    if (o.json) {
      const out: RunReport = { status: report.status, result: report.result, error: report.error, trace: report.trace };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const line of formatTrace(report)) io.stdout(`${line}\n`);
      io.stdout(`${formatStatus(report)}\n`);
    }
    if (ran.unusedAnswers.length) io.stderr(`tellflow run: no form used the answers for ${ran.unusedAnswers.map((k) => `"${k}"`).join(', ')}\n`);
    if (stopped && report.status !== 'cancelled') io.stderr(`tellflow run: ${stopped.reason}\n`);
    return report.status === 'completed' ? EXIT.ok : EXIT.failed;

    async function fromFiles(files: string[]): Promise<{ sources: Source[]; root: string } | { exit: number }> {
      const read = await readScenarioFiles(run, files, io);
      if (read.unreadable.length > 0) return { exit: EXIT.usage };
      // Scenarios the files run but do not contain come from the database, if there is one.
      const inFiles = new Set(read.entries.flatMap((e) => claimedId(e.doc) ?? []));
      const wanted = read.entries.flatMap((e) => {
        const checked = validateScenario(e.doc);
        return checked.scenario ? referencesOf(checked.scenario).filter((id) => !inFiles.has(id)) : [];
      });
      const fromDb: Source[] = [];
      if (wanted.length) {
        const opened = await openProductDatabase({ existing: true });
        if (opened.ok) {
          try {
            const found = await publishedWithReferences(new ScenarioStore(opened.db), wanted, inFiles);
            fromDb.push(...found.sources);
          } finally {
            await opened.db.close();
          }
        } else if (!opened.missing) io.stderr(`tellflow run: ${opened.error}\n`);
      }
      const checked = validateSet(read.entries, { knownScenarioIds: [...inFiles, ...fromDb.map((s) => s.scenario.id)] });
      const reports = new Map<string, FileReport>();
      for (const r of read.unparsable) reports.set(r.file, r);
      for (const r of checked.results) reports.set(r.source, { file: r.source, ok: r.ok, issues: r.issues });
      const ordered = files.map((f) => reports.get(f)!);
      if (!ordered.every((r) => r.ok)) return { exit: refuse('the scenario files have errors', ordered) };
      const sources = checked.results.map((r) => ({ scenario: r.scenario!, doc: read.entries.find((e) => e.source === r.source)!.doc, from: r.source }));
      return { sources: [...sources, ...fromDb], root: sources[0]!.scenario.id };
    }

    async function fromDatabase(id: string, version: string | undefined): Promise<{ sources: Source[]; root: string } | { exit: number }> {
      const opened = await openProductDatabase({ existing: true });
      if (!opened.ok) {
        if (opened.missing) return { exit: refuse(`scenario "${id}" not found: ${opened.error}`) };
        io.stderr(`tellflow run: ${opened.error}\n`);
        return { exit: EXIT.usage };
      }
      try {
        const store = new ScenarioStore(opened.db);
        let rootVersion: ScenarioVersion;
        try {
          rootVersion = version === undefined ? await store.published(id) : await store.version(id, Number(version));
        } catch (error) {
          if (!(error instanceof RuntimeError)) throw error;
          return { exit: refuse(error.message) };
        }
        const rootSource: Source = { scenario: rootVersion.document, doc: rootVersion.document, from: `${id} v${rootVersion.version}` };
        const found = await publishedWithReferences(store, referencesOf(rootVersion.document), new Set([id]));
        if (found.problems.length) return { exit: refuse(found.problems.join('; ')) };
        return { sources: [rootSource, ...found.sources], root: id };
      } finally {
        await opened.db.close();
      }
    }
  },
};

/**
 * FILE or ID: an existing file is a file; a name that is no file, looks
 * like a scenario id and is given alone is an id.
 */
async function isScenarioId(io: Io, target: string, count: number): Promise<boolean> {
  if (count !== 1 || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target) || /\.json$/i.test(target)) return false;
  try {
    await io.readFile(target);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === 'ENOENT';
  }
}

/** A problem that was already reported on stderr. */
const REPORTED = Symbol('reported');

/** An option's JSON text, or `@FILE` for a file's; undefined when absent. */
async function jsonOption(io: Io, name: string, value: string | undefined): Promise<unknown> {
  if (value === undefined) return undefined;
  if (value.startsWith('@')) return jsonFile(io, name, value.slice(1));
  const parsed = parseJsonText(value);
  if (parsed.ok) return parsed.value;
  usageError(run, `${name} is ${parsed.error}`, io);
  return REPORTED;
}

async function jsonFile(io: Io, name: string, file: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(file);
  } catch (error) {
    io.stderr(`tellflow run: cannot read ${file} (${name}): ${describeFsError(error)}\n`);
    return REPORTED;
  }
  const parsed = parseJsonText(bytes);
  if (parsed.ok) return parsed.value;
  io.stderr(`tellflow run: ${file} (${name}): ${parsed.error}\n`);
  return REPORTED;
}

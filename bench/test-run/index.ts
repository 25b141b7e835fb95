/**
 * What a test run of the bundled dialog scenario costs in one process (as
 * the server runs it for POST /api/scenarios/test-run): each of its test
 * cases run N times, each on a fresh scratch database; printed: the median,
 * min and max wall time of a whole run, and of its parts — the scratch
 * database (loaded from the cached dump) and the run itself; then the same
 * runs 3 s apart with a spare database made in between (SpareDatabase, as
 * the server does).
 *
 *   npm run bench:test-run                 # 7 rounds
 *   npm run bench:test-run -- --rounds 15
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createScratchDatabase, type Database } from '@tellflow/db';
import { validateScenario } from '@tellflow/engine';
import { runTestCase, SpareDatabase } from '@tellflow/runtime/test-run';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number(values.rounds);
const doc: unknown = JSON.parse(readFileSync(new URL('../../scenarios/dialog.json', import.meta.url), 'utf8'));
const scenario = validateScenario(doc).scenario!;
const tests = scenario.tests ?? [];

// One unmeasured run: creates the cached dump if there is none, warms the modules.
await runTestCase(scenario, doc, tests[0]!, { openDatabase: () => createScratchDatabase(), startAt: Date.now() });

const whole: number[] = [];
const database: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const test of tests) {
    let dbMs = 0;
    const openDatabase = async (): Promise<Database> => {
      const t = performance.now();
      const db = await createScratchDatabase();
      dbMs = performance.now() - t;
      return db;
    };
    const t = performance.now();
    const result = await runTestCase(scenario, doc, test, { openDatabase, startAt: Date.now() });
    whole.push(performance.now() - t);
    database.push(dbMs);
    if (!result.passed) throw new Error(`test "${test.name}" failed: ${result.failures.join('; ')}`);
  }
}

// As in the editor: the next run comes after a pause, by when the spare database is ready.
const spare = new SpareDatabase(() => createScratchDatabase());
const withSpare: number[] = [];
await spare.take().then((db) => db.close());
for (let r = 0; r < rounds; r++) {
  for (const test of tests) {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const t = performance.now();
    const result = await runTestCase(scenario, doc, test, { openDatabase: () => spare.take(), startAt: Date.now() });
    withSpare.push(performance.now() - t);
    if (!result.passed) throw new Error(`test "${test.name}" failed: ${result.failures.join('; ')}`);
  }
}
await spare.close();

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${Math.round(s[Math.floor(s.length / 2)]!)} ms (min ${Math.round(s[0]!)}, max ${Math.round(s.at(-1)!)})`;
};
const rest = whole.map((w, i) => w - database[i]!);
console.log(`dialog test runs: ${whole.length} (${tests.length} test cases × ${rounds} rounds)`);
console.log(`  whole run         ${stats(whole)}`);
console.log(`  scratch database  ${stats(database)}`);
console.log(`  the run itself    ${stats(rest)}`);
console.log(`  whole run, a spare database ready (as the server does, 3 s apart)  ${stats(withSpare)}`);

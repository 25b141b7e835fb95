/**
 * How long `tellflow run` of a 3-node scenario (start → setVariables → end)
 * takes, from the shell's point of view: the real bin (packages/cli/bin/
 * tellflow.js, what `npx tellflow` and node_modules/.bin/tellflow start) in a
 * fresh Node process each time, as users run it.
 *
 *   npm run bench:run-startup                 # 7 runs
 *   npm run bench:run-startup -- --runs 15
 *
 * One unmeasured run first (it creates the cached dump of the migrated
 * database if there is none, as the first run after an install or a new
 * migration does; that one's time is printed apart). Then the median, min
 * and max wall time of --runs runs, and where the time goes, each the median
 * of the same number of fresh processes (phases.ts):
 *
 *   node start         `node -e ""`: the Node process itself
 *   tsx + CLI modules  registering tsx and importing the CLI with everything
 *                      `run` needs (engine, runtime, db, telephony)
 *   database           the in-memory PGlite loaded from the cached dump
 *                      (WebAssembly compile + loading the files), and the
 *                      migration check on it
 *   the run            `main(['run', FILE])` on that database: saving and
 *                      publishing the scenario, the execution, the report
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/tellflow.js', import.meta.url));
const PHASES = fileURLToPath(new URL('./phases.mjs', import.meta.url));

export const THREE_NODES = {
  format: 'tellflow.scenario/v1',
  id: 'three',
  name: 'three',
  kind: 'service',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'set', type: 'setVariables', params: { assign: [{ name: 'x', value: 1 }] } },
    { id: 'end', type: 'end', params: { result: { var: 'x' } } },
  ],
  edges: [
    { source: 'start', sourceHandle: 'next', target: 'set' },
    { source: 'set', sourceHandle: 'next', target: 'end' },
  ],
};

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number above 0, not "${values.runs}"`);

const dir = mkdtempSync(join(tmpdir(), 'tellflow-run-startup-'));
const file = join(dir, 'three.json');
writeFileSync(file, JSON.stringify(THREE_NODES));

function timed(args: string[]): { ms: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => `${Math.round(ms).toLocaleString('en')} ms`;

try {
  const first = timed([BIN, 'run', file]);
  if (!first.stdout.includes('completed, result: 1')) throw new Error(`unexpected output:\n${first.stdout}`);
  console.log(`first run (creates the cached dump if missing): ${fmt(first.ms)}`);

  const walls = Array.from({ length: runs }, () => timed([BIN, 'run', file]).ms);
  console.log(`tellflow run, 3 nodes: ${fmt(median(walls))} median of ${runs} (min ${fmt(Math.min(...walls))}, max ${fmt(Math.max(...walls))})`);

  const node = Array.from({ length: runs }, () => timed(['-e', '']).ms);
  const phases = Array.from({ length: runs }, () => JSON.parse(timed([PHASES, file]).stdout.trim().split('\n').pop()!) as Record<string, number>);
  const rows: [string, number][] = [
    ['node start', median(node)],
    ['tsx + CLI modules', median(phases.map((p) => p.imports!))],
    ['database: load dump', median(phases.map((p) => p.load!))],
    ['database: migration check', median(phases.map((p) => p.migrate!))],
    ['the run', median(phases.map((p) => p.run!))],
  ];
  console.log('breakdown (medians):');
  for (const [what, ms] of rows) console.log(`  ${what.padEnd(26)} ${fmt(ms).padStart(8)}`);
  console.log(`  ${'sum'.padEnd(26)} ${fmt(rows.reduce((a, [, ms]) => a + ms, 0)).padStart(8)}`);
  console.log(median(walls) < 2000 ? 'under 2 s: ok' : 'NOT under 2 s');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

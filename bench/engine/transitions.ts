/**
 * Pure node transitions per second: how fast the interpreter walks a graph
 * of pure nodes when nothing waits for the outside world.
 *
 * Each scenario is a 1,000-node chain (start → 998 pure nodes → end). One
 * `step(scenario, undefined, {type: 'start'})` call runs the whole chain, so
 * every call is 1,000 node visits ("transitions"), each producing its trace
 * entry exactly as in production. The figures include everything `step`
 * does per call (state copy, trace, result object), not just the nodes.
 *
 *   npm run bench:engine                      # defaults
 *   npm run bench:engine -- --seconds 10      # longer measurement per variant
 *   npm run bench:engine -- --only cases      # only the variants whose name contains "cases"
 *   npm run bench:engine -- --json            # one JSON line per variant, too
 *
 * Runs on one core (Node's main thread). The figure is per wall-clock
 * second; "per CPU second" divides by the process's CPU time instead, which
 * moves less when other processes compete for the cores (it counts V8's
 * helper threads too, so it errs low).
 */
import { step, validateScenario, type Json, type JsonObject, type Scenario } from '../../packages/engine/src/index.ts';

const CHAIN = 1_000; // nodes per chain, start and end included
const TARGET = 1_000_000; // transitions per second

interface Options {
  warmupSeconds: number;
  seconds: number;
  rounds: number;
  json: boolean;
  only: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { warmupSeconds: 1, seconds: 4, rounds: 8, json: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${arg} needs a positive number`);
      return v;
    };
    if (arg === '--seconds') opts.seconds = value();
    else if (arg === '--warmup') opts.warmupSeconds = value();
    else if (arg === '--rounds') opts.rounds = Math.max(1, Math.round(value()));
    else if (arg === '--json') opts.json = true;
    else if (arg === '--only') opts.only = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: tsx bench/engine/transitions.ts [--seconds S] [--warmup S] [--rounds N] [--only TEXT] [--json]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return opts;
}

/** Documents as written in a file; validation turns them into typed scenarios. */
type ChainNode = JsonObject & { id: string };

/** start → `CHAIN - 2` nodes made by `middle` (each following `outcome`) → end. */
function chain(id: string, middle: (i: number) => ChainNode, outcome: string, variables: JsonObject[] = []): Scenario {
  const nodes: ChainNode[] = [{ id: 'start', type: 'start' }];
  const edges: JsonObject[] = [];
  let prev = 'start';
  let prevOutcome = 'next';
  for (let i = 0; i < CHAIN - 2; i++) {
    const node = middle(i);
    nodes.push(node);
    edges.push({ source: prev, sourceHandle: prevOutcome, target: node.id });
    prev = node.id;
    prevOutcome = outcome;
  }
  nodes.push({ id: 'end', type: 'end', params: { result: { var: 'i' } } });
  edges.push({ source: prev, sourceHandle: prevOutcome, target: 'end' });
  const doc = { format: 'tellflow.scenario/v1', id, name: id, kind: 'service', variables, nodes, edges };
  // Go through validation like every real scenario does, and run the validated copy.
  const checked = validateScenario(doc);
  if (!checked.ok || !checked.scenario) {
    throw new Error(`benchmark scenario ${id} is invalid: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
  return checked.scenario;
}

const branchChain = chain('bench-branch-chain', (i) => ({ id: `b${i}`, type: 'branch', params: { condition: { '<': [{ var: 'i' }, 1_000_000] } } }), 'true', [
  { name: 'i', type: 'number', default: 0 },
]);

const setVariablesChain = chain(
  'bench-set-variables-chain',
  (i) => ({ id: `s${i}`, type: 'setVariables', params: { assign: [{ name: 'i', value: { '+': [{ var: 'i' }, 1] } }] } }),
  'next',
  [{ name: 'i', type: 'number', default: 0 }],
);

/** Branch nodes with two `cases` (the first fails, the second matches): and, ==, >, in over a literal list. */
const casesChain = chain(
  'bench-branch-cases-chain',
  (i) => {
    const vip: JsonObject = { name: 'vip', when: { and: [{ '==': [{ var: 'tier' }, 'gold'] }, { '>': [{ var: 'i' }, 5] }] } };
    const known: JsonObject = { name: 'known', when: { in: [{ var: 'region' }, ['north', 'south', 'east']] } };
    return { id: `c${i}`, type: 'branch', params: { cases: [vip, known] } };
  },
  'known',
  [
    { name: 'i', type: 'number', default: 0 },
    { name: 'tier', type: 'string', default: 'silver' },
    { name: 'region', type: 'string', default: 'east' },
  ],
);

interface Measured {
  name: string;
  median: number;
  min: number;
  max: number;
  rounds: number[];
  /** Median of transitions per second of this process's CPU time (user + system, all threads). */
  cpuMedian: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function runOnce(scenario: Scenario, at: number): number {
  const r = step(scenario, undefined, { type: 'start', at, input: {} });
  if (r.state.status !== 'completed') throw new Error(`${scenario.id} did not complete: ${JSON.stringify(r.state.error)}`);
  return r.trace.length;
}

function measure(name: string, scenario: Scenario, expectedResult: Json, opts: Options): Measured {
  // Sanity: the chain does what we think, all CHAIN nodes visited.
  const check = step(scenario, undefined, { type: 'start', at: 0, input: {} });
  if (check.trace.length !== CHAIN || JSON.stringify(check.state.result) !== JSON.stringify(expectedResult)) {
    throw new Error(
      `${name}: expected ${CHAIN} visits and result ${JSON.stringify(expectedResult)}, got ${check.trace.length} and ${JSON.stringify(check.state.result)}`,
    );
  }

  let at = 1;
  const warmUntil = performance.now() + opts.warmupSeconds * 1000;
  while (performance.now() < warmUntil) runOnce(scenario, at++);

  const roundMs = (opts.seconds * 1000) / opts.rounds;
  const rounds: number[] = [];
  const cpuRounds: number[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    let transitions = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const until = t0 + roundMs;
    let t1 = t0;
    do {
      // Several runs between clock reads keeps timer overhead out of the figure.
      for (let k = 0; k < 8; k++) transitions += runOnce(scenario, at++);
      t1 = performance.now();
    } while (t1 < until);
    const cpu = process.cpuUsage(cpu0);
    rounds.push((transitions * 1000) / (t1 - t0));
    cpuRounds.push((transitions * 1e6) / (cpu.user + cpu.system));
  }
  return { name, median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds, cpuMedian: median(cpuRounds) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function main() {
  const opts = parseArgs(process.argv.slice(2));
  console.log(`engine transitions benchmark — node ${process.version}, ${CHAIN}-node chains, one step() call per chain run`);
  console.log(`warm-up ${opts.warmupSeconds}s, then ${opts.rounds} rounds over ${opts.seconds}s per variant; figure = median round\n`);

  const variants: [string, Scenario, Json][] = [
    ['branch chain', branchChain, 0],
    ['setVariables chain', setVariablesChain, CHAIN - 2],
    ['branch cases chain', casesChain, 0],
  ];
  const results: Measured[] = [];
  for (const [name, scenario, expected] of variants) {
    if (opts.only !== undefined && !name.includes(opts.only)) continue;
    const m = measure(name, scenario, expected, opts);
    results.push(m);
    const mark = m.median >= TARGET ? 'ok' : `below target of ${fmt(TARGET)}`;
    console.log(
      `${`${name}:`.padEnd(21)} ${fmt(m.median).padStart(11)} transitions/s  ` +
        `(min ${fmt(m.min)}, max ${fmt(m.max)}; ${fmt(m.cpuMedian)} per CPU second; ${fmt(m.median / CHAIN)} chain runs/s) ${mark}`,
    );
    if (opts.json) {
      console.log(
        JSON.stringify({ variant: name, transitionsPerSecond: Math.round(m.median), perCpuSecond: Math.round(m.cpuMedian), rounds: m.rounds.map(Math.round) }),
      );
    }
  }
  const below = results.filter((r) => r.median < TARGET);
  console.log(below.length ? `\n${below.length} variant(s) below ${fmt(TARGET)} transitions/s` : `\nall variants at or above ${fmt(TARGET)} transitions/s`);
}

main();

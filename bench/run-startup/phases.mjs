// One `tellflow run` split into phases, in a fresh process (see index.ts); prints one JSON line of milliseconds.
// Plain JavaScript so that it registers tsx itself, as packages/cli/bin/tellflow.js does.
import { register } from 'tsx/esm/api';

const file = process.argv[2];
const start = performance.now();
register();
const { main } = await import('../../packages/cli/src/main.ts');
const { scratchDatabase } = await import('../../packages/cli/src/databases.ts');
const { createScratchDatabase } = await import('@tellflow/db');
const imports = performance.now() - start;

let timing;
const db = await createScratchDatabase({}, (t) => (timing = t));
if (timing.source !== 'cached dump') throw new Error('no cached dump: run index.ts, which makes one first');
scratchDatabase.open = async () => db;
const t = performance.now();
// Its trace goes to stdout before the figures' line.
const code = await main(['run', file]);
const run = performance.now() - t;
if (code !== 0) throw new Error(`tellflow run exited with ${code}`);
console.log(JSON.stringify({ imports, load: timing.createMs, migrate: timing.migrateMs, run }));

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { useProductDatabase, useScratchDatabase } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { childText, flow } from '../test-scenarios.ts';

useScratchDatabase();
const nowhere = mkdtempSync(join(tmpdir(), 'tellflow-cli-test-'));
const savedDataDir = process.env.TELLFLOW_DATA_DIR;
beforeAll(() => {
  process.env.TELLFLOW_DATA_DIR = join(nowhere, 'no-data');
});
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.TELLFLOW_DATA_DIR;
  else process.env.TELLFLOW_DATA_DIR = savedDataDir;
  rmSync(nowhere, { recursive: true, force: true });
});

async function tellflow(argv: string[], files: Record<string, string> = {}) {
  const io = fakeIo(files);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const dialog = readFileSync(new URL('../../../../scenarios/dialog.json', import.meta.url), 'utf8');

/** Runs `child` on its input and ends with what it gave; its tests: one right, one wrong. */
const parentWithTests = flow(
  'parent',
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number' }] } },
    { id: 'kid', type: 'runScenario', params: { scenario: 'child', inputs: { n: { var: 'n' } }, into: 'answer' } },
    { id: 'end', type: 'end', params: { result: { var: 'answer' } } },
  ],
  ['start:next>kid', 'kid:done>end'],
  {
    tests: [
      { name: 'doubles', input: { n: 21 }, expect: { path: ['start', 'kid', 'end'], result: 42 } },
      { name: 'wrong sum', input: { n: 2 }, expect: { result: 5, status: 'failed' } },
    ],
  },
);

describe('tellflow test', () => {
  it("runs the bundled dialog scenario's test cases: all pass", async () => {
    const r = await tellflow(['test', 'dialog.json'], { 'dialog.json': dialog });
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual([
      '✓ dialog: call back in 30 minutes',
      '✓ dialog: call back on a date',
      '✓ dialog: done',
      '✓ dialog: unknown subscriber',
      '4 tests: 4 passed, 0 failed',
      '',
    ]);
    expect(r.code).toBe(0);
  });

  it('says what differed for a failing test and exits 1; scenarios it runs come from the other files', async () => {
    const r = await tellflow(['test', 'parent.json', 'child.json'], { 'parent.json': parentWithTests, 'child.json': childText });
    expect(r.out.split('\n')).toEqual([
      '✓ parent: doubles',
      '✗ parent: wrong sum — expected status failed, got completed; expected result 5, got 4',
      '- child: no tests (child.json)',
      '2 tests: 1 passed, 1 failed',
      '',
    ]);
    expect(r.code).toBe(1);
    // Without child.json and with no database: the test cannot start, and says why.
    const alone = await tellflow(['test', 'parent.json'], { 'parent.json': parentWithTests });
    expect(alone.out).toContain('✗ parent: doubles — the run could not start: a scenario it runs: scenario "child" is neither given nor in a database');
    expect(alone.code).toBe(1);
  });

  it('refuses invalid files before running anything, naming the test and field', async () => {
    const bad = JSON.stringify({ ...JSON.parse(parentWithTests), tests: [{ name: 'x', expect: { path: ['start', 'nowhere'] } }] });
    const r = await tellflow(['test', 'bad.json', 'child.json'], { 'bad.json': bad, 'child.json': childText });
    expect(r.out).toBe('bad.json: error at tests[0].expect.path[1]: test "x": the expected path names node "nowhere", which is not in the scenario\n');
    expect(r.err).toBe('tellflow test: 1 file not valid: nothing was run\n');
    expect(r.code).toBe(1);
    expect((await tellflow(['test', 'missing.json'])).code).toBe(2);
    expect((await tellflow(['test', '--nope'])).code).toBe(2);
  });

  describe('with the product database', () => {
    useProductDatabase();

    it('runs the tests of stored scenarios: every one that has tests, or the ids given (their latest versions)', async () => {
      const imported = await tellflow(['import', '--publish', 'child.json', 'parent.json'], { 'parent.json': parentWithTests, 'child.json': childText });
      expect(imported.code).toBe(0);
      const all = await tellflow(['test']);
      expect(all.out.split('\n').slice(0, 2)).toEqual([
        '✓ parent: doubles',
        '✗ parent: wrong sum — expected status failed, got completed; expected result 5, got 4',
      ]);
      expect(all.code).toBe(1);

      const fixed = JSON.stringify({ ...JSON.parse(parentWithTests), tests: [{ name: 'doubles', input: { n: 1 }, expect: { result: 2 } }] });
      await tellflow(['import', 'parent.json'], { 'parent.json': fixed });
      expect(await tellflow(['test', 'parent'])).toEqual({ code: 0, out: '✓ parent: doubles\n1 test: 1 passed, 0 failed\n', err: '' });
      expect(await tellflow(['test', 'child'])).toEqual({ code: 0, out: '- child: no tests (child v1)\n0 tests: 0 passed, 0 failed\n', err: '' });
      expect(await tellflow(['test', 'nope'])).toEqual({ code: 2, out: '', err: 'tellflow test: scenario "nope" not found\n' });
    });
  });
});

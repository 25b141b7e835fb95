import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { useProductDatabase, withProductStore } from '../test-db.ts';
import { fakeIo, scenarioText } from '../test-io.ts';
import { childText, flow, parentText } from '../test-scenarios.ts';
import type { ImportReport } from './import.ts';

const { release } = useProductDatabase();

async function tellflow(argv: string[], files: Record<string, string> = {}) {
  const io = fakeIo(files);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** id → [latest version, published version] in the product database. */
const stored = () => withProductStore(async (store) => Object.fromEntries((await store.list()).map((s) => [s.id, [s.latestVersion, s.publishedVersion]])));

const greeting = scenarioText();
const broken = scenarioText({ id: 'broken', kind: 'robocall' });
const withWarning = scenarioText({ id: 'warned' }, [
  { id: 'start', type: 'start' },
  { id: 'end', type: 'end' },
  { id: 'orphan', type: 'end' },
]);

describe('tellflow import', () => {
  it('stores valid files as new drafts, a new version on each import', async () => {
    const files = { 'g.json': greeting, 'w.json': withWarning };
    const first = await tellflow(['import', 'g.json', 'w.json'], files);
    expect(first).toEqual({
      code: 0,
      out: 'w.json: warning node "orphan" at nodes[2]: unreachable: no path leads here from the start node\n' + 'imported greeting v1\nimported warned v1\n',
      err: '',
    });
    expect((await tellflow(['import', 'g.json'], files)).out).toBe('imported greeting v2\n');
    await release(); // what was imported is in the data directory, not just in an open instance
    expect(await stored()).toEqual({ greeting: [2, null], warned: [1, null] });
  });

  it('stores nothing when one file is invalid, unparsable or unreadable', async () => {
    const files = { 'g.json': greeting, 'bad.json': broken, 'text.json': '{"id": ' };
    const invalid = await tellflow(['import', 'g.json', 'bad.json', 'text.json'], files);
    expect(invalid.code).toBe(1);
    expect(invalid.out.split('\n')).toEqual([
      expect.stringMatching(/^bad\.json: error at kind: Invalid option/),
      expect.stringMatching(/^text\.json: error: not valid JSON: .* at line 1, column 8$/),
      '3 files: 1 valid, 2 invalid (2 errors)',
      '',
    ]);
    expect(invalid.err).toBe('tellflow import: nothing imported\n');

    const missing = await tellflow(['import', 'g.json', 'gone.json'], files);
    expect(missing).toEqual({ code: 2, out: '', err: 'tellflow import: cannot read gone.json: no such file\ntellflow import: nothing imported\n' });
    expect(await stored()).toEqual({});
  });

  it('resolves runScenario references among the files and in the database', async () => {
    const alone = await tellflow(['import', 'parent.json'], { 'parent.json': parentText });
    expect(alone.code).toBe(1);
    expect(alone.out).toContain('parent.json: error node "kid" at nodes[1].params.scenario: unknown scenario "child"');
    expect((await tellflow(['import', 'parent.json', 'child.json'], { 'parent.json': parentText, 'child.json': childText })).code).toBe(0);
    // Now "child" is in the database: the parent imports on its own.
    expect(await tellflow(['import', 'parent.json'], { 'parent.json': parentText })).toMatchObject({ code: 0, out: 'imported parent v2\n' });
  });

  it('publishes with --publish, scenarios that others run first', async () => {
    const files = { 'parent.json': parentText, 'child.json': childText, 'g.json': greeting };
    const r = await tellflow(['import', '--publish', 'parent.json', 'child.json', 'g.json'], files);
    // Publishing the parent before its child would have been refused.
    expect(r).toEqual({ code: 0, out: 'imported parent v1, published\nimported child v1, published\nimported greeting v1, published\n', err: '' });
    expect(await stored()).toEqual({ parent: [1, 1], child: [1, 1], greeting: [1, 1] });
  });

  it('stores nothing when a version cannot be published', async () => {
    await tellflow(['import', 'child.json'], { 'child.json': childText }); // a draft only
    const grand = flow(
      'grand',
      [
        { id: 'start', type: 'start' },
        { id: 'run', type: 'runScenario', params: { scenario: 'child' } },
        { id: 'end', type: 'end' },
      ],
      ['start:next>run', 'run:done>end'],
    );
    const r = await tellflow(['import', '--publish', 'g.json', 'grand.json'], { 'g.json': greeting, 'grand.json': grand });
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      'grand.json: error node "run" at nodes[1].params.scenario: unknown scenario "child" (it must be published first)\n' +
        '2 files: 1 valid, 1 invalid (1 error)\n',
    );
    expect(r.err).toBe('tellflow import: nothing imported\n');
    // greeting was saved and published inside the transaction, then rolled back with it.
    expect(await stored()).toEqual({ child: [1, null] });
  });

  it('prints a JSON report with --json', async () => {
    const ok = await tellflow(['import', '--json', '--publish', 'g.json'], { 'g.json': greeting });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual({
      ok: true,
      files: [{ file: 'g.json', ok: true, issues: [], scenarioId: 'greeting', version: 1, published: true }],
    } satisfies ImportReport);
    const bad = await tellflow(['import', '--json', 'g.json', 'bad.json'], { 'g.json': greeting, 'bad.json': broken });
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.out) as ImportReport;
    expect(report.ok).toBe(false);
    expect(report.files.map((f) => [f.file, f.ok, f.version])).toEqual([
      ['g.json', true, undefined],
      ['bad.json', false, undefined],
    ]);
  });

  it('exits 2 for usage errors without opening the database', async () => {
    expect(await tellflow(['import'])).toEqual({ code: 2, out: '', err: 'tellflow import: no files given\nRun "tellflow import --help" for usage.\n' });
    expect((await tellflow(['import', '--force', 'g.json'])).code).toBe(2);
  });
});

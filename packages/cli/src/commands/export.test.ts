import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { useProductDatabase, withProductStore } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { flow } from '../test-scenarios.ts';

useProductDatabase();
const outDir = mkdtempSync(join(tmpdir(), 'tellflow-cli-export-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

async function tellflow(argv: string[], files: Record<string, string> = {}) {
  const io = fakeIo(files);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

// Keys in an unusual order, a $schema key, unicode, numbers written oddly, compact layout.
const original = `{"nodes":[{"params":{"result":{"cat":"😺 ü","n":1.50,"big":1e3}},"type":"end","id":"end"},{"type":"start","id":"start"}],
"$schema":"../scenario.schema.json","id":"odd","format":"tellflow.scenario/v1","kind":"service","name":"Odd \\"one\\"",
"edges":[{"target":"end","sourceHandle":"next","source":"start"}],"meta":{"zoom":2,"a":[]}}`;

describe('tellflow export', () => {
  it('prints the stored document; importing the export stores the same document, and exports are byte-identical', async () => {
    expect((await tellflow(['import', 'odd.json'], { 'odd.json': original })).code).toBe(0);
    const first = await tellflow(['export', 'odd']);
    expect(first.code).toBe(0);
    expect(first.err).toBe('');
    // Key order as imported, two-space layout.
    expect(first.out).toBe(`${JSON.stringify(JSON.parse(original), null, 2)}\n`);
    expect(Object.keys(JSON.parse(first.out))).toEqual(['nodes', '$schema', 'id', 'format', 'kind', 'name', 'edges', 'meta']);

    expect(await tellflow(['import', 'exported.json'], { 'exported.json': first.out })).toMatchObject({ code: 0, out: 'imported odd v2\n' });
    const [v1, v2] = await withProductStore(async (store) => [await store.version('odd', 1), await store.version('odd', 2)]);
    expect(v2!.document).toEqual(v1!.document);
    expect(v1!.document).toEqual(JSON.parse(original));
    const second = await tellflow(['export', 'odd', '--version', '2']);
    expect(second.out).toBe(first.out);
  });

  it('exports the latest version unless --version picks one, and writes --out FILE', async () => {
    const v = (name: string) =>
      flow(
        'multi',
        [
          { id: 'start', type: 'start' },
          { id: 'end', type: 'end' },
        ],
        ['start:next>end'],
        { name },
      );
    await tellflow(['import', 'a.json'], { 'a.json': v('first') });
    await tellflow(['import', 'a.json'], { 'a.json': v('second') });
    expect(JSON.parse((await tellflow(['export', 'multi'])).out).name).toBe('second');
    expect(JSON.parse((await tellflow(['export', 'multi', '--version', '1'])).out).name).toBe('first');

    const file = join(outDir, 'multi.json');
    const written = await tellflow(['export', 'multi', '--version=1', '--out', file]);
    expect(written).toEqual({ code: 0, out: `exported multi v1 to ${file}\n`, err: '' });
    expect(readFileSync(file, 'utf8')).toBe((await tellflow(['export', 'multi', '--version', '1'])).out);

    const unwritable = await tellflow(['export', 'multi', '--out', join(outDir, 'no-such-dir', 'x.json')]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.err).toMatch(/^tellflow export: cannot write .*x\.json: no such file\n$/);
  });

  it('exits 1 with one line for an unknown scenario or version', async () => {
    expect(await tellflow(['export', 'nope'])).toEqual({ code: 1, out: '', err: 'tellflow export: scenario "nope" not found\n' });
    await tellflow(['import', 'odd.json'], { 'odd.json': original });
    expect(await tellflow(['export', 'odd', '--version', '7'])).toEqual({ code: 1, out: '', err: 'tellflow export: version 7 of scenario "odd" not found\n' });
  });

  it('does not create a database that is not there', async () => {
    const saved = process.env.TELLFLOW_DATA_DIR;
    const nowhere = join(outDir, 'no-data');
    process.env.TELLFLOW_DATA_DIR = nowhere;
    try {
      const r = await tellflow(['export', 'odd']);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `tellflow export: there is no database at ${join(nowhere, 'pglite')} (set TELLFLOW_DATA_DIR or DATABASE_URL, or import scenarios first)\n`,
      );
      expect(existsSync(nowhere)).toBe(false);
    } finally {
      process.env.TELLFLOW_DATA_DIR = saved;
    }
  });

  it('exits 2 for usage errors', async () => {
    expect((await tellflow(['export'])).err).toBe('tellflow export: no scenario id given\nRun "tellflow export --help" for usage.\n');
    expect((await tellflow(['export', 'a', 'b'])).code).toBe(2);
    const badVersion = await tellflow(['export', 'a', '--version', '0']);
    expect(badVersion).toEqual({
      code: 2,
      out: '',
      err: 'tellflow export: --version must be a version number (1, 2, …), not "0"\nRun "tellflow export --help" for usage.\n',
    });
  });
});

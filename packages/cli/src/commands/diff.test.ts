import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { useProductDatabase } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { flow } from '../test-scenarios.ts';

useProductDatabase();

async function tellflow(argv: string[], files: Record<string, string> = {}) {
  const io = fakeIo(files);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const version = (seconds: number, extra: Record<string, unknown> = {}) =>
  flow(
    'flow',
    [
      { id: 'start', type: 'start', position: { x: 0, y: 0 } },
      { id: 'pause', type: 'wait', params: { seconds }, position: { x: 0, y: 100 } },
      { id: 'end', type: 'end', position: { x: 0, y: 200 } },
    ],
    ['start:next>pause', 'pause:next>end'],
    extra,
  );

describe('tellflow diff', () => {
  it('compares the published version with the latest by default, as diff(1) exits', async () => {
    await tellflow(['import', '--publish', 'v1.json'], { 'v1.json': version(60) });
    expect(await tellflow(['diff', 'flow'])).toEqual({ code: 0, out: 'flow: v1 → v1: no differences\n', err: '' });

    await tellflow(['import', 'v2.json'], { 'v2.json': version(90, { name: 'Flow' }) });
    expect(await tellflow(['diff', 'flow'])).toEqual({
      code: 1,
      out: 'flow: v1 → v2\n  scenario name: "flow" → "Flow"\n  ~ node pause (wait) params.seconds: 60 → 90\n',
      err: '',
    });
    const json = await tellflow(['diff', 'flow', '--from', '2', '--to', '1', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      from: 2,
      to: 1,
      same: false,
      nodes: [{ id: 'pause', fields: [{ path: 'params.seconds', before: 90, after: 60 }] }],
    });
  });

  it('compares a file with a stored version: what importing and publishing it would change', async () => {
    await tellflow(['import', '--publish', 'v1.json'], { 'v1.json': version(60) });
    const moved = JSON.parse(version(60));
    moved.nodes[2].position = { x: 300, y: 200 };
    moved.nodes.push({ id: 'late', type: 'end', params: { result: 'late' } });
    moved.edges.push({ source: 'pause', sourceHandle: 'next', target: 'late' });
    moved.edges.splice(1, 1);
    const r = await tellflow(['diff', 'flow', '--file', 'edited.json'], { 'edited.json': JSON.stringify(moved) });
    expect(r).toEqual({
      code: 1,
      out: 'flow: v1 → edited.json\n  + node late (end)\n  - edge pause:next → end\n  + edge pause:next → late\n  layout: 1 node(s) moved (end)\n',
      err: '',
    });
  });

  it('says what is wrong, with exit 2: unknown scenario or version, nothing published, bad file, bad arguments', async () => {
    expect(await tellflow(['diff', 'nope'])).toEqual({ code: 2, out: '', err: 'tellflow diff: scenario "nope" not found\n' });
    await tellflow(['import', 'v1.json'], { 'v1.json': version(60) });
    expect((await tellflow(['diff', 'flow'])).err).toBe('tellflow diff: scenario "flow" has no published version: give --from N\n');
    expect(await tellflow(['diff', 'flow', '--from', '1', '--to', '9'])).toMatchObject({
      code: 2,
      err: 'tellflow diff: version 9 of scenario "flow" not found\n',
    });
    expect(
      await tellflow(['diff', 'flow', '--from', '1', '--file', 'other.json'], { 'other.json': flow('other', [{ id: 'start', type: 'start' }], []) }),
    ).toMatchObject({
      code: 2,
      err: 'tellflow diff: other.json is scenario "other", not "flow"\n',
    });
    const invalid = await tellflow(['diff', 'flow', '--from', '1', '--file', 'bad.json'], {
      'bad.json': flow(
        'flow',
        [
          { id: 'start', type: 'start' },
          { id: 'w', type: 'wait', params: {} },
        ],
        ['start:next>w'],
      ),
    });
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/^tellflow diff: bad\.json: error node "w" at nodes\[1\]\.params/);
    expect((await tellflow(['diff', 'flow', '--from', '1', '--file', 'missing.json'])).err).toMatch(/^tellflow diff: cannot read missing\.json: /);
    expect((await tellflow(['diff'])).code).toBe(2);
    expect((await tellflow(['diff', 'flow', '--from', 'x'])).err).toBe(
      'tellflow diff: --from must be a version number (1, 2, …), not "x"\nRun "tellflow diff --help" for usage.\n',
    );
    expect((await tellflow(['diff', 'flow', '--to', '1', '--file', 'a.json'])).err).toMatch(/give --to or --file, not both/);
  });
});

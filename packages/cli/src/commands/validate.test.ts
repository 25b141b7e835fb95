import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { fakeIo, scenarioText } from '../test-io.ts';
import { summary, type ValidateReport } from './validate.ts';

const valid = scenarioText();
const withWarning = scenarioText({ id: 'warned' }, [
  { id: 'start', type: 'start' },
  { id: 'end', type: 'end' },
  { id: 'orphan', type: 'end' },
]);
const invalid = scenarioText(
  { id: 'broken' },
  [
    { id: 'start', type: 'start' },
    { id: 'dial', type: 'dialCustomer', params: { number: '123', timeoutSec: 0 } },
  ],
  [
    { source: 'start', sourceHandle: 'next', target: 'dial' },
    { source: 'start', sourceHandle: 'hungUp', target: 'dial' },
  ],
);

async function run(argv: string[], files: Record<string, string | Uint8Array>) {
  const io = fakeIo(files);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('tellflow validate', () => {
  it('exits 0 and prints a summary for valid files', async () => {
    const r = await run(['validate', 'a.json'], { 'a.json': valid });
    expect(r).toEqual({ code: 0, out: '1 file: 1 valid, 0 invalid\n', err: '' });
  });

  it('allows warnings (exit 0) and prints them with the file name', async () => {
    const r = await run(['validate', 'w.json'], { 'w.json': withWarning });
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'w.json: warning node "orphan" at nodes[2]: unreachable: no path leads here from the start node\n' + '1 file: 1 valid, 0 invalid (1 warning)\n',
    );
  });

  it('exits 1 with one line per error naming file, node and field', async () => {
    const r = await run(['validate', 'a.json', 'bad.json', 'w.json'], { 'a.json': valid, 'bad.json': invalid, 'w.json': withWarning });
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual([
      'bad.json: error node "dial" at nodes[1].params.timeoutSec: must be greater than 0',
      'bad.json: error node "start" at edges[1].sourceHandle: "hungUp" is not an outcome of start node "start": its outcomes are "next"',
      'w.json: warning node "orphan" at nodes[2]: unreachable: no path leads here from the start node',
      '3 files: 2 valid, 1 invalid (2 errors, 1 warning)',
      '',
    ]);
  });

  it('resolves runScenario references between the given files only', async () => {
    const parent = scenarioText(
      { id: 'parent' },
      [
        { id: 'start', type: 'start' },
        { id: 'child', type: 'runScenario', params: { scenario: 'greeting' } },
      ],
      [{ source: 'start', sourceHandle: 'next', target: 'child' }],
    );
    expect((await run(['validate', 'p.json', 'g.json'], { 'p.json': parent, 'g.json': valid })).code).toBe(0);
    const alone = await run(['validate', 'p.json'], { 'p.json': parent });
    expect(alone.code).toBe(1);
    expect(alone.out).toContain('p.json: error node "child" at nodes[1].params.scenario: unknown scenario "greeting"');
    // The referenced file being invalid is reported once, on that file, not again as an unknown scenario.
    const brokenChild = scenarioText({ id: 'greeting', kind: 'nope' });
    const both = await run(['validate', 'p.json', 'g.json'], { 'p.json': parent, 'g.json': brokenChild });
    expect(both.code).toBe(1);
    expect(both.out).not.toContain('unknown scenario');
    expect(both.out).toContain('g.json: error at kind:');
  });

  it('reports two files with the same scenario id', async () => {
    const r = await run(['validate', 'a.json', 'b.json'], { 'a.json': valid, 'b.json': valid });
    expect(r.code).toBe(1);
    expect(r.out).toContain('b.json: error at id: scenario id "greeting" is also used by a.json');
  });

  it('checks a file named twice once', async () => {
    const r = await run(['validate', 'a.json', './a.json'], { 'a.json': valid });
    expect(r).toMatchObject({ code: 0, out: '1 file: 1 valid, 0 invalid\n' });
  });

  it('gives one error with the position for text that is not JSON, not UTF-8 or not an object', async () => {
    const r = await run(['validate', 'syntax.json', 'latin1.json', 'array.json', 'empty.json'], {
      'syntax.json': '{\n  "format": "tellflow.scenario/v1",\n  "id": "x" "name": "y"\n}\n',
      'latin1.json': new Uint8Array([0x7b, 0x22, 0x6e, 0xe9, 0x22, 0x7d]),
      'array.json': '[]',
      'empty.json': '',
    });
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'syntax.json: error: not valid JSON: comma expected at line 3, column 13',
      // The bad lead byte is at offset 3 (engines before the fix in parse-text.ts said 4, the byte after it).
      expect.stringMatching(/^latin1\.json: error: not UTF-8 text \(first invalid byte at offset [34]\)$/),
      'array.json: error: a scenario must be a JSON object, not an array',
      expect.stringMatching(/^empty\.json: error: not valid JSON: .+ at line 1, column 1$/),
      '4 files: 0 valid, 4 invalid (4 errors)',
      '',
    ]);
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const r = await run(['validate', 'bom.json'], { 'bom.json': `\ufeff${valid}` });
    expect(r.code).toBe(0);
  });

  it('exits 2 with a one-line message for a missing file, and still checks the others', async () => {
    const r = await run(['validate', 'a.json', 'missing.json', 'bad.json'], { 'a.json': valid, 'bad.json': invalid });
    expect(r.code).toBe(2);
    expect(r.err).toBe('tellflow validate: cannot read missing.json: no such file\n');
    expect(r.out).toContain('bad.json: error');
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('3 files: 1 valid, 1 invalid, 1 unreadable (2 errors)');
  });

  it('maps other file-system errors to short reasons', async () => {
    const io = fakeIo();
    io.readFile = async () => {
      throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    };
    expect(await main(['validate', 'scenarios'], io)).toBe(2);
    expect(io.err).toBe('tellflow validate: cannot read scenarios: is a directory\n');
  });

  it('exits 2 for usage errors', async () => {
    const none = await run(['validate'], {});
    expect(none).toEqual({ code: 2, out: '', err: 'tellflow validate: no files given\nRun "tellflow validate --help" for usage.\n' });
    const unknown = await run(['validate', '--strict', 'a.json'], { 'a.json': valid });
    expect(unknown.code).toBe(2);
    expect(unknown.out).toBe('');
    expect(unknown.err).toBe('tellflow validate: unknown option \'--strict\'\nRun "tellflow validate --help" for usage.\n');
    const value = await run(['validate', '--json=yes', 'a.json'], { 'a.json': valid });
    expect(value.code).toBe(2);
    expect(value.err).toContain("option '--json' does not take an argument");
  });

  describe('--json', () => {
    it('prints { ok, files: [{ file, ok, issues }] } with the same exit codes', async () => {
      const r = await run(['validate', '--json', 'a.json', 'bad.json', 'w.json'], { 'a.json': valid, 'bad.json': invalid, 'w.json': withWarning });
      expect(r.code).toBe(1);
      expect(r.err).toBe('');
      const report = JSON.parse(r.out) as ValidateReport;
      expect(report.ok).toBe(false);
      expect(report.files.map((f) => [f.file, f.ok, f.issues.length])).toEqual([
        ['a.json', true, 0],
        ['bad.json', false, 2],
        ['w.json', true, 1],
      ]);
      expect(report.files[1]!.issues[0]).toEqual({
        severity: 'error',
        nodeId: 'dial',
        path: 'nodes[1].params.timeoutSec',
        message: 'must be greater than 0',
      });
    });

    it('is ok for valid files and includes unreadable files as errors', async () => {
      const good = await run(['validate', 'a.json', '--json'], { 'a.json': valid });
      expect(good.code).toBe(0);
      expect(JSON.parse(good.out)).toEqual({ ok: true, files: [{ file: 'a.json', ok: true, issues: [] }] });
      const missing = await run(['validate', '--json', 'nope.json'], {});
      expect(missing.code).toBe(2);
      expect(missing.err).toBe('tellflow validate: cannot read nope.json: no such file\n');
      expect(JSON.parse(missing.out)).toEqual({
        ok: false,
        files: [{ file: 'nope.json', ok: false, issues: [{ severity: 'error', path: '', message: 'cannot read file: no such file' }] }],
      });
    });
  });

  it('summarises with singular and plural words', () => {
    const issue = (severity: 'error' | 'warning') => ({ severity, path: '', message: 'x' });
    expect(summary([])).toBe('0 files: 0 valid, 0 invalid');
    expect(summary([{ file: 'a', ok: false, issues: [issue('error')] }])).toBe('1 file: 0 valid, 1 invalid (1 error)');
    expect(
      summary([
        { file: 'a', ok: false, issues: [issue('error'), issue('error'), issue('warning')] },
        { file: 'b', ok: true, issues: [issue('warning'), issue('warning')] },
      ]),
    ).toBe('2 files: 1 valid, 1 invalid (2 errors, 3 warnings)');
  });
});

/**
 * The real command, spawned the way `npx tellflow` runs it (through the
 * node_modules/.bin link and tsx): a few cases only, each spawn costs ~0.5 s.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioText } from './test-io.ts';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'node_modules/.bin/tellflow');
const examples = ['inbound-support', 'callback-monitor', 'operator-callback'].map((n) => `scenarios/examples/${n}.json`);
const dir = mkdtempSync(join(tmpdir(), 'tellflow-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tellflow(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(bin, args, { cwd: root, encoding: 'utf8' }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('the tellflow bin', () => {
  it('validates files end to end: exit 0, 1 and 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, scenarioText({ kind: 'robocall' }));
    const [ok, invalid, missing] = await Promise.all([
      tellflow(['validate', ...examples]),
      tellflow(['validate', bad]),
      tellflow(['validate', 'scenarios/examples/does-not-exist.json']),
    ]);

    expect(ok).toEqual({ code: 0, stdout: '3 files: 3 valid, 0 invalid\n', stderr: '' });

    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe(
      `${bad}: error at kind: Invalid option: expected one of "inbound"|"outbound"|"dialog"|"service"|"sub"\n1 file: 0 valid, 1 invalid (1 error)\n`,
    );
    expect(invalid.stderr).toBe('');

    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('tellflow validate: cannot read scenarios/examples/does-not-exist.json: no such file\n');
  });
});

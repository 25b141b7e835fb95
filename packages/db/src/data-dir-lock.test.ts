import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from './client.ts';
import { lockDataDir } from './data-dir-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'tellflow-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded data directory lock', () => {
  it('lets one holder at a time in, and the next one after a release', () => {
    const data = join(dir, 'a');
    const release = lockDataDir(data);
    expect(JSON.parse(readFileSync(`${data}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockDataDir(data)).toThrow(`the embedded database at ${data} is in use: this process already has it open.`);
    release();
    release(); // twice is harmless
    expect(existsSync(`${data}.lock`)).toBe(false);
    lockDataDir(data)();
  });

  it('takes over the lock of a process that is gone (e.g. killed with -9)', async () => {
    const data = join(dir, 'b');
    const gone = spawn(process.execPath, ['-e', '']);
    const pid = gone.pid!;
    await new Promise((r) => gone.on('exit', r));
    writeFileSync(`${data}.lock`, JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const release = lockDataDir(data);
    expect(JSON.parse(readFileSync(`${data}.lock`, 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('refuses a second process on the same files instead of losing what the first one writes', { timeout: 120_000 }, async () => {
    const data = join(dir, 'c');
    // A second process opens the directory, writes, and waits to be told to stop.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
      const { createDatabase } = await import(${JSON.stringify(fileURLToPath(new URL('./client.ts', import.meta.url)))});
      const db = await createDatabase({ dataDir: ${JSON.stringify(data)} });
      await db.query('create table t (who text)');
      await db.query("insert into t values ('child')");
      process.stdout.write('ready\\n');
      process.stdin.once('data', async () => { await db.close(); process.exit(0); });
    `,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`the child exited with ${code}`)));
    });
    try {
      await expect(createDatabase({ dataDir: data })).rejects.toThrow(`the embedded database at ${data} is in use: process ${child.pid} on ${hostname()}`);
    } finally {
      child.stdin!.write('stop\n');
      await new Promise((r) => child.on('exit', r));
    }
    // Once it has stopped, the files open here with what it wrote.
    const db = await createDatabase({ dataDir: data });
    try {
      expect((await db.query('select who from t')).rows).toEqual([{ who: 'child' }]);
    } finally {
      await db.close();
    }
  });
});

/**
 * `tellflow serve` as a real child process, the way `npm start` runs it: it
 * prints its URL, answers, stops cleanly on SIGTERM, and what was imported
 * is still there after a restart on the same data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { fakeIo, scenarioText } from '../test-io.ts';

const root = resolve(import.meta.dirname, '../../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'tellflow-serve-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  out: () => string;
  exited: Promise<number | null>;
}

/** Starts `tellflow serve` on a free port and waits for its URL line. */
function startServe(): Promise<Running> {
  const { DATABASE_URL: _db, TELLFLOW_ADMIN_PASSWORD: _pw, PORT: _port, ...env } = process.env;
  const child = spawn(process.execPath, [join(root, 'packages/cli/bin/tellflow.js'), 'serve'], {
    cwd: root,
    env: { ...env, PORT: '0', TELLFLOW_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      children.delete(child);
      done(code);
    }),
  );
  return new Promise((ready, fail) => {
    const timer = setInterval(() => {
      const url = /Tellflow listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearInterval(timer);
        ready({ child, url, out: () => out, exited });
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      fail(new Error(`tellflow serve exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}

async function stop(s: Running): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

describe('tellflow serve (child process)', () => {
  it('serves, prints a generated admin password once, stops on SIGTERM, and keeps data across a restart', { timeout: 300_000 }, async () => {
    const first = await startServe();
    expect(first.url).toMatch(/^http:\/\/localhost:\d+$/);
    const password = /generated password:\s+(\S+)/.exec(first.out())?.[1];
    expect(password).toBeDefined();
    expect(first.out()).toContain(`(database: PGlite at ${join(dataDir, 'pglite')})`);

    const health = await fetch(`${first.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'pglite' });

    const login = async (url: string) => {
      const r = await fetch(`${url}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) });
      expect(r.status).toBe(200);
      return r.headers.get('set-cookie')!.split(';')[0]!;
    };
    const scenario = scenarioText({ id: 'survives-restart' });
    const imported = await fetch(`${first.url}/api/scenarios?publish=true`, { method: 'POST', headers: { cookie: await login(first.url) }, body: scenario });
    expect(imported.status).toBe(201);

    expect(await stop(first)).toBe(0);
    expect(first.out()).toContain('SIGTERM: shutting down');

    const second = await startServe();
    try {
      expect(second.out()).not.toContain('generated password');
      const cookie = await login(second.url);
      const got = await fetch(`${second.url}/api/scenarios/survives-restart`, { headers: { cookie } });
      expect(got.status).toBe(200);
      expect(await got.json()).toMatchObject({ id: 'survives-restart', publishedVersion: 1, document: JSON.parse(scenario) });
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });

  it('refuses a bad --port without starting anything', async () => {
    const io = fakeIo();
    expect(await main(['serve', '--port', 'eighty'], io)).toBe(2);
    expect(io.err).toBe('tellflow serve: --port must be a number from 0 to 65535, not "eighty"\nRun "tellflow serve --help" for usage.\n');
  });
});

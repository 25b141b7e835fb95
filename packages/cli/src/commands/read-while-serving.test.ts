/**
 * Read-only verbs while `tellflow serve` (a real child process) holds the
 * embedded database: they ask the server through its local socket and print
 * exactly what they print when they read the database themselves; verbs that
 * write are refused with a message that says where the server is.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@tellflow/db';
import { installBundled, Runtime } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { systemClock } from '@tellflow/clock';
import { startServer, type ServerProcess } from '../../../../test/support/server-process.ts';
import { main } from '../main.ts';
import { fakeIo } from '../test-io.ts';
import { flow } from '../test-scenarios.ts';

const three = (result: number) =>
  flow(
    'three',
    [
      { id: 'start', type: 'start' },
      { id: 'set', type: 'setVariables', params: { assign: [{ name: 'x', value: result }] } },
      { id: 'end', type: 'end', params: { result: { var: 'x' } } },
    ],
    ['start:next>set', 'set:next>end'],
  );

const FILES = { 'v1.json': three(1), 'v2.json': three(2), 'list.csv': 'tel,first_name\n+15550100,Ann\n+15550101,Bob\n' };

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo(FILES);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('read-only verbs while the server holds the embedded database', () => {
  const root = mkdtempSync(join(tmpdir(), 'tellflow-rws-'));
  const saved = { dir: process.env.TELLFLOW_DATA_DIR, url: process.env.DATABASE_URL };
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    process.env.TELLFLOW_DATA_DIR = root;
    delete process.env.DATABASE_URL;
    // The bundled scenarios, which an outbound task needs, as the server's first start installs them.
    const db = await openDatabase();
    const sim = new TelephonySimulator({ clock: systemClock, rules: {} });
    const rt = new Runtime({ db, telephony: sim });
    await installBundled(rt);
    await rt.close();
    sim.dispose();
    await db.close();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (saved.dir === undefined) delete process.env.TELLFLOW_DATA_DIR;
    else process.env.TELLFLOW_DATA_DIR = saved.dir;
    if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
    rmSync(root, { recursive: true, force: true });
  });

  it('prints the same through the server as from the database, and refuses writes naming the server', { timeout: 300_000 }, async () => {
    for (const argv of [
      ['import', 'v1.json', '--publish'],
      ['import', 'v2.json'],
      ['service-tasks', 'create', 'three-daily', '--scenario', 'three', '--schedule', '0 0 3 * * *'],
      ['service-tasks', 'run', 'three-daily'],
      ['tasks', 'create', 't1', '--operators', '101,102', '--hours', '09:00-21:00', '--tz', 'Europe/Moscow'],
      ['subscribers', 'import', 'list.csv', '--task', 't1'],
    ]) {
      expect(await cli(...argv), argv.join(' ')).toMatchObject({ code: 0, err: '' });
    }

    server = await startServer({ TELLFLOW_DATA_DIR: root, DATABASE_URL: '' });
    // The server performs the execution the service task started; the list comes through it.
    let listed = await cli('executions', 'list', '--status', 'completed');
    for (let i = 0; i < 600 && !listed.out.includes('completed'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await cli('executions', 'list', '--status', 'completed');
    }
    expect(listed.out).toContain('three v1  completed');
    const id = /^([0-9a-f-]{36})/m.exec(listed.out)![1]!;

    const reads = [
      ['executions', 'list'],
      ['executions', 'list', '--scenario', 'three', '--status', 'completed', '--limit', '5'],
      ['executions', 'show', id],
      ['executions', 'show', '00000000-0000-4000-8000-000000000000'],
      ['tasks', 'list'],
      ['tasks', 'progress', 't1'],
      ['tasks', 'progress', 'nosuch'],
      ['tasks', 'stats', 't1', '--since', '2026-01-01'],
      ['service-tasks', 'list'],
      ['service-tasks', 'runs', 'three-daily'],
      ['export', 'three'],
      ['export', 'three', '--version', '1'],
      ['export', 'three', '--version', '9'],
      ['diff', 'three'],
      ['diff', 'three', '--from', '1', '--to', '2', '--json'],
      ['diff', 'nosuch'],
      ['executions', 'list', '--all'],
      ['agents', 'list'],
      ['subscribers', 'list', '--task', 't1'],
      ['subscribers', 'list', '--status', '10', '--json'],
    ];
    const throughServer = [];
    for (const argv of reads) throughServer.push(await cli(...argv));

    // Only the owner may use the socket, which is the only credential.
    const socket = join(root, 'pglite.local', 'api.sock');
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'pglite.local')).mode & 0o777).toBe(0o700);

    const write = await cli('tasks', 'start', 't1');
    expect(write.code).toBe(2);
    expect(write.err).toBe(
      `tellflow tasks: the server at ${server.url} (process ${server.child.pid}) holds the embedded database at ${join(root, 'pglite')}: ` +
        `this command cannot share it: use the web app or the API at ${server.url}, or stop the server first\n`,
    );

    await server.stop();
    server = undefined;
    for (const [i, argv] of reads.entries()) {
      const direct = await cli(...argv);
      expect(throughServer[i], argv.join(' ')).toEqual(direct);
    }
    // What was compared is not empty.
    expect(throughServer[2]!.out).toContain('result 1');
    expect(throughServer[5]!.out).toContain('new');
    expect(throughServer[10]!.out).toBe(`${JSON.stringify(JSON.parse(FILES['v2.json']), null, 2)}\n`);
    expect(throughServer[14]!.code).toBe(1);
    expect(throughServer[3]!).toMatchObject({ code: 1, err: 'tellflow executions: execution "00000000-0000-4000-8000-000000000000" not found\n' });
  });
});

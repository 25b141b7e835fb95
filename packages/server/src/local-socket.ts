/**
 * The owner's read-only way into a server on the embedded database. PGlite
 * serves one process at a time, so while `tellflow serve` runs, the CLI
 * cannot open the database; read-only verbs ask the server instead, through
 * a Unix socket in a directory only the owner of the data may enter (0700,
 * the socket itself 0600). The file system is the authentication: no
 * password, and no token written anywhere. Requests through the socket act as
 * the built-in "local-admin" and may only read (middleware/local-admin.ts);
 * the TCP listener is unchanged.
 */
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { App } from './app.ts';

/** What the socket's requests carry in `c.env`: set here only, never from anything a client sends. */
export const LOCAL_SOCKET_ENV = 'tellflowLocalSocket';

/** Unix socket paths are limited to 107 bytes (Linux; 103 on macOS). */
const MAX_SOCKET_PATH = 100;

export function localSocketPath(dataDir: string): string {
  return join(`${dataDir}.local`, 'api.sock');
}

/** Listens on the local socket of `dataDir` (whose lock this process holds); resolves to its path and the function that closes it. */
export async function listenLocal(app: Pick<App, 'fetch'>, dataDir: string): Promise<{ socket: string; close: () => Promise<void> }> {
  const socket = localSocketPath(dataDir);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new Error(`${socket} is longer than a Unix socket path may be (${MAX_SOCKET_PATH} bytes): use a shorter TELLFLOW_DATA_DIR`);
  }
  const dir = join(socket, '..');
  mkdirSync(dir, { mode: 0o700, recursive: true });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) throw new Error(`${dir} is not a directory of this user`);
  chmodSync(dir, 0o700);
  // This process holds the data directory's lock: a socket left here is a dead server's.
  rmSync(socket, { force: true });
  const server = createAdaptorServer({ fetch: (request, env) => app.fetch(request, { ...env, [LOCAL_SOCKET_ENV]: true }) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(socket, 0o600);
  return {
    socket,
    close: () =>
      new Promise<void>((resolve) => {
        'closeAllConnections' in server && server.closeAllConnections();
        server.close(() => {
          rmSync(socket, { force: true });
          resolve();
        });
      }),
  };
}

/**
 * Running the server for real: open (and migrate) the database, make sure
 * there is an admin, start the simulator and the runtime, listen.
 *
 *   startServer(env)  → { url, close }   for tests and embedding
 *   bootServer(env)   → resolves when a SIGINT/SIGTERM has shut it down cleanly
 *
 * Shutting down: stop accepting connections, end the live event streams, let open requests finish (5 s
 * at most), stop the runtime, stop the simulator (its call log written out,
 * its open calls left to the next process), close the database.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { serve, type ServerType } from '@hono/node-server';
import { systemClock } from '@tellflow/clock';
import { announceServer, describeDatabase, embeddedDataDir, openDatabase } from '@tellflow/db';
import { installBundled, Runtime } from '@tellflow/runtime';
import { closeTestRunSpare, createApp, type App } from './app.ts';
import { ensureAdmin } from './auth/ensure-admin.ts';
import type { AppOptions, Log } from './context.ts';
import { deploymentFromEnv } from './http/forwarded.ts';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts, httpServerOptions, httpTimeoutsFromEnv } from './http/timeouts.ts';
import { wholeNumberFromEnv } from './env-number.ts';
import { listenLocal } from './local-socket.ts';
import { createTelephony } from './telephony.ts';

export interface ServerProcessOptions {
  /** Overrides PORT (default 3000; 0 picks a free port). */
  port?: number;
  /** Overrides HOST (default 127.0.0.1). */
  host?: string;
  /** Where the startup lines (URL, a generated admin password) go; default stdout. */
  print?: (text: string) => void;
  log?: Log;
  app?: Omit<AppOptions, 'log'>;
  /** Overrides TELLFLOW_HEADERS_TIMEOUT_SECONDS / TELLFLOW_REQUEST_TIMEOUT_SECONDS. */
  http?: HttpTimeouts;
}

export interface ServerProcess {
  url: string;
  port: number;
  app: App;
  runtime: Runtime;
  close(): Promise<void>;
}

const stdoutPrint = (text: string) => void process.stdout.write(text);
const stderrLog: Log = (message, fields) => console.error(`[tellflow] ${message}`, fields ?? '');

export async function startServer(env: NodeJS.ProcessEnv = process.env, o: ServerProcessOptions = {}): Promise<ServerProcess> {
  const print = o.print ?? stdoutPrint;
  const log = o.log ?? stderrLog;
  const port = o.port ?? parsePort(env.PORT);
  const host = o.host ?? (env.HOST?.trim() || '127.0.0.1');
  const timeouts = o.http ?? httpTimeoutsFromEnv(env);
  const sessionIdle = sessionIdleMs(env);
  const testRunWall = testRunWallMs(env);

  // Settings are checked before anything opens: a mistake stops the start with a message naming it.
  const tls = tlsFiles(env);
  deploymentFromEnv(env);
  const db = await openDatabase(env);
  const cleanups: Array<() => Promise<void>> = [() => db.close()];
  const cleanup = async () => {
    for (const f of cleanups.splice(0).reverse()) await f().catch((e: unknown) => log('shutdown step failed', { error: String(e) }));
  };
  try {
    await ensureAdmin(db, env, print, o.app?.scrypt);
    const telephony = await createTelephony(db, systemClock, env, log);
    // Runs after the runtime's close (cleanups run in reverse) and before the database's: the call log is written out first.
    cleanups.push(() => telephony.close());
    const runtime = new Runtime({ db, telephony, clock: systemClock, log, ...runtimeTuning(env) });
    cleanups.push(() => runtime.close());
    cleanups.push(closeTestRunSpare);
    const installed = await installBundled(runtime);
    if (installed.length) print(`Installed the bundled scenarios: ${installed.join(', ')}\n`);
    await runtime.run();
    const app = createApp({
      runtime,
      db,
      clock: systemClock,
      telephony: { simulator: telephony, logInDatabase: true },
      options: { ...deploymentFromEnv(env), ...sessionIdle, ...testRunWall, ...o.app, log, ...metricsToken(env) },
    });
    const server = await listen(app, port, host, timeouts, tls);
    cleanups.push(() => closeServer(server, () => app.eventStreams.closeAll()));
    const actual = (server.address() as AddressInfo).port;
    const url = `${tls ? 'https' : 'http'}://${displayHost(host)}:${actual}`;
    const dataDir = embeddedDataDir(env);
    if (dataDir) {
      // The CLI's read-only verbs cannot open the embedded database while this process holds it: they ask here instead.
      try {
        const local = await listenLocal(app, dataDir);
        cleanups.push(local.close);
        announceServer(dataDir, { url, socket: local.socket });
      } catch (e) {
        log('the command line cannot read through this server (no local socket)', { error: e instanceof Error ? e.message : String(e) });
      }
    }
    print(`Tellflow listening on ${url} (database: ${describeDatabase(env)})\n`);
    let closing: Promise<void> | undefined;
    return { url, port: actual, app, runtime, close: () => (closing ??= cleanup()) };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** `tellflow serve`: runs until SIGINT or SIGTERM, then shuts down cleanly. A second signal exits at once. */
export async function bootServer(env: NodeJS.ProcessEnv = process.env, o: ServerProcessOptions = {}): Promise<void> {
  const server = await startServer(env, o);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      process.once(signal, () => process.exit(130));
      (o.print ?? stdoutPrint)(`${signal}: shutting down\n`);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
}

export function listen(
  app: Pick<App, 'fetch'>,
  port: number,
  hostname: string,
  timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS,
  tls?: TlsFiles,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const https = tls ? { createServer: createHttpsServer } : {};
    const serverOptions = { ...httpServerOptions(timeouts), ...(tls ? { cert: tls.cert, key: tls.key } : {}) };
    const server = serve({ fetch: app.fetch, port, hostname, ...https, serverOptions }, () => resolve(server));
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${port} on ${hostname} is already in use: set PORT to another port`) : e),
    );
  });
}

/** Stops accepting, then ends the long-lived responses (`endStreams`: live event streams), then waits for the rest (5 s at most). */
export function closeServer(server: ServerType, endStreams: () => void = () => {}): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), 5_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    endStreams();
  });
}

/**
 * Runtime settings from the environment: lease and polling periods (ms) from
 * TELLFLOW_LEASE_MS / TELLFLOW_POLL_MS (e.g. short ones for crash tests), and
 * how many days finished executions are kept, TELLFLOW_KEEP_DAYS ("forever":
 * never deleted), and how many minutes idle ones (a service task's scheduled
 * run that changed nothing), TELLFLOW_KEEP_IDLE_MINUTES ("forever": as long
 * as the others).
 */
export function runtimeTuning(env: NodeJS.ProcessEnv): { leaseMs?: number; pollMs?: number; keepFinishedMs?: number | null; keepIdleMs?: number | null } {
  const ms = (name: string) => {
    const v = env[name]?.trim();
    if (!v) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 10 || n > 3_600_000) throw new Error(`${name} must be milliseconds between 10 and 3600000, not "${v}"`);
    return n;
  };
  const leaseMs = ms('TELLFLOW_LEASE_MS');
  const pollMs = ms('TELLFLOW_POLL_MS');
  const keep = env.TELLFLOW_KEEP_DAYS?.trim();
  let keepFinishedMs: number | null | undefined;
  if (keep === 'forever') keepFinishedMs = null;
  else if (keep) {
    const days = Number(keep);
    if (!Number.isInteger(days) || days < 1 || days > 36_500)
      throw new Error(`TELLFLOW_KEEP_DAYS must be a number of days (1 or more) or "forever", not "${keep}"`);
    keepFinishedMs = days * 86_400_000;
  }
  const keepIdle = env.TELLFLOW_KEEP_IDLE_MINUTES?.trim();
  let keepIdleMs: number | null | undefined;
  if (keepIdle === 'forever') keepIdleMs = null;
  else if (keepIdle) {
    const minutes = Number(keepIdle);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 525_600)
      throw new Error(`TELLFLOW_KEEP_IDLE_MINUTES must be a number of minutes (1 or more) or "forever", not "${keepIdle}"`);
    keepIdleMs = minutes * 60_000;
  }
  return {
    ...(leaseMs ? { leaseMs } : {}),
    ...(pollMs ? { pollMs } : {}),
    ...(keepFinishedMs !== undefined ? { keepFinishedMs } : {}),
    ...(keepIdleMs !== undefined ? { keepIdleMs } : {}),
  };
}

interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** TELLFLOW_TLS_CERT and TELLFLOW_TLS_KEY (PEM files): serve https directly, without a proxy. Both or neither. */
function tlsFiles(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const certFile = env.TELLFLOW_TLS_CERT?.trim();
  const keyFile = env.TELLFLOW_TLS_KEY?.trim();
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('TELLFLOW_TLS_CERT and TELLFLOW_TLS_KEY go together: give both files (PEM), or neither');
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`${name}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  };
  const files = { cert: read('TELLFLOW_TLS_CERT', certFile), key: read('TELLFLOW_TLS_KEY', keyFile) };
  try {
    createSecureContext(files);
  } catch (e) {
    throw new Error(`TELLFLOW_TLS_CERT / TELLFLOW_TLS_KEY: not a usable certificate and key: ${(e as Error).message}`);
  }
  return files;
}

/** TELLFLOW_SESSION_IDLE_MINUTES: a session unused this long ends (1 to 1440; default 30). */
export function sessionIdleMs(env: NodeJS.ProcessEnv): { sessionIdleMs?: number } {
  const minutes = wholeNumberFromEnv(env, 'TELLFLOW_SESSION_IDLE_MINUTES', 'minutes', 1, 1440);
  return minutes === undefined ? {} : { sessionIdleMs: minutes * 60_000 };
}

/** TELLFLOW_TEST_RUN_SECONDS: the real time one test run (or test case) may take (1 to 600; default 10). */
export function testRunWallMs(env: NodeJS.ProcessEnv): { testRunWallMs?: number } {
  const seconds = wholeNumberFromEnv(env, 'TELLFLOW_TEST_RUN_SECONDS', 'seconds', 1, 600);
  return seconds === undefined ? {} : { testRunWallMs: seconds * 1000 };
}

function metricsToken(env: NodeJS.ProcessEnv): { metricsToken?: string } {
  const token = env.TELLFLOW_METRICS_TOKEN?.trim();
  if (!token) return {};
  if (token.length < 16) throw new Error('TELLFLOW_METRICS_TOKEN must be at least 16 characters');
  return { metricsToken: token };
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be a port number (0–65535), not "${value}"`);
  return n;
}

const displayHost = (host: string) =>
  host === '0.0.0.0' || host === '::' || host === '127.0.0.1' || host === '::1' ? 'localhost' : host.includes(':') ? `[${host}]` : host;

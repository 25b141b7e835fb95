/**
 * Running the server for real: open (and migrate) the database, make sure
 * there is an admin, start the simulator and the runtime, listen.
 *
 *   startServer(env)  → { url, close }   for tests and embedding
 *   bootServer(env)   → resolves when a SIGINT/SIGTERM has shut it down cleanly
 *
 * Shutting down: stop accepting connections, let open requests finish (5 s
 * at most), stop the runtime, stop the simulator (its call log written out,
 * its open calls left to the next process), close the database.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { systemClock } from '@tellflow/clock';
import { describeDatabase, openDatabase } from '@tellflow/db';
import { installBundled, Runtime } from '@tellflow/runtime';
import { createApp, type App } from './app.ts';
import { ensureAdmin } from './auth/ensure-admin.ts';
import type { AppOptions, Log } from './context.ts';
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
    const installed = await installBundled(runtime);
    if (installed.length) print(`Installed the bundled scenarios: ${installed.join(', ')}\n`);
    await runtime.run();
    const app = createApp({
      runtime,
      db,
      clock: systemClock,
      telephony: { simulator: telephony, logInDatabase: true },
      options: { ...o.app, log, ...metricsToken(env) },
    });
    const server = await listen(app, port, host);
    cleanups.push(() => closeServer(server));
    const actual = (server.address() as AddressInfo).port;
    const url = `http://${displayHost(host)}:${actual}`;
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

function listen(app: App, port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolve(server));
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${port} on ${hostname} is already in use: set PORT to another port`) : e),
    );
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), 5_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/**
 * Runtime settings from the environment: lease and polling periods (ms) from
 * TELLFLOW_LEASE_MS / TELLFLOW_POLL_MS (e.g. short ones for crash tests), and
 * how many days finished executions are kept, TELLFLOW_KEEP_DAYS ("forever":
 * never deleted).
 */
export function runtimeTuning(env: NodeJS.ProcessEnv): { leaseMs?: number; pollMs?: number; keepFinishedMs?: number | null } {
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
  return { ...(leaseMs ? { leaseMs } : {}), ...(pollMs ? { pollMs } : {}), ...(keepFinishedMs !== undefined ? { keepFinishedMs } : {}) };
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

/**
 * The server that holds the embedded database, if one does. PGlite serves
 * one process at a time, so while `tellflow serve` runs on it the CLI cannot
 * open the database. The server writes where it answers into the data
 * directory's lock (packages/db/src/data-dir-lock.ts), including a Unix
 * socket only the data's owner can use (packages/server/src/local-socket.ts);
 * read-only verbs ask it through that socket, with the API's own schemas.
 */
import { request } from 'node:http';
import { endpoints, type Endpoints } from '@tellflow/api';
import { embeddedDataDir, liveHolder } from '@tellflow/db';
import { RuntimeError } from '@tellflow/runtime';
import type { z } from 'zod';

export interface RunningServer {
  pid: number;
  url: string;
  socket: string;
  dataDir: string;
}

/** The live server holding the embedded database of `env`; undefined with PostgreSQL, or when no server holds it. */
export function runningServer(env: NodeJS.ProcessEnv = process.env): RunningServer | undefined {
  const dataDir = embeddedDataDir(env);
  const holder = dataDir ? liveHolder(dataDir) : null;
  return holder?.server && dataDir ? { pid: holder.pid, ...holder.server, dataDir } : undefined;
}

/** Why a command that writes cannot run now, and what to do instead. */
export function heldByServer(server: RunningServer): string {
  return (
    `the server at ${server.url} (process ${server.pid}) holds the embedded database at ${server.dataDir}: ` +
    `this command cannot share it: use the web app or the API at ${server.url}, or stop the server first`
  );
}

type GetKey = Extract<keyof Endpoints, `GET ${string}`>;
type ResponseOf<K extends GetKey> = Endpoints[K] extends { response: z.ZodType } ? z.output<Endpoints[K]['response']> : never;

/**
 * GET `path` (which must match the operation `key`) from the server, checked
 * and decoded with the operation's response schema. An error answer becomes
 * the RuntimeError the store would have thrown (the server's message is the
 * store's), so verbs report it the same way.
 */
export async function getFromServer<K extends GetKey>(server: RunningServer, key: K, path: string): Promise<ResponseOf<K>> {
  const { status, body } = await getRaw(server, path);
  const json = body === '' ? undefined : JSON.parse(body);
  if (status !== 200) throw answerError(server, status, json);
  return (endpoints[key] as { response: z.ZodType }).response.parse(json) as ResponseOf<K>;
}

/** The body's text as sent (scenario files keep their keys' order), after checking it against the schema of `key`. */
export async function getTextFromServer(server: RunningServer, key: GetKey, path: string): Promise<string> {
  const { status, body } = await getRaw(server, path);
  if (status !== 200) throw answerError(server, status, body === '' ? undefined : JSON.parse(body));
  (endpoints[key] as { response: z.ZodType }).response.parse(JSON.parse(body));
  return body;
}

function answerError(server: RunningServer, status: number, json: unknown): Error {
  const { error, details } = (json ?? {}) as { error?: string; details?: unknown };
  if (status === 400 || status === 404 || status === 409) return new RuntimeError(status, error ?? `status ${status}`, details);
  return new Error(`the server at ${server.url} answered ${status}${error ? `: ${error}` : ''}`);
}

function getRaw(server: RunningServer, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: server.socket, path, method: 'GET', headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`cannot reach the server at ${server.url} (process ${server.pid}) through ${server.socket}: ${e.code ?? e.message}`)),
    );
    req.end();
  });
}

/** `?a=1&b=2` of the defined values, or ''. */
export function queryString(values: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/**
 * One process at a time on an embedded (PGlite) data directory. PGlite is
 * PostgreSQL in one process: two processes on the same files each keep their
 * own buffers and write-ahead log, and the rows one of them wrote are lost
 * (seen here: two writers of 200 rows each, 200 rows left). So a second
 * server, or a CLI command while the server runs, is refused with a message
 * that says what to do, instead of silently losing data.
 *
 * The lock is a file beside the directory holding the owner's pid and host.
 * A lock whose process is gone (e.g. after kill -9) is taken over. A server
 * adds where it answers (`announceServer`), so that read-only CLI verbs can
 * ask it instead of refusing; nothing secret is written there.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

interface Holder {
  pid: number;
  host: string;
  since: string;
  /** Written by a server once it listens: its URL and its local read-only socket. */
  server?: ServerAddress;
}

export interface ServerAddress {
  /** Where people reach it (for messages). */
  url: string;
  /** The Unix socket the owner's CLI reads through (see packages/server/src/local-socket.ts). */
  socket: string;
}

/** Who holds `dataDir`'s lock, if anyone does and is still running on this host. */
export function liveHolder(dataDir: string): Holder | null {
  const holder = readHolder(`${dataDir}.lock`);
  return holder && holder.host === hostname() && alive(holder.pid) ? holder : null;
}

/** Adds this process's server address to the lock it holds on `dataDir` (replaced whole, never half-written). */
export function announceServer(dataDir: string, server: ServerAddress): void {
  const file = `${dataDir}.lock`;
  const holder = readHolder(file);
  if (holder?.pid !== process.pid || holder.host !== hostname()) throw new Error(`this process does not hold ${file}`);
  const temp = `${file}.${process.pid}.${Date.now()}`;
  writeFileSync(temp, JSON.stringify({ ...holder, server } satisfies Holder), { flag: 'wx' });
  renameSync(temp, file);
}

export class DataDirInUse extends Error {}

/** Takes the lock of `dataDir`; returns the function that releases it (also run when the process exits). */
export function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createWith(file, JSON.stringify(me))) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        removeIf(file, (h) => h?.pid === me.pid && h.since === me.since);
      };
      process.on('exit', release);
      return release;
    }
    const holder = readHolder(file);
    if (holder && (holder.host !== me.host || alive(holder.pid))) {
      const who =
        holder.pid === process.pid && holder.host === me.host ? 'this process already' : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
      throw new DataDirInUse(
        `the embedded database at ${dataDir} is in use: ${who} has it open. ` +
          'Stop that process first, or let several processes share a PostgreSQL through DATABASE_URL. ' +
          `If no Tellflow process is running, delete ${file}.`,
      );
    }
    // The holder is gone (or the file is unreadable): take the lock over, unless someone else just did.
    removeIf(file, (h) => h?.pid === holder?.pid && h?.since === holder?.since);
  }
  throw new DataDirInUse(`could not lock the embedded database at ${dataDir}: ${file} keeps changing`);
}

/** Creates `file` with `text`, complete or not at all (written aside, then hard-linked into place). */
function createWith(file: string, text: string): boolean {
  const temp = `${file}.${process.pid}.${Date.now()}`;
  const fd = openSync(temp, 'wx');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(temp);
  }
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

function removeIf(file: string, stillThis: (h: Holder | null) => boolean): void {
  try {
    if (stillThis(readHolder(file))) unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

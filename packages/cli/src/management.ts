/**
 * Verbs that manage what lives in the product database (executions, service
 * tasks, outbound tasks) share this: open it, reach its stores and the
 * commands (which only write rows and send wake-ups: a running server does
 * the work, so no runtime or telephony is built here), and turn refusals into
 * one-line messages.
 */
import { Commands, RuntimeError, stores, type Stores } from '@tellflow/runtime';
import type { Io } from './io.ts';
import { openProductDatabase } from './databases.ts';
import { EXIT } from './commands/command.ts';
import { serverReads, type ProductReads } from './product-reads.ts';
import { runningServer } from './running-server.ts';

/** The product database's stores, and the commands that write to it. */
export interface Product extends Stores {
  commands: Commands;
}

export async function withProduct(io: Io, verb: string, fn: (product: Product) => Promise<number>): Promise<number> {
  const opened = await openProductDatabase();
  if (!opened.ok) {
    io.stderr(`tellflow ${verb}: ${opened.error}\n`);
    return EXIT.usage;
  }
  const s = stores(opened.db);
  try {
    return await fn({ ...s, commands: new Commands(s) });
  } catch (e) {
    return refused(io, verb, e);
  } finally {
    await opened.db.close();
  }
}

/**
 * For verbs that only read: the product database, or, while a server holds
 * the embedded one, that server (which answers with the same values).
 */
export async function withReads(io: Io, verb: string, fn: (reads: ProductReads) => Promise<number>): Promise<number> {
  const server = runningServer();
  if (!server) return withProduct(io, verb, fn);
  try {
    return await fn(serverReads(server));
  } catch (e) {
    return refused(io, verb, e);
  }
}

/**
 * The reads of an existing product database (never creating one), or of the
 * server holding it; for verbs that handle store errors themselves.
 */
export async function openReads(): Promise<{ ok: true; reads: ProductReads; close(): Promise<void> } | { ok: false; error: string; missing?: boolean }> {
  const server = runningServer();
  if (server) return { ok: true, reads: serverReads(server), close: async () => {} };
  const opened = await openProductDatabase({ existing: true });
  if (!opened.ok) return opened;
  return { ok: true, reads: stores(opened.db), close: () => opened.db.close() };
}

/** A store's refusal as one line (and its issues); anything else is a bug and goes on. */
function refused(io: Io, verb: string, e: unknown): number {
  if (!(e instanceof RuntimeError)) throw e;
  const issues = (e.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
  io.stderr(`tellflow ${verb}: ${e.message}\n${issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}\n`).join('')}`);
  return e.status === 404 ? EXIT.failed : e.status === 400 ? EXIT.usage : EXIT.failed;
}

export const table = (rows: string[][]): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
};

/**
 * Verbs that manage what lives in the product database (service tasks,
 * outbound tasks) share this: open it, build a runtime that is never run
 * (its stores and "start" only write rows; a running server does the work),
 * and turn refusals into one-line messages.
 */
import { systemClock } from '@tellflow/clock';
import { Runtime, RuntimeError } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import type { Io } from './io.ts';
import { openProductDatabase } from './databases.ts';
import { EXIT } from './commands/command.ts';

export async function withRuntime(io: Io, verb: string, fn: (runtime: Runtime) => Promise<number>): Promise<number> {
  const opened = await openProductDatabase();
  if (!opened.ok) {
    io.stderr(`tellflow ${verb}: ${opened.error}\n`);
    return EXIT.usage;
  }
  const sim = new TelephonySimulator({ clock: systemClock, rules: {} });
  const runtime = new Runtime({ db: opened.db, telephony: sim });
  try {
    return await fn(runtime);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    const issues = (e.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
    io.stderr(`tellflow ${verb}: ${e.message}\n${issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}\n`).join('')}`);
    return e.status === 404 ? EXIT.failed : e.status === 400 ? EXIT.usage : EXIT.failed;
  } finally {
    await runtime.close();
    sim.dispose();
    await opened.db.close();
  }
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

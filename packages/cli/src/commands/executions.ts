import type { Json } from '@tellflow/engine';
import type { ExecutionDetail } from '@tellflow/runtime';
import { table, withProduct, withReads } from '../management.ts';
import { EXIT, parseCommandArgs, plural, usageError, type Command } from './command.ts';

const STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled'];

export const executions: Command = {
  name: 'executions',
  summary: 'list executions, show one with its trace, cancel or retry one',
  usage: `Usage: tellflow executions list [--scenario ID] [--status STATUS] [--limit N] [--all]
       tellflow executions show ID
       tellflow executions cancel ID [--reason TEXT]
       tellflow executions retry ID [--from-step N] [--input NAME=TEXT | --input NAME:=JSON]...

Works on the database that "tellflow serve" uses (DATABASE_URL, or the
embedded database under TELLFLOW_DATA_DIR, default ./data). While
"tellflow serve" runs on the embedded database, list and show ask it;
cancel and retry are refused (use the web app or the API, or stop it).

  list    newest first (default 20); STATUS is one of ${STATUSES.join(', ')}.
          Idle executions are left out and counted below the list: a service
          task's scheduled run that completed and changed nothing (its
          statements affected no row, it started no child, call, form or
          timer; kept an hour). --all lists them too, marked "idle"
  show    the execution, its input and result or error, one line per step
          of its trace (node, outcome, variables it set) and its effects
  cancel  stops an unfinished execution; its timers, forms and children go with it
  retry   runs a finished execution again from a step of its trace (default:
          the node it failed or was cancelled at) with the variables it had
          then; a running server picks the new execution up. --input gives
          an input anew (repeat it for more): NAME=TEXT is text, NAME:=JSON
          any JSON value (--input batch:=50). The input is checked as at
          start: a missing required input or a value of the wrong type is
          refused (exit 2), naming it

Exit status:
  0  done
  1  no such execution, or it cannot be cancelled or retried now
  2  bad arguments, or the database could not be opened
`,
  async run(args, io) {
    const parsed = parseCommandArgs(
      this,
      args,
      {
        scenario: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        reason: { type: 'string' },
        'from-step': { type: 'string' },
        input: { type: 'string', multiple: true },
        all: { type: 'boolean' },
      },
      io,
    );
    if (!parsed) return EXIT.usage;
    const [action, id, ...extra] = parsed.positionals;
    const v = parsed.values;
    if (extra.length) return usageError(this, `unexpected ${extra.map((e) => `"${e}"`).join(' ')}`, io);
    if (action !== 'list' && action !== undefined && !id) return usageError(this, `"${action}" needs an execution id`, io);
    if (id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      return usageError(this, `"${id}" is not an execution id (a UUID)`, io);
    }
    const whole = (text: string | undefined) => (text === undefined ? undefined : /^[1-9]\d{0,8}$/.test(text) ? Number(text) : null);
    switch (action) {
      case 'list': {
        const limit = whole(v.limit);
        if (limit === null || (limit ?? 0) > 500) return usageError(this, `--limit must be a number from 1 to 500, not "${v.limit}"`, io);
        if (v.status !== undefined && !STATUSES.includes(v.status)) return usageError(this, `--status must be one of ${STATUSES.join(', ')}`, io);
        return withReads(io, this.name, async (product) => {
          const filter = {
            limit: limit ?? 20,
            idle: v.all ? ('include' as const) : ('hide' as const),
            ...(v.scenario ? { scenarioId: v.scenario } : {}),
            ...(v.status ? { status: v.status } : {}),
          };
          const [rows, hidden] = await Promise.all([product.executions.list(filter), product.executions.hiddenIdle(filter)]);
          io.stdout(
            rows.length
              ? table([
                  ['ID', 'SCENARIO', 'STATUS', 'CREATED', 'RESULT / ERROR'],
                  ...rows.map((x) => [
                    x.id,
                    `${x.scenarioId} v${x.version}`,
                    x.idle ? `${x.status} (idle)` : x.status,
                    x.createdAt.toISOString(),
                    x.error ?? short(x.result),
                  ]),
                ])
              : 'no executions\n',
          );
          if (hidden) io.stdout(`(${plural(hidden, 'idle execution')} of service tasks not shown: --all lists them)\n`);
          return EXIT.ok;
        });
      }
      case 'show':
        return withReads(io, this.name, async (product) => {
          io.stdout(describe(await product.executions.get(id!)));
          return EXIT.ok;
        });
      case 'cancel':
        return withProduct(io, this.name, async (product) => {
          await product.commands.cancel(id!, v.reason ?? 'cancelled from the command line');
          io.stdout(`cancelling ${id}\n`);
          return EXIT.ok;
        });
      case 'retry': {
        const fromStep = whole(v['from-step']);
        if (fromStep === null) return usageError(this, `--from-step must be a step number (1, 2, …), not "${v['from-step']}"`, io);
        const input = parseInputs(v.input ?? []);
        if (typeof input === 'string') return usageError(this, input, io);
        return withProduct(io, this.name, async (product) => {
          const newId = await product.commands.retry(id!, { ...(fromStep !== undefined ? { fromStep } : {}), ...(v.input ? { input } : {}) });
          io.stdout(`retrying ${id} as ${newId}\n`);
          return EXIT.ok;
        });
      }
      case undefined:
        return usageError(this, 'say list, show, cancel or retry', io);
      default:
        return usageError(this, `unknown action "${action}": say list, show, cancel or retry`, io);
    }
  },
};

/** `--input NAME=TEXT` (text) and `NAME:=JSON` (any value) as an input object, or what is wrong with one. */
function parseInputs(entries: readonly string[]): Record<string, Json> | string {
  const input: Record<string, Json> = {};
  for (const entry of entries) {
    const m = /^([^:=]+)(:?)=(.*)$/s.exec(entry);
    if (!m) return `--input ${JSON.stringify(entry)}: expected NAME=TEXT or NAME:=JSON`;
    const [, name, json, value] = m as unknown as [string, string, string, string];
    if (!json) input[name] = value;
    else {
      try {
        input[name] = JSON.parse(value) as Json;
      } catch {
        return `--input ${JSON.stringify(entry)}: ${JSON.stringify(value)} is not JSON (for text, write ${name}=TEXT)`;
      }
    }
  }
  return input;
}

function short(v: Json | null): string {
  if (v === null) return '';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(x: ExecutionDetail): string {
  const lines = [
    `${x.id}  ${x.scenarioId} v${x.version}  ${x.status}`,
    `created ${x.createdAt.toISOString()}${x.endedAt ? `, ended ${x.endedAt.toISOString()}` : ''}`,
    `input ${JSON.stringify(x.input)}`,
  ];
  if (x.retryOf) lines.push(`retry of ${x.retryOf} from step ${x.retryFrom?.step} (${x.retryFrom?.nodeId})`);
  if (x.parentId) lines.push(`started by ${x.parentId}`);
  if (x.error) lines.push(`error ${x.error}`);
  else if (x.result !== null) lines.push(`result ${JSON.stringify(x.result)}`);
  const waiting = x.state?.waiting;
  if (waiting) lines.push(`waiting at step ${waiting.step} (${waiting.nodeId}) for ${waiting.kind}`);
  const out = [...lines.map((l) => `${l}\n`)];
  if (x.trace.length) {
    out.push('steps\n');
    out.push(
      table(
        x.trace.map((t) => [
          String(t.step).padStart(4),
          t.nodeId,
          t.nodeType,
          t.outcome ?? '(end)',
          [t.changed ? `set ${short(t.changed)}` : '', t.error ?? ''].filter(Boolean).join('  '),
        ]),
      ),
    );
  }
  if (x.effects.length) {
    out.push('effects\n');
    out.push(table(x.effects.map((e) => [String(e.step).padStart(4), e.nodeId, e.kind, e.status, short(e.result)])));
  }
  return out.join('');
}

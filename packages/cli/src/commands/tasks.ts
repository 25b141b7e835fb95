import type { CallFigures, OutboundTask, TaskCallStats, TaskReadiness } from '@tellflow/runtime';
import { table, withProduct, withReads } from '../management.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

const DUPLICATE_POLICIES = ['reject', 'skip', 'allow'];

const hours = (t: OutboundTask) => `${t.hours.from === t.hours.to ? 'all day' : `${t.hours.from}-${t.hours.to}`} ${t.timeZone}`;

/** Whether the task calls now and, if not, why: a task that silently does nothing is the worst kind. */
const readinessLine = (r: TaskReadiness) =>
  r.calling ? `calling now${r.callbacks ? '' : `; callbacks wait: ${r.reasons.join('; ')}`}\n` : `not calling: ${r.reasons.join('; ')}\n`;

export const tasks: Command = {
  name: 'tasks',
  summary: 'manage outbound tasks: list, create, start, stop, progress, call figures',
  usage: `Usage: tellflow tasks list
       tellflow tasks create ID --operators 101,102 [--name NAME] [--dialog dialog]
                [--routing outbound-routing] [--operator-call operator-call]
                [--hours 09:00-21:00] [--days 1-5] [--tz Europe/Moscow]
                [--duplicate-phones reject|skip|allow]
       tellflow tasks update ID [the options of create]
       tellflow tasks start ID | stop ID
       tellflow tasks progress ID
       tellflow tasks stats ID [--since DATE] [--until DATE]

An outbound task calls its subscribers (imported with "tellflow subscribers
import FILE --task ID") through the operator-calling scenario: one call at a
time per available operator of the group (see "tellflow agents"), only inside
the calling hours. Callbacks (status 10) are made by the callback-monitor
service task, which starting a task enables; a stopped task's callbacks, and
those outside its calling hours, wait. Stopping a task stops new calls and
callbacks; calls in progress finish. start, stop and progress say whether the
task calls now and, if not, why (stopped, outside calling hours until when,
no available operator, callback monitor disabled).

While "tellflow serve" runs on the embedded database, list, progress and
stats ask it; the others are refused (use the web app or the API, or stop it).

"stats" counts how the task's calls ended, for the calls to customers and
to operators, then per operator: "operator 101" is how often 101 was rung
and how that went, "customers of 101" the customer calls made for 101.
LOST: no outcome ever came (its process stopped, or its execution ended,
while it rang). Answered calls are TIMED (answer and end known: the talk time sums
only these), TALKING, or END UNKNOWN (cut off with their process, or their
execution ended with no hang-up seen): counted, never given a duration.
--since and --until (a date, or a date and time) limit it to calls started
in that range.

--duplicate-phones says what an import does with a phone number the task
has already, or that is twice in the file: reject (the default: those rows
are errors), skip (left out and counted) or allow (imported). "update"
changes only the options it is given.
`,
  async run(args, io) {
    const parsed = parseCommandArgs(
      this,
      args,
      {
        operators: { type: 'string' },
        name: { type: 'string' },
        dialog: { type: 'string' },
        routing: { type: 'string' },
        'operator-call': { type: 'string' },
        hours: { type: 'string' },
        days: { type: 'string' },
        tz: { type: 'string' },
        'duplicate-phones': { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
      },
      io,
    );
    if (!parsed) return EXIT.usage;
    const [action, id] = parsed.positionals;
    const v = parsed.values;
    if (action !== 'list' && action !== undefined && !id) return usageError(this, `"${action}" needs a task id`, io);
    switch (action) {
      case 'list':
        return withReads(io, this.name, async (product) => {
          const all = await product.outboundTasks.list();
          io.stdout(
            all.length
              ? table([['ID', 'STATE', 'OPERATORS', 'HOURS', 'NAME'], ...all.map((t) => [t.id, t.state, t.operators.join(','), hours(t), t.name])])
              : 'no outbound tasks\n',
          );
          return EXIT.ok;
        });
      case 'create':
      case 'update': {
        const duplicates = v['duplicate-phones'];
        if (duplicates !== undefined && !DUPLICATE_POLICIES.includes(duplicates)) {
          return usageError(this, `--duplicate-phones must be reject, skip or allow, not "${duplicates}"`, io);
        }
        const window = v.hours ? /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(v.hours) : null;
        if (v.hours && !window) return usageError(this, '--hours must look like 09:00-21:00', io);
        const days = v.days ? /^([1-7])-([1-7])$/.exec(v.days) : null;
        if (v.days && !days) return usageError(this, '--days must look like 1-5 (1 = Monday)', io);
        const dayList = days ? Array.from({ length: Number(days[2]) - Number(days[1]) + 1 }, (_, i) => Number(days[1]) + i) : [1, 2, 3, 4, 5, 6, 7];
        const fields = {
          ...(v.name ? { name: v.name } : {}),
          ...(v.dialog ? { dialogScenarioId: v.dialog } : {}),
          ...(v.routing ? { routingScenarioId: v.routing } : {}),
          ...(v['operator-call'] ? { operatorCallScenarioId: v['operator-call'] } : {}),
          ...(action === 'create' || v.operators !== undefined
            ? {
                operators: (v.operators ?? '')
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
              }
            : {}),
          ...(window ? { hours: { from: window[1]!, to: window[2]!, days: dayList } } : days ? { hours: { from: '00:00', to: '00:00', days: dayList } } : {}),
          ...(v.tz ? { timeZone: v.tz } : {}),
          ...(duplicates ? { duplicatePhones: duplicates } : {}),
        };
        return withProduct(io, this.name, async (product) => {
          const t = action === 'create' ? await product.outboundTasks.create({ id, ...fields }) : await product.outboundTasks.update(id!, fields);
          const what = `operators ${t.operators.join(', ') || 'none'}, ${hours(t)}, duplicate phone numbers: ${t.duplicatePhones}`;
          io.stdout(`${action === 'create' ? 'created' : 'updated'} outbound task ${t.id} (${what})\n`);
          return EXIT.ok;
        });
      }
      case 'start':
      case 'stop':
        return withProduct(io, this.name, async (product) => {
          const t = await product.outboundTasks.setState(id!, action === 'start' ? 'running' : 'stopped');
          io.stdout(`${t.id} ${t.state}\n${readinessLine(await product.outboundTasks.readiness(t.id))}`);
          return EXIT.ok;
        });
      case 'progress':
        return withReads(io, this.name, async (product) => {
          const p = await product.outboundTasks.progress(id!);
          const names: Record<string, string> = { new: 'new', '10': '10 call back', '11': '11 being served', '12': '12 callback succeeded' };
          io.stdout(
            Object.keys(p).length
              ? table([['STATUS', 'SUBSCRIBERS'], ...Object.entries(p).map(([k, n]) => [names[k] ?? k, String(n)])])
              : 'no subscribers yet\n',
          );
          io.stdout(readinessLine(await product.outboundTasks.readiness(id!)));
          return EXIT.ok;
        });
      case 'stats': {
        const range: { from?: Date; to?: Date } = {};
        for (const [flag, key] of [
          ['since', 'from'],
          ['until', 'to'],
        ] as const) {
          const text = v[flag];
          if (text === undefined) continue;
          const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(Number.NaN);
          if (Number.isNaN(at.getTime())) return usageError(this, `--${flag} must be a date like 2026-11-01 or 2026-11-01T09:00:00Z, not "${text}"`, io);
          range[key] = at;
        }
        return withReads(io, this.name, async (product) => {
          io.stdout(describeStats(await product.outboundTasks.callStats(id!, range)));
          return EXIT.ok;
        });
      }
      default:
        return usageError(this, action ? `unknown action "${action}" (list, create, update, start, stop, progress, stats)` : 'missing action', io);
    }
  },
};

/**
 * Two tables (how the calls ended; the talk of the answered ones), each for all customers, all operators, then each
 * operator's calls (with none left out); a note says what LOST and END UNKNOWN mean when either is there.
 */
function describeStats(s: TaskCallStats): string {
  if (s.customers.calls === 0 && s.operators.calls === 0) return 'no calls yet\n';
  const groups: [string, CallFigures][] = [
    ['customers', s.customers],
    ['operators', s.operators],
    ...s.byOperator.flatMap((o) => {
      const own: [string, CallFigures][] = [
        [`operator ${o.operator}`, o.operatorCalls],
        [`customers of ${o.operator}`, o.customerCalls],
      ];
      return own.filter(([, f]) => f.calls > 0);
    }),
  ];
  const percent = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 100)}%`);
  const seconds = (x: number | null) => (x === null ? '-' : `${x} s`);
  const outcomes = table([
    ['CALLS TO', 'CALLS', 'ANSWERED', 'BUSY', 'NO ANSWER', 'FAILED', 'LOST', 'RINGING', 'ANSWER RATE'],
    ...groups.map(([who, f]) => [who, ...[f.calls, f.answered, f.busy, f.noAnswer, f.failed, f.lost, f.inProgress].map(String), percent(f.answerRate)]),
  ]);
  const talk = table([
    ['ANSWERED', 'TIMED', 'TALK TIME', 'AVERAGE', 'TALKING', 'END UNKNOWN'],
    ...groups.map(([who, f]) => [
      who,
      String(f.talk.timed),
      seconds(f.talk.totalSeconds),
      seconds(f.talk.averageSeconds),
      String(f.talk.talking),
      String(f.talk.unknownEnd),
    ]),
  ]);
  const notes = [
    ...(s.customers.lost + s.operators.lost > 0 ? ['LOST: no outcome ever came (its process stopped, or its execution ended, while it rang)'] : []),
    ...(s.customers.talk.unknownEnd + s.operators.talk.unknownEnd > 0 ? ['END UNKNOWN: answered, but nobody saw the call end; not in the talk time'] : []),
  ];
  return `${outcomes}\n${talk}\n${[`${s.customers.subscribersCalled} subscriber(s) called`, ...notes].join('\n')}\n`;
}

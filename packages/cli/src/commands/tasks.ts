import type { OutboundTask, OutcomeCounts, TaskCallStats } from '@tellflow/runtime';
import { table, withProduct, withReads } from '../management.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

const hours = (t: OutboundTask) => `${t.hours.from === t.hours.to ? 'all day' : `${t.hours.from}-${t.hours.to}`} ${t.timeZone}`;

export const tasks: Command = {
  name: 'tasks',
  summary: 'manage outbound tasks: list, create, start, stop, progress, call figures',
  usage: `Usage: tellflow tasks list
       tellflow tasks create ID --operators 101,102 [--name NAME] [--dialog dialog]
                [--routing outbound-routing] [--operator-call operator-call]
                [--hours 09:00-21:00] [--days 1-5] [--tz Europe/Moscow]
       tellflow tasks start ID | stop ID
       tellflow tasks progress ID
       tellflow tasks stats ID [--since DATE] [--until DATE]

An outbound task calls its subscribers (imported with "tellflow subscribers
import FILE --task ID") through the operator-calling scenario: one call at a
time per free operator of the group, only inside the calling hours. Stopping
a task stops new calls; calls in progress finish. Callbacks (status 10) are
made by the callback-monitor service task: enable it with
"tellflow service-tasks enable callback-monitor".

While "tellflow serve" runs on the embedded database, list, progress and
stats ask it; the others are refused (use the web app or the API, or stop it).

"stats" counts how the task's calls ended (customers and operators), the
talk time of answered customer calls, and the same per operator; --since and
--until (a date, or a date and time) limit it to calls started in that range.
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
      case 'create': {
        const window = v.hours ? /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(v.hours) : null;
        if (v.hours && !window) return usageError(this, '--hours must look like 09:00-21:00', io);
        const days = v.days ? /^([1-7])-([1-7])$/.exec(v.days) : null;
        if (v.days && !days) return usageError(this, '--days must look like 1-5 (1 = Monday)', io);
        const dayList = days ? Array.from({ length: Number(days[2]) - Number(days[1]) + 1 }, (_, i) => Number(days[1]) + i) : [1, 2, 3, 4, 5, 6, 7];
        return withProduct(io, this.name, async (product) => {
          const t = await product.outboundTasks.create({
            id,
            ...(v.name ? { name: v.name } : {}),
            ...(v.dialog ? { dialogScenarioId: v.dialog } : {}),
            ...(v.routing ? { routingScenarioId: v.routing } : {}),
            ...(v['operator-call'] ? { operatorCallScenarioId: v['operator-call'] } : {}),
            operators: (v.operators ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            ...(window ? { hours: { from: window[1]!, to: window[2]!, days: dayList } } : days ? { hours: { from: '00:00', to: '00:00', days: dayList } } : {}),
            ...(v.tz ? { timeZone: v.tz } : {}),
          });
          io.stdout(`created outbound task ${t.id} (operators ${t.operators.join(', ') || 'none'}, ${hours(t)})\n`);
          return EXIT.ok;
        });
      }
      case 'start':
      case 'stop':
        return withProduct(io, this.name, async (product) => {
          const t = await product.outboundTasks.setState(id!, action === 'start' ? 'running' : 'stopped');
          io.stdout(`${t.id} ${t.state}\n`);
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
        return usageError(this, action ? `unknown action "${action}" (list, create, start, stop, progress, stats)` : 'missing action', io);
    }
  },
};

function describeStats(s: TaskCallStats): string {
  if (s.customers.calls === 0 && s.operators.calls === 0) return 'no calls yet\n';
  const outcomes = (o: OutcomeCounts) => [String(o.calls), String(o.answered), String(o.busy), String(o.noAnswer), String(o.failed), String(o.inProgress)];
  const c = s.customers;
  const rate = c.answerRate === null ? '-' : `${Math.round(c.answerRate * 100)}%`;
  return (
    table([
      ['CALLS TO', 'CALLS', 'ANSWERED', 'BUSY', 'NO ANSWER', 'FAILED', 'IN PROGRESS'],
      ['customers', ...outcomes(c)],
      ['operators', ...outcomes(s.operators)],
    ]) +
    `${c.subscribersCalled} subscriber(s) called; ${rate} of finished customer calls answered; talk time ${c.talkSeconds.total} s` +
    (c.talkSeconds.average !== null ? ` (${c.talkSeconds.average} s on average)` : '') +
    '\n' +
    (s.byOperator.length
      ? table([
          ['OPERATOR', 'CALLS', 'ANSWERED', 'BUSY', 'NO ANSWER', 'FAILED', 'IN PROGRESS', 'TALK S'],
          ...s.byOperator.map((o) => [o.operator, ...outcomes(o), String(o.talkSeconds)]),
        ])
      : '')
  );
}

import type { ServiceTask } from '@tellflow/runtime';
import { table, withProduct, withReads } from '../management.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

const describe = (t: ServiceTask) => [t.id, t.enabled ? 'enabled' : 'disabled', t.schedule, t.scenarioId, `overlap=${t.overlap}`, `missed=${t.missed}`];

export const serviceTasks: Command = {
  name: 'service-tasks',
  summary: 'list, create, enable/disable, run now and inspect scheduled service tasks',
  usage: `Usage: tellflow service-tasks list
       tellflow service-tasks create ID --scenario SCENARIO --schedule CRON [--name NAME]
                [--enable] [--overlap skip|allow] [--missed skip|runOnce] [--input JSON] [--tz ZONE]
       tellflow service-tasks enable ID | disable ID
       tellflow service-tasks run ID        start one execution now (a running server performs it)
       tellflow service-tasks runs ID [--limit N]

A service task runs a published scenario on a schedule: a cron expression,
six fields with seconds ("*/5 * * * * *" = every 5 seconds). Each period
runs at most once however many servers share the database. overlap=skip
(default) skips a period while the previous run is still going; missed
says what to do with periods missed while no server ran: skip (default)
or runOnce.

What a task runs is checked as the API checks it: its scenario exists and
is published, and --input gives every required input of the published
version's start node, each of the declared type. create and enable refuse
(exit 2, naming the field) otherwise; disable always works.

While "tellflow serve" runs on the embedded database, list and runs ask
it; the others are refused (use the web app or the API, or stop it).
`,
  async run(args, io) {
    const parsed = parseCommandArgs(
      this,
      args,
      {
        scenario: { type: 'string' },
        schedule: { type: 'string' },
        name: { type: 'string' },
        enable: { type: 'boolean' },
        overlap: { type: 'string' },
        missed: { type: 'string' },
        input: { type: 'string' },
        tz: { type: 'string' },
        limit: { type: 'string' },
      },
      io,
    );
    if (!parsed) return EXIT.usage;
    const [action, id] = parsed.positionals;
    const v = parsed.values;
    const needId = () => (id ? undefined : usageError(this, `"${action}" needs a task id`, io));
    switch (action) {
      case 'list':
        return withReads(io, this.name, async (product) => {
          const tasks = await product.serviceTasks.list();
          io.stdout(tasks.length ? table([['ID', 'STATE', 'SCHEDULE', 'SCENARIO', 'OVERLAP', 'MISSED'], ...tasks.map(describe)]) : 'no service tasks\n');
          return EXIT.ok;
        });
      case 'create': {
        if (needId() !== undefined) return EXIT.usage;
        let input: unknown;
        try {
          input = v.input === undefined ? undefined : JSON.parse(v.input);
        } catch {
          return usageError(this, '--input is not valid JSON', io);
        }
        return withProduct(io, this.name, async (product) => {
          const t = await product.serviceTasks.create({
            id,
            name: v.name ?? id,
            scenarioId: v.scenario,
            schedule: v.schedule,
            ...(v.enable ? { enabled: true } : {}),
            ...(v.overlap ? { overlap: v.overlap } : {}),
            ...(v.missed ? { missed: v.missed } : {}),
            ...(v.tz ? { timeZone: v.tz } : {}),
            ...(input !== undefined ? { input } : {}),
          });
          io.stdout(`created ${describe(t).join(' ')}\n`);
          return EXIT.ok;
        });
      }
      case 'enable':
      case 'disable':
        if (needId() !== undefined) return EXIT.usage;
        return withProduct(io, this.name, async (product) => {
          const t = await product.serviceTasks.update(id!, { enabled: action === 'enable' });
          io.stdout(`${t.id} ${t.enabled ? 'enabled' : 'disabled'}\n`);
          return EXIT.ok;
        });
      case 'run':
        if (needId() !== undefined) return EXIT.usage;
        return withProduct(io, this.name, async (product) => {
          const execution = await product.commands.runServiceTask(id!);
          io.stdout(`started execution ${execution}\n`);
          return EXIT.ok;
        });
      case 'runs':
        if (needId() !== undefined) return EXIT.usage;
        return withReads(io, this.name, async (product) => {
          const runs = await product.serviceTasks.runs(id!, v.limit ? Number(v.limit) : 20);
          io.stdout(
            runs.length
              ? table([
                  ['SCHEDULED FOR', 'OUTCOME', 'EXECUTION', 'STATUS', 'REASON'],
                  ...runs.map((r) => [r.scheduledFor.toISOString(), r.outcome, r.executionId ?? '-', r.executionStatus ?? '-', r.reason ?? '']),
                ])
              : `no runs of ${id} yet\n`,
          );
          return EXIT.ok;
        });
      default:
        return usageError(this, action ? `unknown action "${action}" (list, create, enable, disable, run, runs)` : 'missing action', io);
    }
  },
};

import { Dispatcher, QUEUE_CHANNEL } from '@tellflow/runtime';
import { table, withProduct, withReads } from '../management.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

const seconds = (s: number | null) => (s === null ? '-' : `${Math.round(s)}s`);

/** Numeric options as the queue input wants them; a value that is not a number is left as text so the store's check names the field. */
const number = (v: string | undefined) => (v === undefined ? undefined : Number.isNaN(Number(v)) ? v : Number(v));

export const queues: Command = {
  name: 'queues',
  summary: 'list, create and inspect queues; add or remove the agents serving one',
  usage: `Usage: tellflow queues list
       tellflow queues create ID [--name TEXT] [--priority N] [--offer-timeout SEC] [--max-wait SEC]
                                 [--wrap-up SEC] [--overflow QUEUE]
       tellflow queues show ID                       the queue, its customers waiting and its latest events
       tellflow queues members ID add USERNAME [--priority N]
       tellflow queues members ID remove USERNAME

A queue holds customers until an agent serving it takes them (docs/queues.md).
list shows each queue's live figures: customers waiting, the longest wait,
and the serving agents free and busy by the availability rule. show adds the
customers in the order they will be offered and the last 20 events of the
log (an "offered" event says why that agent was chosen). members adds an
agent to a queue with a priority there (higher is offered first) or removes
it (a pending offer of that queue goes back).

While "tellflow serve" runs on the embedded database, list and show ask it;
the others are refused (use the API, or stop it).
`,
  async run(args, io) {
    const parsed = parseCommandArgs(
      this,
      args,
      {
        name: { type: 'string' },
        priority: { type: 'string' },
        'offer-timeout': { type: 'string' },
        'max-wait': { type: 'string' },
        'wrap-up': { type: 'string' },
        overflow: { type: 'string' },
      },
      io,
    );
    if (!parsed) return EXIT.usage;
    const [action, id, sub, username] = parsed.positionals;
    const v = parsed.values;
    if (action !== 'list' && action !== undefined && !id) return usageError(this, `"${action}" needs a queue id`, io);
    switch (action) {
      case 'list':
        return withReads(io, this.name, async (reads) => {
          const all = await reads.queues.list();
          const rows = all.map(({ queue: q, status: s }) => [
            q.id,
            String(q.priority),
            String(s.waiting),
            seconds(s.longestWaitSec),
            String(s.agentsServing),
            String(s.agentsFree),
            String(s.agentsBusy),
          ]);
          io.stdout(rows.length ? table([['QUEUE', 'PRIORITY', 'WAITING', 'LONGEST', 'SERVING', 'FREE', 'BUSY'], ...rows]) : 'no queues\n');
          return EXIT.ok;
        });
      case 'create':
        return withProduct(io, this.name, async (product) => {
          const q = await product.queues.create({
            id,
            ...(v.name !== undefined ? { name: v.name } : {}),
            ...(v.priority !== undefined ? { priority: number(v.priority) } : {}),
            ...(v['offer-timeout'] !== undefined ? { offerTimeoutSec: number(v['offer-timeout']) } : {}),
            ...(v['max-wait'] !== undefined ? { maxWaitSec: number(v['max-wait']) } : {}),
            ...(v['wrap-up'] !== undefined ? { wrapUpSec: number(v['wrap-up']) } : {}),
            ...(v.overflow !== undefined ? { overflowQueueId: v.overflow } : {}),
          });
          io.stdout(
            `created queue ${q.id} (priority ${q.priority}, offers wait ${q.offerTimeoutSec}s, max wait ${q.maxWaitSec === null ? 'none' : `${q.maxWaitSec}s`})\n`,
          );
          return EXIT.ok;
        });
      case 'show':
        return withReads(io, this.name, async (reads) => {
          const q = await reads.queues.get(id!);
          const s = await reads.queues.status(id!);
          const waiting = await reads.queues.waiting(id!);
          const { events } = await reads.queues.events(id!, { limit: 20 });
          io.stdout(
            `${q.id}  ${q.name}  priority ${q.priority}\n` +
              `waiting ${s.waiting}, longest ${seconds(s.longestWaitSec)}; agents serving ${s.agentsServing}, free ${s.agentsFree}, busy ${s.agentsBusy}\n\n` +
              (waiting.length
                ? table([
                    ['POS', 'ENTRY', 'CUSTOMER', 'STATE', 'WAITED', 'EST. WAIT'],
                    ...waiting.map((e) => [String(e.position), String(e.id), e.customer, e.state, seconds(e.waitedSec), seconds(e.estimatedWaitSec)]),
                  ])
                : 'nobody waiting\n') +
              '\n' +
              (events.length
                ? table([
                    ['AT', 'EVENT', 'ENTRY', 'AGENT', 'REASON'],
                    ...events.map((e) => [e.at.toISOString(), e.kind, e.entryId === null ? '' : String(e.entryId), e.agentId ?? '', e.reason ?? '']),
                  ])
                : 'no events\n'),
          );
          return EXIT.ok;
        });
      case 'members': {
        if ((sub !== 'add' && sub !== 'remove') || !username) return usageError(this, 'members ID add|remove USERNAME', io);
        return withProduct(io, this.name, async (product) => {
          const userId = await product.agents.idOf(username);
          if (sub === 'add') {
            const priority = v.priority === undefined ? 0 : Number(v.priority);
            if (!Number.isInteger(priority)) {
              io.stderr('tellflow queues: --priority must be a whole number\n');
              return EXIT.usage;
            }
            await product.queues.startService(userId, id!, priority);
            io.stdout(`${username} serves ${id} (priority ${priority})\n`);
          } else {
            await new Dispatcher(product.db, product.clock).stopService(userId, id!);
            io.stdout(`${username} no longer serves ${id}\n`);
          }
          // A running server dispatches at once.
          await product.db.notify(QUEUE_CHANNEL, id);
          return EXIT.ok;
        });
      }
      default:
        return usageError(this, action ? `unknown action "${action}"` : 'say what to do: list, create, show or members', io);
    }
  },
};

import type { Agent } from '@tellflow/runtime';
import { table, withProduct, withReads } from '../management.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

const PRESENCE = ['available', 'dnd', 'offline'] as const;

const HEADER = ['USERNAME', 'EXTENSIONS', 'STATE', 'PRESENCE', 'DOING / REASON'];
const row = (a: Agent) => [
  a.username,
  a.extensions.join(',') || '-',
  a.state,
  a.presence === a.state ? '' : a.presence,
  a.busyWith ? `${a.busyWith.scenarioId} ${a.busyWith.executionId}` : (a.reason ?? ''),
];

export const agents: Command = {
  name: 'agents',
  summary: "list agents with their presence; set an agent's extensions and presence",
  usage: `Usage: tellflow agents list
       tellflow agents extensions USERNAME 101,201     the numbers rung for the user ("" for none)
       tellflow agents presence USERNAME available|dnd|offline [--reason TEXT]
       tellflow agents ready USERNAME                   ends the agent's wrap-up

An agent is a user with one or more extensions (operator numbers); users are
created through the API (POST /api/users). STATE is what the availability
rule makes of the agent: offline (the default until it says otherwise), dnd,
busy (on a call, in the after-call form, holding an offer), wrapUp, or
available — only an available agent is rung, dialled for or offered a
customer. A call to an agent who is not available ends at once as busy, so
the operator-calling scenario calls back later. PRESENCE shows what the agent
said when the state differs from it.

While "tellflow serve" runs on the embedded database, list asks it; the
others are refused (use the web app or the API, or stop it).
`,
  async run(args, io) {
    const parsed = parseCommandArgs(this, args, { reason: { type: 'string' } }, io);
    if (!parsed) return EXIT.usage;
    const [action, username, value] = parsed.positionals;
    if (action !== 'list' && action !== undefined && !username) return usageError(this, `"${action}" needs a username`, io);
    switch (action) {
      case 'list':
        return withReads(io, this.name, async (product) => {
          const all = await product.agents.list();
          io.stdout(all.length ? table([HEADER, ...all.map(row)]) : 'no agents\n');
          return EXIT.ok;
        });
      case 'extensions': {
        if (value === undefined) return usageError(this, 'give the extensions, e.g. 101,201 (or "" for none)', io);
        const numbers = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        return withProduct(io, this.name, async (product) => {
          const agent = await product.agents.setExtensions(await product.agents.idOf(username!), numbers);
          io.stdout(table([HEADER, row(agent)]));
          return EXIT.ok;
        });
      }
      case 'presence': {
        const state = PRESENCE.find((p) => p === value);
        if (!state) return usageError(this, `presence must be one of ${PRESENCE.join(', ')}`, io);
        return withProduct(io, this.name, async (product) => {
          const agent = await product.agents.setPresence(await product.agents.idOf(username!), state, parsed.values.reason);
          io.stdout(table([HEADER, row(agent)]));
          return EXIT.ok;
        });
      }
      case 'ready':
        return withProduct(io, this.name, async (product) => {
          const agent = await product.agents.ready(await product.agents.idOf(username!));
          io.stdout(table([HEADER, row(agent)]));
          return EXIT.ok;
        });
      default:
        return usageError(this, action ? `unknown action "${action}"` : 'say what to do: list, extensions, presence or ready', io);
    }
  },
};

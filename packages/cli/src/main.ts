/**
 * The `tellflow` command line: `tellflow VERB [ARGS…]`. Each verb lives in
 * `commands/`; this file only finds the verb and handles help.
 */
import { COMMANDS } from './commands/index.ts';
import { EXIT, type Command } from './commands/command.ts';
import { processIo, type Io } from './io.ts';

export type { Io } from './io.ts';
export type { Command } from './commands/command.ts';
export { COMMANDS } from './commands/index.ts';

const HELP_FLAGS = new Set(['-h', '--help']);

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: tellflow COMMAND [ARGS…]

Commands:
${list}

Run "tellflow help COMMAND" or "tellflow COMMAND --help" for a command's options.
`;
}

/** Runs one invocation; resolves to the process exit code. Never throws. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    if (verb === undefined) {
      io.stderr(generalHelp());
      return EXIT.usage;
    }
    if (HELP_FLAGS.has(verb)) {
      io.stdout(generalHelp());
      return EXIT.ok;
    }
    if (verb === 'help') return help(rest, io);
    const command = findCommand(verb);
    if (!command) return unknownCommand(verb, io);
    // `--help` anywhere before a `--` separator asks for help instead of running.
    const beforeSeparator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (beforeSeparator.some((a) => HELP_FLAGS.has(a))) {
      io.stdout(command.usage);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    // A bug, not a user mistake: one line, and the stack only on request.
    const detail = process.env.TELLFLOW_DEBUG ? (error instanceof Error ? error.stack : String(error)) : errorMessage(error);
    io.stderr(`tellflow${verb ? ` ${verb}` : ''}: internal error: ${detail}\n(set TELLFLOW_DEBUG=1 to see the stack trace)\n`);
    return EXIT.failed;
  }
}

function help(args: string[], io: Io): number {
  if (args.length === 0) {
    io.stdout(generalHelp());
    return EXIT.ok;
  }
  if (args.length > 1) {
    io.stderr('tellflow help: give one command name\nRun "tellflow --help" for the list of commands.\n');
    return EXIT.usage;
  }
  const command = findCommand(args[0]!);
  if (!command) return unknownCommand(args[0]!, io);
  io.stdout(command.usage);
  return EXIT.ok;
}

function unknownCommand(verb: string, io: Io): number {
  const what = verb.startsWith('-') ? `unknown option "${verb}"` : `unknown command "${verb}"`;
  io.stderr(`tellflow: ${what}; commands are: ${COMMANDS.map((c) => c.name).join(', ')}\nRun "tellflow --help" for usage.\n`);
  return EXIT.usage;
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

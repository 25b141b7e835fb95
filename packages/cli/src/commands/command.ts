import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Io } from '../io.ts';

/** Exit codes shared by every verb. */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem (e.g. an invalid scenario). */
  failed: 1,
  /** Bad invocation or unreadable input: nothing was checked or done. */
  usage: 2,
} as const;

/** One verb of the `tellflow` command: one file in this folder, one line in `index.ts`. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full help text, shown by `tellflow help VERB` and `tellflow VERB --help`. */
  usage: string;
  /** Runs with the arguments after the verb; resolves to the exit code. */
  run(args: string[], io: Io): Promise<number>;
}

export type ParsedArgs<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * `util.parseArgs` in strict mode, with its errors turned into a short usage
 * error on stderr. Returns undefined when the arguments are not acceptable.
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  command: Pick<Command, 'name'>,
  args: string[],
  options: O,
  io: Io,
  { positionals = true }: { positionals?: boolean } = {},
): ParsedArgs<O> | undefined {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true }) as ParsedArgs<O>;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS_')) throw error;
    // Node's messages add advice on a second sentence ("To specify a positional…"); the first is the point.
    const message = ((error as Error).message.split(/\.\s/)[0] ?? '').replace(/\.$/, '');
    usageError(command, message, io);
    return undefined;
  }
}

export function usageError(command: Pick<Command, 'name'>, message: string, io: Io): number {
  io.stderr(`tellflow ${command.name}: ${lowerFirst(message)}\nRun "tellflow ${command.name} --help" for usage.\n`);
  return EXIT.usage;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

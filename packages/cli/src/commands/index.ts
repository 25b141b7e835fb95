/**
 * The verbs of `tellflow`, in the order `tellflow --help` lists them.
 * Adding a verb: write `commands/VERB.ts` exporting a `Command`, add it here.
 */
import type { Command } from './command.ts';
import { schema } from './schema.ts';
import { validate } from './validate.ts';

export const COMMANDS: readonly Command[] = [validate, schema];

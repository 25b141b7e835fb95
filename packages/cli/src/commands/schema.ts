import { scenarioJsonSchema } from '@tellflow/engine';
import { EXIT, parseCommandArgs, type Command } from './command.ts';

/** Exactly what `tellflow schema` prints, and what docs/scenario.schema.json holds. */
export function renderSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

export const schema: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of scenario files',
  usage: `Usage: tellflow schema

Prints the JSON Schema (draft 2020-12) of scenario files, derived from the
same definitions the validator uses. Editors can use it for completion:

  tellflow schema > docs/scenario.schema.json

The schema checks the shape of a file; rules that need the whole document
(edges name real outcomes, one start node, SQL parameters have values…)
are checked by "tellflow validate".

Options:
  -h, --help   show this help
`,
  async run(args, io) {
    if (!parseCommandArgs(schema, args, {}, io, { positionals: false })) return EXIT.usage;
    io.stdout(renderSchema());
    return EXIT.ok;
  },
};

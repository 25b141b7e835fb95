import { z } from 'zod';
import { JsonValue } from '../json.ts';
import { ui, type UiHint } from './ui.ts';

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A variable, column or field name: letters, digits and `_`, not starting with a digit. */
export const Identifier = z
  .string()
  .regex(IDENTIFIER, 'must start with a letter or "_" and contain only letters, digits and "_"')
  .max(63, 'must be at most 63 characters');

export const NodeId = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "-" and "."');

export const ScenarioId = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must start with a letter or digit and contain only letters, digits, "_", "-" and "."');

/**
 * Marks the schemas whose values are json-logic expressions. Validation and
 * the interpreter find a node's expressions by walking its params schema for
 * this tag (see nodes/params-walk.ts), so a definition cannot forget one.
 * Copies made by `.describe()` and `.meta()` inherit it.
 */
export const expressionTag = z.registry<{ expression: true }>();

/** A json-logic expression; a plain string, number or boolean is a literal. */
export const Expression = JsonValue.meta({
  title: 'Expression',
  description: 'A json-logic expression (https://jsonlogic.com) or a literal value.',
  format: 'json-logic',
  ui: 'expression' satisfies UiHint,
});
expressionTag.add(Expression, { expression: true });

// Schemas never change once made, and a registry lookup merges metadata up the chain of copies: remember the answer.
const expressionSchemas = new WeakMap<z.ZodType, boolean>();

/** Whether values of `schema` are expressions (`Expression` or a copy of it with other metadata). */
export function isExpression(schema: z.ZodType): boolean {
  let known = expressionSchemas.get(schema);
  if (known === undefined) expressionSchemas.set(schema, (known = expressionTag.get(schema)?.expression === true));
  return known;
}

export const VariableType = z.enum(['string', 'number', 'boolean', 'date', 'time', 'datetime', 'json']);
export type VariableType = z.infer<typeof VariableType>;

export const PositiveSeconds = ui(
  z
    .number()
    .positive('must be greater than 0')
    .max(7 * 24 * 3600, 'must be at most 7 days'),
  'duration',
);

export const Position = z.strictObject({ x: z.number(), y: z.number() });

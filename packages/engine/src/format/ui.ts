/**
 * UI hints: what a params field means to an editor, beyond its JSON type, so
 * a property form can be generated for any node type with no hand-written
 * form. A hint is zod metadata (`ui`), so it appears in the node catalogue's
 * and the scenario's JSON Schema as `"ui": "<hint>"`. A field without a hint
 * is edited by its JSON Schema type (text, number, boolean, enum, list of
 * objects). Expressions also carry `"format": "json-logic"`, whatever their
 * hint: a `phone` expression is a json-logic expression giving a number.
 */
import type { z } from 'zod';

export const UI_HINTS = [
  /** A json-logic expression or a literal value (every `Expression` unless it says more). */
  'expression',
  /** SQL text with named parameters `:name`. */
  'sql',
  /** Values for a query's named parameters: name → expression. */
  'sqlParams',
  /** Named values as expressions: name → expression (child inputs, columns to set). */
  'expressionMap',
  /** A duration in seconds. */
  'duration',
  /** A duration in milliseconds. */
  'durationMs',
  /** A moment: epoch milliseconds or an ISO 8601 date-time. */
  'dateTime',
  /** A phone number, or an operator's number. */
  'phone',
  /** The id of another scenario. */
  'scenarioRef',
  /** The fields of an operator form. */
  'formFields',
  /** A variable name this node writes or reads. */
  'variable',
  /** A database table name. */
  'table',
  /** A database column name. */
  'column',
  /** A queue name. */
  'queue',
  /** A name that becomes one of the node's outcomes. */
  'outcome',
  /** A literal JSON value (not an expression). */
  'json',
  /** Text of several lines. */
  'multiline',
] as const;

export type UiHint = (typeof UI_HINTS)[number];

/** `schema` with the UI hint `hint`; other metadata (description, title) is kept. */
export const ui = <S extends z.ZodType>(schema: S, hint: UiHint): S => schema.meta({ ui: hint }) as S;

/** The UI hint of a schema, inherited through `.describe()` and `.meta()` copies. */
export function uiHint(schema: z.ZodType): UiHint | undefined {
  const hint = (schema.meta() as { ui?: unknown } | undefined)?.ui;
  return typeof hint === 'string' && (UI_HINTS as readonly string[]).includes(hint) ? (hint as UiHint) : undefined;
}

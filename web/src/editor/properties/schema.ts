/**
 * Reading the catalogue's params JSON Schema (draft 2020-12 with `ui` hints)
 * to decide how each field is edited. Nothing here names a node type: a new
 * node type gets a form from its schema alone.
 */
import type { UiHint } from '@tellflow/engine';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  format?: string;
  ui?: UiHint;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  minLength?: number;
  pattern?: string;
}

/** `schema` with its `$ref`s (into the root's `$defs`) followed; the referring schema's own keys (hint, description) win. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let out = schema;
  for (let depth = 0; out.$ref && depth < 20; depth++) {
    const name = /^#\/\$defs\/(.+)$/.exec(out.$ref)?.[1];
    const target = name ? root.$defs?.[name] : undefined;
    const { $ref: _ref, ...own } = out;
    if (!target) return own;
    out = { ...target, ...own };
  }
  return out;
}

/** How a field is edited. */
export type FieldKind =
  | { kind: 'expression'; hint: UiHint }
  | { kind: 'sql' }
  | { kind: 'namedExpressions'; hint: 'sqlParams' | 'expressionMap' }
  | { kind: 'formFields' }
  | { kind: 'scenarioRef' }
  | { kind: 'variable' }
  | { kind: 'queue' }
  | { kind: 'multiline' }
  | { kind: 'json' }
  | { kind: 'text'; hint?: UiHint }
  | { kind: 'number'; integer: boolean; unit?: 'seconds' | 'milliseconds' }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'list' }
  | { kind: 'object' }
  | { kind: 'choice'; options: JsonSchema[] };

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type[0] : s.type);

/** Any JSON value (an `anyOf` of every JSON type): edited as JSON text. */
function isAnyJson(s: JsonSchema, root: JsonSchema): boolean {
  const branches = (s.anyOf ?? s.oneOf ?? []).map((b) => typeOf(resolve(b, root)));
  return branches.includes('object') && branches.includes('array') && branches.includes('string');
}

/** The editor for a (resolved) field schema: its UI hint first, then its JSON type. */
export function fieldKind(s: JsonSchema, root: JsonSchema): FieldKind {
  if (s.format === 'json-logic') return { kind: 'expression', hint: s.ui ?? 'expression' };
  switch (s.ui) {
    case 'sql':
      return { kind: 'sql' };
    case 'sqlParams':
    case 'expressionMap':
      return { kind: 'namedExpressions', hint: s.ui };
    case 'formFields':
      return { kind: 'formFields' };
    case 'scenarioRef':
      return { kind: 'scenarioRef' };
    case 'variable':
      return { kind: 'variable' };
    case 'queue':
      return { kind: 'queue' };
    case 'multiline':
      return { kind: 'multiline' };
    case 'json':
      return { kind: 'json' };
    default:
  }
  if (s.enum) return { kind: 'enum', values: s.enum.map(String) };
  const type = typeOf(s);
  if (type === 'string') return s.ui ? { kind: 'text', hint: s.ui } : { kind: 'text' };
  if (type === 'number' || type === 'integer') {
    const unit = s.ui === 'duration' ? 'seconds' : s.ui === 'durationMs' ? 'milliseconds' : undefined;
    return { kind: 'number', integer: type === 'integer', ...(unit ? { unit } : {}) };
  }
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'array') return s.items && typeOf(resolve(s.items, root)) === 'object' ? { kind: 'list' } : { kind: 'json' };
  if (type === 'object') {
    if (s.properties) return { kind: 'object' };
    const values = typeof s.additionalProperties === 'object' ? resolve(s.additionalProperties, root) : undefined;
    return values?.format === 'json-logic' ? { kind: 'namedExpressions', hint: 'expressionMap' } : { kind: 'json' };
  }
  const options = s.anyOf ?? s.oneOf;
  if (options && !isAnyJson(s, root)) return { kind: 'choice', options };
  return { kind: 'json' };
}

/** A label from a property name: `timeoutSec` → "Timeout (s)", `idColumn` → "Id column". */
export function labelOf(name: string, s: JsonSchema): string {
  if (s.title && s.title !== 'Expression') return s.title;
  const words = name
    .replace(/(Sec|Ms)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A new value for a schema, for a newly added list item or choice: required properties filled where a default is obvious. */
export function emptyValue(s: JsonSchema, root: JsonSchema, siblings: unknown[] = []): unknown {
  const r = resolve(s, root);
  if (r.format === 'json-logic') return undefined;
  if (r.enum) return r.enum[0];
  switch (typeOf(r)) {
    case 'string':
      return r.ui === 'outcome' ? uniqueName('case', siblings) : '';
    case 'number':
    case 'integer':
      return r.minimum ?? (r.exclusiveMinimum !== undefined ? r.exclusiveMinimum + 1 : 0);
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of r.required ?? []) {
        const prop = r.properties?.[key];
        if (!prop) continue;
        const value = emptyValue(
          prop,
          root,
          siblings.map((x) => (x as Record<string, unknown> | null)?.[key]),
        );
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    default:
      return undefined;
  }
}

function uniqueName(base: string, taken: unknown[]): string {
  for (let i = taken.length + 1; ; i++) if (!taken.includes(`${base}${i}`)) return `${base}${i}`;
}

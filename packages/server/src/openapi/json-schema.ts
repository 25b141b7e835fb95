/**
 * zod → JSON Schema for the OpenAPI document, with `z.toJSONSchema`. A
 * schema's `$defs` (e.g. the recursive JsonValue) are moved into
 * `components.schemas` under the owner's name, and their `#/$defs/…`
 * references rewritten, because inside an OpenAPI document `#` is the
 * document's root.
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /**
   * The JSON on the wire, both ways, is a schema's input side: what a request
   * body is parsed from, and what a response decodes from (a `DateTime`'s ISO string).
   */
  convert(owner: string, schema: z.ZodType): JsonSchema {
    const {
      $schema: _s,
      $defs,
      ...body
    } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    if (!$defs) return body;
    const name = (def: string) => `${owner}_${def.replace(/^_+/, '')}`;
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (node === null || typeof node !== 'object') return node;
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [
          k,
          k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? `#/components/schemas/${name(v.slice(8))}` : rewrite(v),
        ]),
      );
    };
    for (const [def, s] of Object.entries($defs)) this.schemas[name(def)] = rewrite(s) as JsonSchema;
    return rewrite(body) as JsonSchema;
  }

  /** Registers a named component and returns a reference to it. */
  component(name: string, schema: z.ZodType): JsonSchema {
    this.schemas[name] ??= this.convert(name, schema);
    return { $ref: `#/components/schemas/${name}` };
  }
}

/**
 * The node catalogue: what a tool (the editor's palette and property forms,
 * `GET /api/node-types`) needs to know about each node type, as data: its
 * names, whether it touches the world, its outcomes and its params as JSON
 * Schema carrying the UI hints (format/ui.ts).
 */
import { z } from 'zod';
import { UI_HINTS } from '../format/ui.ts';
import { derivedFromRegistry, nodeDefinitions } from './registry.ts';
import { NODE_CATEGORIES, type NodeDefinition } from './types.ts';

export const CatalogOutcomes = z.union([
  z.strictObject({ static: z.array(z.string()).describe('The outcomes, whatever the params.') }),
  z.strictObject({
    fromParams: z.strictObject({
      description: z.string(),
      rules: z.array(
        z.strictObject({
          when: z.string().describe('The param that, when set, makes this rule apply.'),
          namesFrom: z.string().describe('Where in the params the outcome names are, e.g. `cases[].name`.').optional(),
          outcomes: z.array(z.string()).describe('Outcomes after those names.'),
        }),
      ),
    }),
  }),
]);
export type CatalogOutcomes = z.infer<typeof CatalogOutcomes>;

export const NodeCatalogEntry = z
  .strictObject({
    type: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.enum(NODE_CATEGORIES),
    icon: z.string().describe('A Tabler icon name (https://tabler.io/icons).'),
    touchesWorld: z.boolean().describe('Whether the node waits for the outside world (an effect) rather than computing in memory.'),
    effectKind: z.string().describe('The kind of effect it asks for, when it touches the world.').optional(),
    outcomes: CatalogOutcomes,
    paramsOptional: z.boolean().describe('Whether a node may leave out `params`.'),
    params: z
      .record(z.string(), z.unknown())
      .describe(
        `The params as JSON Schema (draft 2020-12). Fields carry a UI hint as "ui" (one of: ${UI_HINTS.join(', ')}); expressions have "format": "json-logic".`,
      ),
  })
  .meta({ title: 'Node type', description: 'One node type of the scenario format, as the editor needs it.' });
export type NodeCatalogEntry = z.infer<typeof NodeCatalogEntry>;

export function catalogEntry(def: NodeDefinition): NodeCatalogEntry {
  return {
    type: def.type,
    title: def.title,
    description: def.description,
    category: def.category,
    icon: def.icon,
    touchesWorld: def.kind === 'effect',
    ...(def.kind === 'effect' ? { effectKind: def.effectKind } : {}),
    outcomes: def.outcomesFromParams ? { fromParams: def.outcomesFromParams } : { static: def.outcomes({}) },
    paramsOptional: def.paramsOptional ?? false,
    params: z.toJSONSchema(def.params, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  };
}

const currentCatalog = derivedFromRegistry(() => nodeDefinitions().map(catalogEntry));

/** Every node type known now, in registry order; a copy the caller may change. */
export function nodeCatalog(): NodeCatalogEntry[] {
  return structuredClone(currentCatalog());
}

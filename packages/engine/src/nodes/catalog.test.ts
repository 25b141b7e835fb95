import { describe, expect, it } from 'vitest';
import { UI_HINTS } from '../format/ui.ts';
import { NodeCatalogEntry, nodeCatalog } from './catalog.ts';
import { NODE_DEFINITIONS } from './registry.ts';

/** Every `ui` value anywhere in a JSON Schema. */
function hints(schema: unknown, out: string[] = []): string[] {
  if (Array.isArray(schema)) for (const s of schema) hints(s, out);
  else if (schema !== null && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'ui' && typeof v === 'string') out.push(v);
      else hints(v, out);
    }
  }
  return out;
}

describe('nodeCatalog', () => {
  const catalog = nodeCatalog();

  it('has an entry per node type, in registry order, each fitting the documented schema', () => {
    expect(catalog.map((e) => e.type)).toEqual(NODE_DEFINITIONS.map((d) => d.type));
    for (const entry of catalog) expect(NodeCatalogEntry.safeParse(entry).error, entry.type).toBeUndefined();
  });

  it('says which types touch the world, and with which effect kind', () => {
    expect(catalog.filter((e) => e.touchesWorld).map((e) => `${e.type}:${e.effectKind}`)).toEqual([
      'sql:sql',
      'callOperator:call',
      'dialCustomer:dial',
      'showForm:form',
      'setStatus:setStatus',
      'wait:timer',
      'queue:enqueue',
      'runScenario:startChild',
    ]);
    expect(catalog.filter((e) => !e.touchesWorld).every((e) => e.effectKind === undefined)).toBe(true);
  });

  it('gives static outcomes, or how they follow from the params (branch)', () => {
    const outcomes = Object.fromEntries(catalog.map((e) => [e.type, e.outcomes]));
    expect(outcomes.sql).toEqual({ static: ['ok', 'empty', 'error'] });
    expect(outcomes.end).toEqual({ static: [] });
    expect(outcomes.branch).toEqual({
      fromParams: {
        description: expect.stringContaining('`default`'),
        rules: [
          { when: 'condition', outcomes: ['true', 'false'] },
          { when: 'cases', namesFrom: 'cases[].name', outcomes: ['default'] },
        ],
      },
    });
  });

  it('gives every type an icon and its params as JSON Schema with UI hints from the vocabulary', () => {
    for (const entry of catalog) {
      expect(entry.icon, entry.type).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(entry.params, entry.type).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
      const used = hints(entry.params);
      expect(used.length, `${entry.type} has no UI hint`).toBeGreaterThan(0);
      expect(
        used.filter((h) => !(UI_HINTS as readonly string[]).includes(h)),
        entry.type,
      ).toEqual([]);
    }
    const params = (type: string) => catalog.find((e) => e.type === type)!.params as { properties: Record<string, { ui?: string; format?: string }> };
    expect(params('sql').properties.query!.ui).toBe('sql');
    expect(params('sql').properties.params!.ui).toBe('sqlParams');
    expect(params('callOperator').properties.operator).toMatchObject({ ui: 'phone', format: 'json-logic' });
    expect(params('runScenario').properties.scenario!.ui).toBe('scenarioRef');
    expect(params('showForm').properties.fields!.ui).toBe('formFields');
    expect(params('wait').properties.seconds!.ui).toBe('duration');
    expect(params('start').properties.inputs).toMatchObject({ items: { properties: { name: { ui: 'variable' } } } });
    expect(catalog.filter((e) => e.paramsOptional).map((e) => e.type)).toEqual(['start', 'end']);
  });

  it('hands out copies', () => {
    const mine = nodeCatalog();
    mine[0]!.title = 'changed';
    expect(nodeCatalog()[0]!.title).toBe('Start');
  });
});

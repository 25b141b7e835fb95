import { DATABASE_KINDS } from '@tellflow/db/testing';
import { NODE_DEFINITIONS, NodeCatalogEntry, UI_HINTS } from '@tellflow/engine';
import { describe, expect, it } from 'vitest';
import { useServer } from '../test-support.ts';

/** Every `ui` hint in a JSON Schema. */
function hints(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(hints);
  if (schema === null || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([k, v]) => (k === 'ui' && typeof v === 'string' ? [v] : hints(v)));
}

describe.each(DATABASE_KINDS)('node types API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('serves every node type with its outcomes and a params JSON Schema with UI hints, to any role', async () => {
    const r = await h().call('GET', '/api/node-types', { as: 'agent' });
    expect(r.status).toBe(200);
    const entries = r.body.nodeTypes as NodeCatalogEntry[];
    expect(entries.map((e) => e.type)).toEqual(NODE_DEFINITIONS.map((d) => d.type));
    for (const entry of entries) {
      expect(NodeCatalogEntry.safeParse(entry).error, entry.type).toBeUndefined();
      const outcomes = 'static' in entry.outcomes ? entry.outcomes.static : entry.outcomes.fromParams.rules.flatMap((rule) => rule.outcomes);
      if (entry.type !== 'end') expect(outcomes.length, `${entry.type} has no outcomes`).toBeGreaterThan(0);
      expect(entry.params, entry.type).toMatchObject({ type: 'object', properties: expect.any(Object) });
      const used = hints(entry.params);
      expect(used.length, `${entry.type} has no UI hint`).toBeGreaterThan(0);
      expect(used.every((hint) => (UI_HINTS as readonly string[]).includes(hint))).toBe(true);
    }
    const sql = entries.find((e) => e.type === 'sql')!;
    expect(sql).toMatchObject({ touchesWorld: true, effectKind: 'sql', icon: 'database', outcomes: { static: ['ok', 'empty', 'error'] } });
    expect(sql.params).toMatchObject({ properties: { query: { ui: 'sql' }, params: { ui: 'sqlParams' } } });
    expect(entries.find((e) => e.type === 'branch')!.outcomes).toMatchObject({ fromParams: { rules: [{ when: 'condition' }, { when: 'cases' }] } });
    for (const role of ['admin', 'supervisor'] as const) expect((await h().call('GET', '/api/node-types', { as: role })).status).toBe(200);
  });

  it.skipIf(skip)('needs a session, and is documented in OpenAPI', async () => {
    const r = await h().call('GET', '/api/node-types');
    expect(r.status).toBe(401);
    const op = (await h().call('GET', '/api/openapi.json')).body.paths['/api/node-types'].get;
    expect(op.security).toEqual([{ session: [] }]);
    // 403: a customer token is refused here (only routes that let customers in take one).
    expect(Object.keys(op.responses).sort()).toEqual(['200', '401', '403']);
    const entry = op.responses['200'].content['application/json'].schema.properties.nodeTypes.items;
    expect(Object.keys(entry.properties)).toEqual(Object.keys(NodeCatalogEntry.shape));
    expect(entry.properties.params.description).toMatch(/UI hint/);
  });
});

import { scenarioJsonSchema } from '@tellflow/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { appWithoutDatabase } from '../test-support.ts';

// The document needs no data.
const { app, close } = appWithoutDatabase();
afterAll(close);

const fetchDoc = async () => {
  const res = await app.request('/api/openapi.json');
  expect(res.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the document is walked freely below
  return (await res.json()) as any;
};

/** Every `$ref` in the document must point at something that exists. */
function danglingRefs(doc: Record<string, unknown>): string[] {
  const bad: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const target = v.startsWith('#/')
          ? v
              .slice(2)
              .split('/')
              .reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], doc)
          : undefined;
        if (target === undefined) bad.push(v);
      } else visit(v);
    }
  };
  visit(doc);
  return bad;
}

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document with a path for every route the app serves under /api', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Tellflow API', version: expect.any(String) });
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const served = app.routes
      .filter((r) => r.path.startsWith('/api/') && r.path !== '/api/*' && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    // (app.routes lists a route once per handler: the access guard and the handler.)
    expect(documented.sort()).toEqual([...new Set(served)].sort());
    expect(documented.length).toBeGreaterThanOrEqual(24);
  });

  it('describes operations from the request schemas: bodies, parameters, roles, errors', async () => {
    const doc = await fetchDoc();
    const start = doc.paths['/api/executions'].post;
    expect(start.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { scenarioId: { type: 'string' }, version: { type: 'integer', minimum: 1 } },
      required: ['scenarioId'],
    });
    expect(start['x-roles']).toEqual(['admin', 'supervisor']);
    // 422: the Idempotency-Key was used for another request.
    expect(Object.keys(start.responses).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '422']);
    expect(start.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } }),
    ]);
    expect(doc.paths['/api/executions'].get.parameters.some((p: { in: string }) => p.in === 'header')).toBe(false);
    expect(start.security).toEqual([{ session: [] }]);

    const list = doc.paths['/api/executions'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'query:scenarioId',
      'query:status',
      'query:parentId',
      'query:before',
      'query:from',
      'query:to',
      'query:taskId',
      'query:serviceTaskId',
      'query:limit',
      'query:idle',
    ]);
    expect(list.parameters.find((p: { name: string }) => p.name === 'status').schema.enum).toEqual(['running', 'waiting', 'completed', 'failed', 'cancelled']);

    const exp = doc.paths['/api/scenarios/{id}/versions/{version}/export'].get;
    expect(exp.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string' }) }),
      expect.objectContaining({ name: 'version', in: 'path', required: true, schema: expect.objectContaining({ type: 'integer' }) }),
    ]);
    const login = doc.paths['/api/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(login.responses['429']).toEqual({ $ref: '#/components/responses/E429' });
    expect(doc.components.securitySchemes.session).toEqual({ type: 'apiKey', in: 'cookie', name: 'tellflow_session' });
  });

  it('documents the subscriber upload: a CSV body with its own limit, repeatable map, 415 and the 422 result', async () => {
    const doc = await fetchDoc();
    const upload = doc.paths['/api/outbound-tasks/{id}/subscribers'].post;
    expect(Object.keys(upload.requestBody.content)).toEqual([
      'text/csv',
      'application/csv',
      'text/plain',
      'application/vnd.ms-excel',
      'application/octet-stream',
    ]);
    expect(upload.requestBody.description).toBe(`The CSV file. At most ${64 * 1024 * 1024} bytes.`);
    expect(upload.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'query:mode',
      'query:delimiter',
      'query:map',
      'header:Idempotency-Key',
    ]);
    expect(upload.parameters.find((p: { name: string }) => p.name === 'map').schema).toMatchObject({ type: 'array', items: { type: 'string' } });
    // 409: a repeat with its Idempotency-Key while the first upload is still being processed.
    expect(Object.keys(upload.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '422']);
    expect(upload.responses['422'].content['application/json'].schema).toMatchObject({
      properties: { error: { type: 'string' }, imported: { type: 'integer' }, errors: { type: 'array' } },
    });
    expect(upload['x-roles']).toEqual(['admin']);
    expect(doc.paths['/api/calls'].get['x-roles']).toEqual(['admin', 'supervisor', 'agent']);
    expect(doc.paths['/api/service-tasks'].post.requestBody.content['application/json'].schema.properties.schedule.description).toMatch(/^Cron expression/);
  });

  it('includes the scenario JSON Schema for scenario bodies, with references that resolve', async () => {
    const doc = await fetchDoc();
    const ref = { $ref: '#/components/schemas/Scenario' };
    expect(doc.paths['/api/scenarios'].post.requestBody.content['application/json'].schema).toEqual(ref);
    expect(doc.paths['/api/scenarios/validate'].post.requestBody.content['application/json'].schema).toEqual(ref);
    expect(doc.paths['/api/scenarios/{id}/draft'].put.requestBody.content['application/json'].schema).toEqual(ref);
    const scenario = doc.components.schemas.Scenario;
    const { $schema: _s, $defs: _d, ...published } = scenarioJsonSchema() as Record<string, unknown>;
    expect(Object.keys(scenario.properties)).toEqual(Object.keys((published as { properties: object }).properties));
    expect(scenario.title).toBe('Tellflow scenario');
    expect(danglingRefs(doc)).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });
});

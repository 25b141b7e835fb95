/**
 * `/api/scenarios`: import (a scenario file as the body), validate without
 * saving, drafts, publishing, versions and export. Admin and supervisor
 * read; only admin writes. Documents are checked by the engine's
 * `validateScenario`, whose issues name the node and the field.
 */
import { z } from 'zod';
import { diffScenarios, JsonValue, Scenario, ScenarioId, validateScenario, type Issue } from '@tellflow/engine';
import type { ScenarioVersion } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { badRequest, conflict } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';
import { PositiveInt } from '../schemas.ts';

const READ = ['admin', 'supervisor'] as const;
const WRITE = ['admin'] as const;

const IdParam = z.object({ id: ScenarioId });
const VersionParams = z.object({ id: ScenarioId, version: PositiveInt });
const SaveQuery = z.object({
  comment: z.string().max(500).optional(),
  publish: z.enum(['true', 'false']).optional().meta({ description: '`true`: also publish the imported version' }),
});
const DraftQuery = SaveQuery.omit({ publish: true }).extend({
  baseVersion: PositiveInt.optional().meta({ description: 'the version this draft was edited from: 409 if a later one exists' }),
});
const PublishBody = z.object({ version: PositiveInt.optional().meta({ description: 'default: the latest version' }) });

const IssueSchema = z.object({ severity: z.enum(['error', 'warning']), nodeId: z.string().optional(), path: z.string(), message: z.string() });
const VersionInfo = z.object({
  scenarioId: z.string(),
  version: z.number().int(),
  comment: z.string().nullable(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
});
const Summary = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  latestVersion: z.number().int(),
  publishedVersion: z.number().int().nullable(),
  updatedAt: z.string(),
});
const Saved = z.object({ version: VersionInfo, published: z.boolean(), warnings: z.array(IssueSchema) });

const DiffQuery = z.object({
  from: PositiveInt.optional().meta({ description: 'default: the published version' }),
  to: PositiveInt.optional().meta({ description: 'default: the latest version' }),
});
const FieldChange = z.object({ path: z.string(), before: JsonValue.optional(), after: JsonValue.optional() });
const Diff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  same: z.boolean(),
  scenario: z.array(FieldChange),
  nodes: z.array(z.object({ id: z.string(), type: z.string(), change: z.enum(['added', 'removed', 'changed']), fields: z.array(FieldChange).optional() })),
  edges: z.array(z.object({ change: z.enum(['added', 'removed']), source: z.string(), sourceHandle: z.string(), target: z.string() })),
  layout: z.object({ moved: z.array(z.string()), meta: z.boolean() }),
});

const withoutDocument = ({ document: _d, ...rest }: ScenarioVersion) => rest;

export function scenarioRoutes({ runtime }: Deps) {
  const store = runtime.scenarios;
  const api = routeGroup('/api/scenarios', 'scenarios');

  /** Issues that stop a document from being published, checked before anything is saved. */
  async function mustBePublishable(doc: unknown): Promise<void> {
    const checked = validateScenario(doc);
    if (!checked.ok || !checked.scenario) throw badRequest('the scenario has errors', { issues: checked.issues });
    const issues = await store.publishIssues(checked.scenario);
    if (issues.length) throw badRequest('the scenario cannot be published', { issues });
  }

  async function save(doc: unknown, opts: { by: string; comment?: string; expectId?: string; baseVersion?: number; publish: boolean }) {
    if (opts.publish) await mustBePublishable(doc);
    const { version, issues } = await store.save(doc, {
      by: opts.by,
      ...(opts.comment ? { comment: opts.comment } : {}),
      ...(opts.expectId ? { expectId: opts.expectId } : {}),
      ...(opts.baseVersion !== undefined ? { baseVersion: opts.baseVersion } : {}),
    });
    const final = opts.publish ? await store.publish(version.scenarioId, version.version) : version;
    return { version: withoutDocument(final), published: opts.publish, warnings: issues };
  }

  api.get('/', { summary: 'List scenarios', access: READ, response: z.object({ scenarios: z.array(Summary) }) }, async (c) =>
    c.json({ scenarios: await store.list() }),
  );

  api.post(
    '/',
    {
      summary: 'Import a scenario file as a new version (a new scenario or the next draft of one)',
      access: WRITE,
      documentBody: Scenario,
      query: SaveQuery,
      response: Saved,
      status: 201,
    },
    async (c, { body, query, user }) =>
      c.json(await save(body, { by: user.id, publish: query.publish === 'true', ...(query.comment ? { comment: query.comment } : {}) }), 201),
  );

  api.post(
    '/validate',
    {
      summary: 'Validate a scenario file without saving it',
      description: 'Always 200 for a readable body: `ok` is false when there are errors. `publishIssues` lists what would stop publishing on this server.',
      access: READ,
      documentBody: Scenario,
      response: z.object({ ok: z.boolean(), issues: z.array(IssueSchema), publishIssues: z.array(IssueSchema) }),
    },
    async (c, { body }) => {
      const checked = validateScenario(body);
      const publishIssues: Issue[] = checked.scenario ? await store.publishIssues(checked.scenario) : [];
      return c.json({ ok: checked.ok, issues: checked.issues, publishIssues });
    },
  );

  api.get(
    '/:id',
    {
      summary: "A scenario with its latest version's document",
      access: READ,
      params: IdParam,
      response: Summary.extend({ document: Scenario }),
      errors: [404],
    },
    async (c, { params }) => {
      const summary = await store.get(params.id);
      const latest = await store.version(params.id);
      return c.json({ ...summary, document: latest.document });
    },
  );

  api.put(
    '/:id/draft',
    {
      summary: "Save a new draft version (the document's id must be the scenario's)",
      description: 'With `baseVersion` (the version the edit started from), a 409 instead of saving when another version was saved meanwhile.',
      access: WRITE,
      params: IdParam,
      documentBody: Scenario,
      query: DraftQuery,
      response: Saved,
      status: 201,
      errors: [404, 409],
    },
    async (c, { params, body, query, user }) => {
      await store.get(params.id);
      const { comment, baseVersion } = query;
      return c.json(
        await save(body, {
          by: user.id,
          expectId: params.id,
          publish: false,
          ...(comment ? { comment } : {}),
          ...(baseVersion !== undefined ? { baseVersion } : {}),
        }),
        201,
      );
    },
  );

  api.post(
    '/:id/publish',
    {
      summary: 'Publish a version (default: the latest); new executions run it',
      access: WRITE,
      params: IdParam,
      body: PublishBody,
      response: z.object({ version: VersionInfo }),
      errors: [404],
    },
    async (c, { params, body }) => c.json({ version: withoutDocument(await store.publish(params.id, body.version)) }),
  );

  api.get(
    '/:id/versions',
    {
      summary: 'The versions of a scenario, newest first',
      access: READ,
      params: IdParam,
      response: z.object({ versions: z.array(VersionInfo) }),
      errors: [404],
    },
    async (c, { params }) => c.json({ versions: await store.versions(params.id) }),
  );

  api.get(
    '/:id/diff',
    {
      summary: 'What changed between two versions: nodes and fields, edges, layout apart',
      description: 'By default, from the published version to the latest: what publishing the latest would change.',
      access: READ,
      params: IdParam,
      query: DiffQuery,
      response: Diff,
      errors: [404, 409],
    },
    async (c, { params, query }) => {
      const summary = await store.get(params.id);
      const from = query.from ?? summary.publishedVersion;
      if (from === null) throw conflict(`scenario "${params.id}" has no published version: give ?from=N`);
      const to = query.to ?? summary.latestVersion;
      const [a, b] = await Promise.all([store.version(params.id, from), store.version(params.id, to)]);
      return c.json({ from, to, ...diffScenarios(a.document, b.document) });
    },
  );

  api.get(
    '/:id/versions/:version/export',
    {
      summary: 'Download a version as a scenario file (re-imports unchanged)',
      access: READ,
      params: VersionParams,
      response: Scenario,
      download: true,
      errors: [404],
    },
    async (c, { params }) => {
      const { document, version } = await store.version(params.id, params.version);
      // The version column is `json`: the stored text is JSON.stringify(document), so this is that exact text.
      return c.body(JSON.stringify(document), 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${params.id}.v${version}.json"`,
      });
    },
  );

  return api.group;
}

/**
 * `/api/scenarios`: import (a scenario file as the body), validate without
 * saving, drafts, publishing, versions and export. Admin and supervisor
 * read; only admin writes. Documents are checked by the engine's
 * `validateScenario`, whose issues name the node and the field.
 */
import {
  Diff,
  DiffQuery,
  DraftQuery,
  PublishBody,
  Published,
  Saved,
  SaveQuery,
  ScenarioList,
  ScenarioParams,
  ScenarioWithDocument,
  Validated,
  VersionList,
  VersionParams,
  type ScenarioVersion,
} from '@tellflow/api';
import { diffScenarios, Scenario, validateScenario, type Issue } from '@tellflow/engine';
import type { Deps } from '../context.ts';
import { badRequest, conflict } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';

const READ = ['admin', 'supervisor'] as const;
const WRITE = ['admin'] as const;

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

  api.get(
    '/',
    {
      summary: 'List scenarios',
      description: "With the latest version's warnings, why it cannot be published (if so) and what keeps the scenario from being deleted (if anything).",
      access: READ,
      response: ScenarioList,
    },
    async (c) => c.json({ scenarios: await store.overview() }),
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
      idempotent: true,
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
      response: Validated,
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
      params: ScenarioParams,
      response: ScenarioWithDocument,
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
      params: ScenarioParams,
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
      params: ScenarioParams,
      body: PublishBody,
      response: Published,
      errors: [404],
    },
    async (c, { params, body }) => c.json({ version: withoutDocument(await store.publish(params.id, body.version, body.comment)) }),
  );

  api.delete(
    '/:id',
    {
      summary: 'Delete a scenario and all its versions',
      description: 'A 409 names what still runs on it or refers to it: unfinished executions, service or outbound tasks, other scenarios.',
      access: WRITE,
      params: ScenarioParams,
      status: 204,
      errors: [404, 409],
    },
    async (c, { params }) => {
      await store.remove(params.id);
      return c.body(null, 204);
    },
  );

  api.get(
    '/:id/versions',
    {
      summary: 'The versions of a scenario, newest first',
      access: READ,
      params: ScenarioParams,
      response: VersionList,
      errors: [404],
    },
    async (c, { params }) => {
      const [versions, summary] = await Promise.all([store.versions(params.id), store.get(params.id)]);
      return c.json({ versions, publishedVersion: summary.publishedVersion });
    },
  );

  api.get(
    '/:id/diff',
    {
      summary: 'What changed between two versions: nodes and fields, edges, layout apart',
      description: 'By default, from the published version to the latest: what publishing the latest would change.',
      access: READ,
      params: ScenarioParams,
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

/** Scenarios and their versions: import, validate, drafts, publishing, diffs. */
import { JsonValue, Scenario, ScenarioId } from '@tellflow/engine';
import { z } from 'zod';
import { DateTime, PositiveInt } from './common.ts';

export const ScenarioSummary = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  latestVersion: z.number().int(),
  publishedVersion: z.number().int().nullable(),
  updatedAt: DateTime,
});
export type ScenarioSummary = z.infer<typeof ScenarioSummary>;

/** One immutable version of a scenario. */
export const ScenarioVersion = z.object({
  scenarioId: z.string(),
  version: z.number().int(),
  document: Scenario,
  comment: z.string().nullable(),
  createdAt: DateTime,
  publishedAt: DateTime.nullable(),
  publishComment: z.string().nullable(),
});
export type ScenarioVersion = z.infer<typeof ScenarioVersion>;

/** A version without its document, as lists and save results show it. */
export const VersionInfo = ScenarioVersion.omit({ document: true });
export type VersionInfo = z.infer<typeof VersionInfo>;

export const Issue = z.object({ severity: z.enum(['error', 'warning']), nodeId: z.string().optional(), path: z.string(), message: z.string() });

export const ScenarioParams = z.object({ id: ScenarioId });
export const VersionParams = z.object({ id: ScenarioId, version: PositiveInt });
export const SaveQuery = z.object({
  comment: z.string().max(500).optional(),
  publish: z.enum(['true', 'false']).optional().meta({ description: '`true`: also publish the imported version' }),
});
export const DraftQuery = SaveQuery.omit({ publish: true }).extend({
  baseVersion: PositiveInt.optional().meta({ description: 'the version this draft was edited from: 409 if a later one exists' }),
});
export const PublishBody = z.object({
  version: PositiveInt.optional().meta({ description: 'default: the latest version' }),
  comment: z.string().trim().max(500).optional().meta({ description: 'what changes and why, shown in the version list' }),
});
export const DiffQuery = z.object({
  from: PositiveInt.optional().meta({ description: 'default: the published version' }),
  to: PositiveInt.optional().meta({ description: 'default: the latest version' }),
});

/** A scenario as the list shows it: with the health of its latest version and what keeps it from being deleted. */
export const ScenarioListItem = ScenarioSummary.extend({
  warnings: z.number().int().meta({ description: "the latest version's validation warnings" }),
  publishProblem: z.string().nullable().meta({ description: 'why the latest version cannot be published on this server; null when it can' }),
  inUse: z.string().nullable().meta({ description: 'what runs on or refers to the scenario, which keeps it from being deleted; null when nothing does' }),
});
export type ScenarioListItem = z.infer<typeof ScenarioListItem>;
export const ScenarioList = z.object({ scenarios: z.array(ScenarioListItem) });
export const ScenarioWithDocument = ScenarioSummary.extend({ document: Scenario });
export const Saved = z.object({ version: VersionInfo, published: z.boolean(), warnings: z.array(Issue) });
export const Validated = z.object({ ok: z.boolean(), issues: z.array(Issue), publishIssues: z.array(Issue) });
export const Published = z.object({ version: VersionInfo });
/** A version as the version list shows it: with who saved it. */
export const VersionListItem = VersionInfo.extend({
  author: z.string().nullable().meta({ description: 'who saved it (display name, else user name); null when not known or the user is gone' }),
});
export type VersionListItem = z.infer<typeof VersionListItem>;
export const VersionList = z.object({
  versions: z.array(VersionListItem),
  publishedVersion: z.number().int().nullable().meta({ description: 'the version new executions run (earlier published ones keep their publishedAt)' }),
});

const FieldChange = z.object({ path: z.string(), before: JsonValue.optional(), after: JsonValue.optional() });
export const Diff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  same: z.boolean(),
  scenario: z.array(FieldChange),
  nodes: z.array(z.object({ id: z.string(), type: z.string(), change: z.enum(['added', 'removed', 'changed']), fields: z.array(FieldChange).optional() })),
  edges: z.array(z.object({ change: z.enum(['added', 'removed']), source: z.string(), sourceHandle: z.string(), target: z.string() })),
  layout: z.object({ moved: z.array(z.string()), meta: z.boolean() }),
});

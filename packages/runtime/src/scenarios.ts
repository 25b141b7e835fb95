/**
 * Scenario storage: every save is a new immutable version; publishing points
 * the scenario at one version. Executions pin the version they start on, so
 * publishing never changes runs in flight.
 */
import type { ScenarioListItem, ScenarioSummary, ScenarioVersion, VersionListItem } from '@tellflow/api';
import { nodeDefinition, scenarioReferences, unknownReferences, validateScenario, type Issue, type Scenario, type ScenarioReference } from '@tellflow/engine';
import { scenarios, scenarioVersions, selectList, type Database, type Queryable, type RowOf } from '@tellflow/db';
import { effectHandler, noHandlerMessage } from './effects/index.ts';
import { conflict, invalid, notFound } from './errors.ts';

export type { ScenarioSummary, ScenarioVersion };

/** What publishing a version depends on besides which scenarios are published. */
interface PublishFacts {
  references: ScenarioReference[];
  /** Publish problems that do not depend on other scenarios: nodes this server cannot run. */
  unrunnable: Issue[];
}

/** What the list needs of a stored version: worked out once, as versions never change. */
interface VersionFacts extends PublishFacts {
  warnings: number;
}

const publishFactsOf = (scenario: Scenario): PublishFacts => ({ references: scenarioReferences(scenario), unrunnable: unrunnableNodes(scenario) });

function factsOf(scenario: Scenario): VersionFacts {
  return { ...publishFactsOf(scenario), warnings: validateScenario(scenario).issues.filter((i) => i.severity === 'warning').length };
}

/** Versions whose facts are remembered; more than this many and the memory starts afresh. */
const FACTS_KEPT = 5_000;

export class ScenarioStore {
  /**
   * Facts of stored versions. The list needs them for every scenario on every
   * call, and reading and validating every document again was nearly all of
   * its time (200 scenarios of 100 nodes: ~510 ms). Keyed with the version's
   * creation time too, as a deleted scenario's id and version numbers can come
   * back with another document.
   */
  private readonly facts = new Map<string, VersionFacts>();

  constructor(private readonly db: Database) {}

  /**
   * Validates and stores a document as a new draft version (creating the
   * scenario if new). `baseVersion`: the version the editor started from. When another version
   * was saved since, nothing is saved (409): two people editing the same
   * scenario never silently overwrite each other.
   */
  async save(
    doc: unknown,
    options: { by?: string | null; comment?: string; expectId?: string; baseVersion?: number } = {},
  ): Promise<{ version: ScenarioVersion; issues: Issue[] }> {
    const checked = validateScenario(doc);
    if (!checked.ok || !checked.scenario) throw invalid('the scenario has errors', checked.issues);
    const scenario = checked.scenario;
    if (options.expectId !== undefined && scenario.id !== options.expectId) {
      throw invalid(`the document's id "${scenario.id}" does not match the scenario "${options.expectId}"`);
    }
    const version = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ latestVersion: number }>(
        `insert into scenarios (id, name, kind, latest_version) values ($1, $2, $3, 1)
         on conflict (id) do update set latest_version = scenarios.latest_version + 1, name = excluded.name,
           kind = excluded.kind, updated_at = now()
         returning latest_version as "latestVersion"`,
        [scenario.id, scenario.name, scenario.kind],
      );
      const v = rows[0]!.latestVersion;
      // The upsert locked the scenario's row, so this check and the insert are one step for concurrent savers.
      if (options.baseVersion !== undefined && v - 1 !== options.baseVersion) {
        throw conflict(
          v === 1
            ? `scenario "${scenario.id}" does not exist yet, so there is no version ${options.baseVersion} to build on`
            : `version ${v - 1} of "${scenario.id}" was saved after version ${options.baseVersion}, which this draft started from: compare them and save again`,
        );
      }
      const inserted = await tx.query<VersionRow>(
        `insert into scenario_versions (scenario_id, version, document, comment, created_by)
         values ($1, $2, $3::json, $4, $5) returning ${VERSION_COLUMNS}`,
        [scenario.id, v, JSON.stringify(doc), options.comment ?? null, options.by ?? null],
      );
      return toVersion(inserted.rows[0]!);
    });
    return { version, issues: checked.issues };
  }

  /** Publishes a version (default: the latest) after the checks only a whole server can make. */
  async publish(scenarioId: string, version?: number, comment?: string): Promise<ScenarioVersion> {
    const target = await this.version(scenarioId, version);
    const issues = await this.publishIssues(target.document);
    if (issues.length) throw invalid(`version ${target.version} of "${scenarioId}" cannot be published`, issues);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `update scenario_versions set published_at = coalesce(published_at, now()), publish_comment = coalesce($3, publish_comment)
         where scenario_id = $1 and version = $2`,
        [scenarioId, target.version, comment || null],
      );
      await tx.query('update scenarios set published_version = $2, updated_at = now() where id = $1', [scenarioId, target.version]);
    });
    return this.version(scenarioId, target.version);
  }

  /** Problems that block publishing: references to unpublished scenarios, nodes this server cannot run. */
  async publishIssues(scenario: Scenario, also: Iterable<string> = []): Promise<Issue[]> {
    return publishIssuesGiven(scenario.id, publishFactsOf(scenario), new Set([...(await this.publishedIds()), ...also]));
  }

  private async publishedIds(q: Queryable = this.db): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>('select id from scenarios where published_version is not null');
    return rows.map((r) => r.id);
  }

  /** Every scenario with its latest version's health and what keeps it from being deleted, in a fixed number of queries. */
  async overview(): Promise<ScenarioListItem[]> {
    const [summaries, published, { latest, usage }] = await Promise.all([this.list(), this.publishedIds(), this.usage()]);
    const known = new Set(published);
    return summaries.map((s) => {
      const facts = latest.get(s.id);
      const problems = facts ? publishIssuesGiven(s.id, facts, known) : [];
      return { ...s, warnings: facts?.warnings ?? 0, publishProblem: problems[0]?.message ?? null, inUse: usage.get(s.id) ?? null };
    });
  }

  /** The facts of each scenario's latest and published versions: documents are read only for versions not seen before. */
  private async versionFacts(q: Queryable): Promise<{ scenarioId: string; latest: boolean; facts: VersionFacts }[]> {
    const known = new Map(this.facts);
    const { rows } = await q.query<{ scenarioId: string; latest: boolean; key: string; document: Scenario | null }>(
      `select scenario_id as "scenarioId", latest, key, case when key = any($1::text[]) then null else document end as document
       from (select v.scenario_id, v.version = s.latest_version as latest, v.document,
               v.scenario_id || ':' || v.version || ':' || (extract(epoch from v.created_at) * 1000000)::bigint as key
             from scenario_versions v join scenarios s on s.id = v.scenario_id
             where v.version = s.latest_version or v.version = s.published_version) x`,
      [[...known.keys()]],
    );
    return rows.map((r) => {
      let facts = known.get(r.key);
      if (!facts) {
        // A version not seen before: its document came with the row.
        facts = factsOf(r.document!);
        if (this.facts.size >= FACTS_KEPT) this.facts.clear();
        this.facts.set(r.key, facts);
      }
      return { scenarioId: r.scenarioId, latest: r.latest, facts };
    });
  }

  /**
   * What runs on or refers to each scenario: unfinished executions, service
   * and outbound tasks, other scenarios' latest or published versions. A
   * scenario with any of these cannot be deleted. With the latest versions'
   * facts, which the list needs too.
   */
  private async usage(q: Queryable = this.db, only?: string): Promise<{ usage: Map<string, string>; latest: Map<string, VersionFacts> }> {
    // One after another: a transaction runs one query at a time anyway.
    const runs = await q.query<{ scenarioId: string; n: number }>(
      `select scenario_id as "scenarioId", count(*)::int as n from executions where status in ('running', 'waiting') group by scenario_id`,
    );
    const service = await q.query<{ id: string; scenarioId: string }>('select id::text, scenario_id as "scenarioId" from service_tasks');
    const outbound = await q.query<{ name: string; ids: string[] }>(
      'select name, array[dialog_scenario_id, routing_scenario_id, operator_call_scenario_id] as ids from outbound_tasks',
    );
    const versions = await this.versionFacts(q);
    const reasons = new Map<string, string[]>();
    const add = (id: string, why: string) => {
      if (only !== undefined && id !== only) return;
      const list = reasons.get(id) ?? [];
      if (!list.includes(why)) list.push(why);
      reasons.set(id, list);
    };
    for (const r of runs.rows) add(r.scenarioId, `${r.n} unfinished execution${r.n === 1 ? '' : 's'}`);
    for (const t of service.rows) add(t.scenarioId, `service task ${t.id}`);
    for (const t of outbound.rows) for (const id of t.ids) add(id, `outbound task "${t.name}"`);
    for (const v of versions) {
      for (const id of new Set(v.facts.references.map((r) => r.scenario))) if (id !== v.scenarioId) add(id, `scenario "${v.scenarioId}" runs it`);
    }
    return {
      usage: new Map([...reasons].map(([id, list]) => [id, list.join(', ')])),
      latest: new Map(versions.filter((v) => v.latest).map((v) => [v.scenarioId, v.facts])),
    };
  }

  /** Deletes a scenario and all its versions, unless something runs on it or refers to it (409 naming what). */
  async remove(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query('select id from scenarios where id = $1 for update', [id]);
      if (!rows[0]) throw notFound(`scenario "${id}"`);
      const inUse = (await this.usage(tx, id)).usage.get(id);
      if (inUse) throw conflict(`scenario "${id}" is in use (${inUse}): it cannot be deleted`);
      await tx.query('delete from scenarios where id = $1', [id]);
    });
  }

  async list(): Promise<ScenarioSummary[]> {
    const { rows } = await this.db.query<SummaryRow>(`select ${SUMMARY_COLUMNS} from scenarios order by id`);
    return rows;
  }

  async get(id: string): Promise<ScenarioSummary> {
    const { rows } = await this.db.query<SummaryRow>(`select ${SUMMARY_COLUMNS} from scenarios where id = $1`, [id]);
    if (!rows[0]) throw notFound(`scenario "${id}"`);
    return rows[0];
  }

  /** Newest first, each with who saved it. */
  async versions(id: string): Promise<VersionListItem[]> {
    await this.get(id);
    const { rows } = await this.db.query<InfoRow & { author: string | null }>(
      `select ${selectList(scenarioVersions, INFO_KEYS, 'v')}, coalesce(u.display_name, u.username) as author
       from scenario_versions v left join users u on u.id = v.created_by where v.scenario_id = $1 order by v.version desc`,
      [id],
    );
    return rows;
  }

  /** A version; without a number, the latest. */
  async version(id: string, version?: number, q: Queryable = this.db): Promise<ScenarioVersion> {
    const { rows } = await q.query<VersionRow>(
      version === undefined
        ? `select ${VERSION_COLUMNS} from scenario_versions where scenario_id = $1 order by version desc limit 1`
        : `select ${VERSION_COLUMNS} from scenario_versions where scenario_id = $1 and version = $2`,
      version === undefined ? [id] : [id, version],
    );
    if (!rows[0]) throw notFound(version === undefined ? `scenario "${id}"` : `version ${version} of scenario "${id}"`);
    return toVersion(rows[0]);
  }

  /** The published version, which is what starting a scenario by id runs. */
  async published(id: string, q: Queryable = this.db): Promise<ScenarioVersion> {
    // One round trip: this runs for every scenario started by id.
    const { rows } = await q.query<VersionRow & { publishedVersion: number | null }>(
      `select s.published_version as "publishedVersion", ${selectList(scenarioVersions, VERSION_KEYS, 'v')}
       from scenarios s left join scenario_versions v on v.scenario_id = s.id and v.version = s.published_version where s.id = $1`,
      [id],
    );
    if (!rows[0]) throw notFound(`scenario "${id}"`);
    if (rows[0].publishedVersion === null) throw conflict(`scenario "${id}" has no published version`);
    const { publishedVersion: _p, ...version } = rows[0];
    return toVersion(version);
  }
}

const SUMMARY_KEYS = ['id', 'name', 'kind', 'latestVersion', 'publishedVersion', 'updatedAt'] as const;
const SUMMARY_COLUMNS = selectList(scenarios, SUMMARY_KEYS);
const INFO_KEYS = ['scenarioId', 'version', 'comment', 'createdAt', 'publishedAt', 'publishComment'] as const;
const VERSION_KEYS = [...INFO_KEYS, 'document'] as const;
const VERSION_COLUMNS = selectList(scenarioVersions, VERSION_KEYS);

// The rows are the DTOs already (the compiler checks it where they are returned); only the document needs its type.
type SummaryRow = RowOf<typeof scenarios, (typeof SUMMARY_KEYS)[number]>;
type InfoRow = RowOf<typeof scenarioVersions, (typeof INFO_KEYS)[number]>;
type VersionRow = RowOf<typeof scenarioVersions, (typeof VERSION_KEYS)[number]>;

/** The stored document passed validation when it was saved. */
const toVersion = (r: VersionRow): ScenarioVersion => ({ ...r, document: r.document as Scenario });

/** Problems that block publishing, given the scenarios already published. */
function publishIssuesGiven(scenarioId: string, facts: PublishFacts, published: Set<string>): Issue[] {
  const known = new Set([...published, scenarioId]);
  const missing = unknownReferences(facts.references, known).map((i) => ({ ...i, message: `${i.message} (it must be published first)` }));
  return [...missing, ...facts.unrunnable];
}

/** A node that touches the world runs only where a handler performs its kind of effect. */
function unrunnableNodes(scenario: Scenario): Issue[] {
  const issues: Issue[] = [];
  scenario.nodes.forEach((node, index) => {
    const def = nodeDefinition(node.type);
    if (def?.kind !== 'effect' || effectHandler(def.effectKind)) return;
    const message = `${noHandlerMessage(def.effectKind, `a ${node.type} node`)}: remove it, or wait for the release that runs it`;
    issues.push({ severity: 'error', nodeId: node.id, path: `nodes[${index}].type`, message });
  });
  return issues;
}

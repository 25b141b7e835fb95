/**
 * Validating several scenario files together: each on its own, then the
 * references between them (what node definitions' `references` name) and
 * duplicate ids.
 */
import type { Scenario } from '../format/scenario.ts';
import { scenarioReferences, type ScenarioReference } from '../references.ts';
import { formatPath, type Issue } from './issue.ts';
import { validateScenario, type ValidationResult } from './validate.ts';

export interface SetEntry {
  /** A name for messages, e.g. the file path. */
  source: string;
  doc: unknown;
}

export interface SetResult {
  ok: boolean;
  results: (ValidationResult & { source: string })[];
}

export function validateSet(entries: SetEntry[], options: { knownScenarioIds?: Iterable<string> } = {}): SetResult {
  const results = entries.map((e) => ({ source: e.source, ...validateScenario(e.doc) }));
  const bySource = new Map<string, string>();
  for (const r of results) {
    if (!r.scenario) continue;
    const other = bySource.get(r.scenario.id);
    if (other !== undefined) push(r, { severity: 'error', path: 'id', message: `scenario id "${r.scenario.id}" is also used by ${other}` });
    else bySource.set(r.scenario.id, r.source);
  }
  // A file with errors still names a scenario: references to it are not "unknown" on top of its own errors.
  const named = entries.map((e) => (e.doc as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
  const known = new Set([...bySource.keys(), ...named, ...(options.knownScenarioIds ?? [])]);
  for (const r of results) if (r.scenario) for (const issue of missingReferences(r.scenario, known)) push(r, issue);
  return { ok: results.every((r) => r.ok), results };
}

export function missingReferences(scenario: Scenario, known: ReadonlySet<string>): Issue[] {
  return unknownReferences(scenarioReferences(scenario), known);
}

/** The references (a scenario's, listed before) to scenarios not in `known`, as issues. */
export function unknownReferences(references: readonly ScenarioReference[], known: ReadonlySet<string>): Issue[] {
  return references
    .filter((ref) => !known.has(ref.scenario))
    .map((ref) => ({ severity: 'error', nodeId: ref.nodeId, path: formatPath(ref.path), message: `unknown scenario "${ref.scenario}"` }));
}

function push(result: ValidationResult, issue: Issue) {
  result.issues.push(issue);
  if (issue.severity === 'error') {
    result.ok = false;
    delete result.scenario;
  }
}

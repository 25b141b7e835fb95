/** The scenarios a simulated run installs in its sandbox: the one it runs and those it runs in turn. */
import { referencedScenarioIds, type Scenario } from '@tellflow/engine';
import { RuntimeError } from '../errors.ts';
import type { ScenarioStore } from '../scenarios.ts';

/** A scenario to install in the sandbox; `doc` is stored exactly as given. */
export interface Source {
  scenario: Scenario;
  doc: unknown;
  /** A file name, or where in the database it came from. */
  from: string;
}

/** The published versions of `ids` and, transitively, of the scenarios they run (except those in `have`). */
export async function publishedWithReferences(
  store: ScenarioStore,
  ids: readonly string[],
  have: ReadonlySet<string>,
): Promise<{ sources: Source[]; problems: string[] }> {
  const sources: Source[] = [];
  const problems: string[] = [];
  const seen = new Set(have);
  const queue = [...ids];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    if (seen.has(id)) continue;
    seen.add(id);
    try {
      const v = await store.published(id);
      sources.push({ scenario: v.document, doc: v.document, from: `${id} v${v.version}` });
      queue.push(...referencedScenarioIds(v.document));
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      problems.push(`a scenario it runs: ${error.message}`);
    }
  }
  return { sources, problems };
}

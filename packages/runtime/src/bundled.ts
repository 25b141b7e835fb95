/**
 * The scenarios shipped in /scenarios, imported and published on first start
 * (a scenario already in the database is left as the administrator made it),
 * plus the callback monitor's service task, disabled until an outbound task
 * is configured.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exclusively } from '@tellflow/db';
import { parseJsonText, referencedScenarioIds, type Scenario } from '@tellflow/engine';
import { CALLBACK_MONITOR_TASK } from './service-tasks/callback-monitor.ts';
import type { Stores } from './stores.ts';

export { CALLBACK_MONITOR_TASK };

/** What installing needs: a runtime, or the stores alone. */
type Target = Pick<Stores, 'db' | 'scenarios' | 'serviceTasks'>;

export const BUNDLED_FOLDER = fileURLToPath(new URL('../../../scenarios', import.meta.url));

/** Several servers starting at once on a fresh database install each scenario once: the second waits and finds them. */
export async function installBundled(target: Target, folder = BUNDLED_FOLDER): Promise<string[]> {
  return exclusively(target.db, 'bundled-scenarios', () => install(target, folder));
}

async function install(target: Target, folder: string): Promise<string[]> {
  const docs = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = parseJsonText(readFileSync(join(folder, f)));
      if (!parsed.ok) throw new Error(`${f}: ${parsed.error}`);
      return parsed.value as Scenario;
    });
  const existing = new Set((await target.scenarios.list()).map((s) => s.id));
  const installed: string[] = [];
  for (const doc of dependencyOrder(docs)) {
    if (existing.has(doc.id)) continue;
    const { version } = await target.scenarios.save(doc, { comment: 'bundled with Tellflow' });
    await target.scenarios.publish(doc.id, version.version);
    installed.push(doc.id);
  }
  const tasks = new Set((await target.serviceTasks.list()).map((t) => t.id));
  if (!tasks.has(CALLBACK_MONITOR_TASK.id) && (existing.has('callback-monitor') || installed.includes('callback-monitor'))) {
    await target.serviceTasks.create(CALLBACK_MONITOR_TASK);
  }
  return installed;
}

/** Scenarios that others refer to (e.g. run) come first, so every publish finds its references published. */
export function dependencyOrder<S extends Scenario>(docs: readonly S[]): S[] {
  const byId = new Map(docs.map((d) => [d.id, d]));
  const out: S[] = [];
  const seen = new Set<string>();
  const visit = (d: S) => {
    if (seen.has(d.id)) return;
    seen.add(d.id);
    for (const id of referencedScenarioIds(d)) {
      const child = byId.get(id);
      if (child) visit(child);
    }
    out.push(d);
  };
  docs.forEach(visit);
  return out;
}

/** Tasks name scenarios by id: a name that matches no scenario is a 400 naming the field, caught before it is stored. */
import { RuntimeError, type Runtime } from '@tellflow/runtime';
import { badRequest } from './errors.ts';

export async function mustNameScenarios(runtime: Runtime, refs: Record<string, string | undefined>): Promise<void> {
  const issues: { path: string; message: string }[] = [];
  for (const [path, id] of Object.entries(refs)) {
    if (id === undefined) continue;
    try {
      await runtime.scenarios.get(id);
    } catch (e) {
      if (!(e instanceof RuntimeError && e.status === 404)) throw e;
      issues.push({ path, message: `there is no scenario "${id}"` });
    }
  }
  if (issues.length) throw badRequest(`the task names ${issues.length === 1 ? 'a scenario that does' : 'scenarios that do'} not exist`, { issues });
}

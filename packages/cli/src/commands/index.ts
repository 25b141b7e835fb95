/**
 * The verbs of `tellflow`, in the order `tellflow --help` lists them.
 * Adding a verb: write `commands/VERB.ts` exporting a `Command`, add it here.
 */
import { agents } from './agents.ts';
import { apiKeys } from './api-keys.ts';
import type { Command } from './command.ts';
import { demo } from './demo.ts';
import { diff } from './diff.ts';
import { executions } from './executions.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { migrate } from './migrate.ts';
import { queues } from './queues.ts';
import { run } from './run.ts';
import { schema } from './schema.ts';
import { serve } from './serve.ts';
import { serviceTasks } from './service-tasks.ts';
import { subscribers } from './subscribers.ts';
import { tasks } from './tasks.ts';
import { test } from './test.ts';
import { validate } from './validate.ts';

export const COMMANDS: readonly Command[] = [
  serve,
  validate,
  importCommand,
  exportCommand,
  diff,
  run,
  test,
  executions,
  tasks,
  subscribers,
  agents,
  queues,
  apiKeys,
  serviceTasks,
  demo,
  schema,
  migrate,
];

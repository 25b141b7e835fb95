/** Service tasks: a scenario run on a schedule, and the runs it left. */
import { JsonValue, ScenarioId } from '@tellflow/engine';
import { z } from 'zod';
import { DateTime, ExecutionStatus, TimeZone } from './common.ts';

export const ServiceTaskInput = z.strictObject({
  id: ScenarioId.describe('Task id'),
  name: z.string().min(1).max(200),
  scenarioId: ScenarioId,
  schedule: z.string().min(1).describe('Cron expression; six fields include seconds, e.g. "*/5 * * * * *" = every 5 s.'),
  timeZone: TimeZone.optional().meta({ description: 'IANA time zone the schedule is read in (default UTC)' }),
  enabled: z.boolean().optional(),
  overlap: z.enum(['skip', 'allow']).optional().describe('skip: no new run while the previous one is still going'),
  missed: z.enum(['skip', 'runOnce']).optional().describe('Periods missed while no process ran: skip them, or run once'),
  input: z.record(z.string(), JsonValue).optional(),
});
export type ServiceTaskInput = z.infer<typeof ServiceTaskInput>;
export const ServiceTaskPatch = ServiceTaskInput.omit({ id: true }).partial();
export type ServiceTaskPatch = z.infer<typeof ServiceTaskPatch>;

export const ServiceTask = z.object({
  id: z.string(),
  name: z.string(),
  scenarioId: z.string(),
  schedule: z.string(),
  timeZone: z.string(),
  enabled: z.boolean(),
  overlap: z.enum(['skip', 'allow']),
  missed: z.enum(['skip', 'runOnce']),
  input: z.record(z.string(), JsonValue),
  lastPeriod: DateTime.nullable().meta({ description: 'the latest schedule period handled' }),
  updatedAt: DateTime,
});
export type ServiceTask = z.infer<typeof ServiceTask>;

/** One schedule period handled (or one "run now"). */
export const ServiceTaskRun = z.object({
  taskId: z.string(),
  scheduledFor: DateTime.meta({ description: 'the period (for "run now": the time it was asked for)' }),
  executionId: z.string().nullable(),
  outcome: z.enum(['started', 'skipped', 'failed']),
  reason: z.string().nullable().meta({ description: 'why it was skipped or failed; "run now" for a run started by hand' }),
  executionStatus: ExecutionStatus.nullable(),
});
export type ServiceTaskRun = z.infer<typeof ServiceTaskRun>;

export const ServiceTaskParams = z.object({ id: ScenarioId });
export const RunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'default 50' }) });
export const ServiceTaskList = z.object({ tasks: z.array(ServiceTask) });
export const OneServiceTask = z.object({ task: ServiceTask });
export const RunStarted = z.object({ executionId: z.string() });
export const RunList = z.object({ runs: z.array(ServiceTaskRun) });

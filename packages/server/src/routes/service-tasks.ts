/**
 * `/api/service-tasks`: scenarios the server runs on a schedule (domain.md
 * §1, e.g. the callback monitor every 5 s). Admin and supervisor read and
 * may "run now"; only admin creates, changes (`{ enabled }` switches one on
 * or off) and deletes. The runs list shows each period handled with the
 * status of the execution it started.
 */
import { z } from 'zod';
import { JsonValue, ScenarioId } from '@tellflow/engine';
import { ServiceTaskInput, ServiceTaskPatch } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';
import { mustNameScenarios } from '../scenario-refs.ts';
import { DateTime, ExecutionStatus } from '../schemas.ts';

const STAFF = ['admin', 'supervisor'] as const;
const ADMIN = ['admin'] as const;

/** The runtime's schemas, plus a check the schedule parser does not make: that the time zone exists. */
const TimeZone = z
  .string()
  .refine((name) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  }, 'is not a known time zone (e.g. Europe/Moscow)')
  .meta({ description: 'IANA time zone the schedule is read in (default UTC)' });
const CreateBody = ServiceTaskInput.extend({ timeZone: TimeZone.optional() });
const PatchBody = ServiceTaskPatch.extend({ timeZone: TimeZone.optional() });

const IdParam = z.object({ id: ScenarioId });
const RunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'default 50' }) });

const ServiceTask = z.object({
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
const Run = z.object({
  taskId: z.string(),
  scheduledFor: DateTime.meta({ description: 'the period (for "run now": the time it was asked for)' }),
  executionId: z.string().nullable(),
  outcome: z.enum(['started', 'skipped', 'failed']),
  reason: z.string().nullable().meta({ description: 'why it was skipped or failed; "run now" for a run started by hand' }),
  executionStatus: ExecutionStatus.nullable(),
});
const One = z.object({ task: ServiceTask });

export function serviceTaskRoutes({ runtime }: Deps) {
  const tasks = runtime.serviceTasks;
  const api = routeGroup('/api/service-tasks', 'service tasks');

  api.get('/', { summary: 'List service tasks', access: STAFF, response: z.object({ tasks: z.array(ServiceTask) }) }, async (c) =>
    c.json({ tasks: await tasks.list() }),
  );

  api.post(
    '/',
    { summary: 'Create a service task (disabled unless `enabled` is true)', access: ADMIN, body: CreateBody, response: One, status: 201, errors: [409] },
    async (c, { body }) => {
      await mustNameScenarios(runtime, { scenarioId: body.scenarioId });
      return c.json({ task: await tasks.create(body) }, 201);
    },
  );

  api.patch(
    '/:id',
    {
      summary: 'Change a service task; `{ "enabled": true|false }` switches it on or off',
      description: 'Switching a task on counts its schedule from now: the periods while it was off are not "missed".',
      access: ADMIN,
      params: IdParam,
      body: PatchBody,
      response: One,
      errors: [404],
    },
    async (c, { params, body }) => {
      await tasks.get(params.id);
      await mustNameScenarios(runtime, { scenarioId: body.scenarioId });
      return c.json({ task: await tasks.update(params.id, body) });
    },
  );

  api.delete('/:id', { summary: 'Delete a service task and its runs', access: ADMIN, params: IdParam, status: 204, errors: [404] }, async (c, { params }) => {
    await tasks.remove(params.id);
    return c.body(null, 204);
  });

  api.post(
    '/:id/run',
    {
      summary: "Run now: one execution of the task's scenario outside its schedule",
      description: "Works for a disabled task too; the run is listed among the task's runs. 409 when the scenario has no published version.",
      access: STAFF,
      params: IdParam,
      response: z.object({ executionId: z.string() }),
      status: 201,
      errors: [404, 409],
    },
    async (c, { params }) => c.json({ executionId: await runtime.runServiceTask(params.id) }, 201),
  );

  api.get(
    '/:id/runs',
    {
      summary: "The task's recent runs, newest first, with the status of each execution",
      access: STAFF,
      params: IdParam,
      query: RunsQuery,
      response: z.object({ runs: z.array(Run) }),
      errors: [404],
    },
    async (c, { params, query }) => c.json({ runs: await tasks.runs(params.id, query.limit) }),
  );

  return api.group;
}

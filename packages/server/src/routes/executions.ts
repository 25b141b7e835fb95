/** `/api/executions`: start, list with filters, read with trace and effects, cancel, retry. Admin and supervisor only. */
import { z } from 'zod';
import { JsonValue, ScenarioId } from '@tellflow/engine';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';
import { EXECUTION_STATUSES as STATUSES, PositiveInt } from '../schemas.ts';

const STAFF = ['admin', 'supervisor'] as const;

const Start = z.object({
  scenarioId: ScenarioId,
  version: PositiveInt.optional().meta({ description: 'default: the published version' }),
  input: z.record(z.string(), JsonValue).optional().meta({ description: "values for the start node's inputs" }),
});
const ListQuery = z.object({
  scenarioId: ScenarioId.optional(),
  status: z.enum(STATUSES).optional(),
  parentId: z.uuid().optional(),
  before: z.iso.datetime({ offset: true }).optional().meta({ description: 'only executions created before this time (paging)' }),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const IdParam = z.object({ id: z.uuid() });
const Cancel = z.object({ reason: z.string().min(1).max(500).optional() });
const Retry = z.object({
  fromStep: PositiveInt.optional().meta({ description: 'a step of its trace (default: the node it failed or was cancelled at)' }),
});

const Summary = z.object({
  id: z.string(),
  scenarioId: z.string(),
  version: z.number().int(),
  status: z.enum(STATUSES),
  error: z.string().nullable(),
  result: JsonValue.nullable(),
  parentId: z.string().nullable(),
  retryOf: z.string().nullable().meta({ description: 'on a retry: the execution it retries' }),
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().nullable(),
});
const TraceRow = z.object({
  step: z.number().int(),
  nodeId: z.string(),
  nodeType: z.string(),
  outcome: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string(),
  changed: z.record(z.string(), JsonValue).nullable(),
  error: z.string().nullable(),
});
const Detail = Summary.extend({
  input: z.record(z.string(), JsonValue),
  state: JsonValue.nullable(),
  trace: z.array(TraceRow),
  effects: z.array(z.record(z.string(), JsonValue)),
  retryFrom: z
    .object({ step: z.number().int(), nodeId: z.string() })
    .nullable()
    .meta({ description: 'on a retry: the step of the retried execution it began again at' }),
});

export function executionRoutes({ runtime }: Deps) {
  const api = routeGroup('/api/executions', 'executions');

  api.post(
    '/',
    { summary: 'Start an execution of a scenario', access: STAFF, body: Start, response: z.object({ id: z.string() }), status: 201, errors: [404, 409] },
    async (c, { body, user }) => {
      const id = await runtime.start(body.scenarioId, {
        startedBy: user.id,
        ...(body.input ? { input: body.input } : {}),
        ...(body.version !== undefined ? { version: body.version } : {}),
      });
      return c.json({ id }, 201);
    },
  );

  api.get(
    '/',
    { summary: 'List executions, newest first', access: STAFF, query: ListQuery, response: z.object({ executions: z.array(Summary) }) },
    async (c, { query }) => {
      const { before, ...rest } = query;
      return c.json({ executions: await runtime.executions({ ...rest, ...(before ? { before: new Date(before) } : {}) }) });
    },
  );

  api.get(
    '/:id',
    { summary: 'An execution with its step trace and effects', access: STAFF, params: IdParam, response: Detail, errors: [404] },
    async (c, { params }) => c.json(await runtime.execution(params.id)),
  );

  api.post(
    '/:id/cancel',
    {
      summary: 'Cancel an unfinished execution (its timers, forms and child executions go with it)',
      access: STAFF,
      params: IdParam,
      body: Cancel,
      response: z.object({ id: z.string(), cancelling: z.literal(true) }),
      status: 202,
      errors: [404, 409],
    },
    async (c, { params, body, user }) => {
      await runtime.cancel(params.id, body.reason ?? `cancelled by ${user.username}`);
      return c.json({ id: params.id, cancelling: true as const }, 202);
    },
  );

  api.post(
    '/:id/retry',
    {
      summary: 'Run a finished execution again from one of its steps',
      description:
        "A new execution of the same scenario version, input and attachment begins at that step's node with the variables it had then; effects from there on happen again. Default: the node it failed or was cancelled at.",
      access: STAFF,
      params: IdParam,
      body: Retry,
      response: z.object({ id: z.string() }),
      status: 201,
      errors: [404, 409],
    },
    async (c, { params, body, user }) =>
      c.json({ id: await runtime.retry(params.id, { startedBy: user.id, ...(body.fromStep !== undefined ? { fromStep: body.fromStep } : {}) }) }, 201),
  );

  return api.group;
}

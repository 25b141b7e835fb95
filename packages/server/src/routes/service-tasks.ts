/**
 * `/api/service-tasks`: scenarios the server runs on a schedule (domain.md
 * §1, e.g. the callback monitor every 5 s). Admin and supervisor read and
 * may "run now"; only admin creates, changes (`{ enabled }` switches one on
 * or off) and deletes. The runs list shows each period handled with the
 * status of the execution it started. What a task runs is checked by the
 * store, as for the CLI: a published scenario, and its required inputs.
 */
import { OneServiceTask, RunList, RunStarted, RunsQuery, ServiceTaskInput, ServiceTaskList, ServiceTaskParams, ServiceTaskPatch } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

const STAFF = ['admin', 'supervisor'] as const;
const ADMIN = ['admin'] as const;

export function serviceTaskRoutes({ runtime }: Deps) {
  const tasks = runtime.serviceTasks;
  const api = routeGroup('/api/service-tasks', 'service tasks');

  api.get('/', { summary: 'List service tasks', access: STAFF, response: ServiceTaskList }, async (c) => c.json({ tasks: await tasks.list() }));

  api.post(
    '/',
    {
      summary: 'Create a service task (disabled unless `enabled` is true)',
      description:
        "400 naming the field when the scenario does not exist or has no published version, or when `input` lacks a required input of the published version's start node or gives a value of the wrong type (as starting an execution checks).",
      access: ADMIN,
      body: ServiceTaskInput,
      response: OneServiceTask,
      status: 201,
      errors: [409],
      idempotent: true,
    },
    async (c, { body }) => c.json({ task: await tasks.create(body) }, 201),
  );

  api.patch(
    '/:id',
    {
      summary: 'Change a service task; `{ "enabled": true|false }` switches it on or off',
      description:
        'Switching a task on counts its schedule from now: the periods while it was off are not "missed". The task as changed is checked as on create when it is (or stays) enabled or its scenario or input changes; switching one off always works.',
      access: ADMIN,
      params: ServiceTaskParams,
      body: ServiceTaskPatch,
      response: OneServiceTask,
      errors: [404],
    },
    async (c, { params, body }) => c.json({ task: await tasks.update(params.id, body) }),
  );

  api.delete(
    '/:id',
    { summary: 'Delete a service task and its runs', access: ADMIN, params: ServiceTaskParams, status: 204, errors: [404] },
    async (c, { params }) => {
      await tasks.remove(params.id);
      return c.body(null, 204);
    },
  );

  api.post(
    '/:id/run',
    {
      summary: "Run now: one execution of the task's scenario outside its schedule",
      description: "Works for a disabled task too; the run is listed among the task's runs. 409 when the scenario has no published version.",
      access: STAFF,
      params: ServiceTaskParams,
      response: RunStarted,
      status: 201,
      errors: [404, 409],
      idempotent: true,
    },
    async (c, { params }) => c.json({ executionId: await runtime.runServiceTask(params.id) }, 201),
  );

  api.get(
    '/:id/runs',
    {
      summary: "The task's recent runs, newest first, with the status of each execution",
      access: STAFF,
      params: ServiceTaskParams,
      query: RunsQuery,
      response: RunList,
      errors: [404],
    },
    async (c, { params, query }) => c.json({ runs: await tasks.runs(params.id, query.limit) }),
  );

  return api.group;
}

/** `/api/executions`: start, list with filters, read with trace and effects, cancel, retry. Admin and supervisor only. */
import {
  CancelExecution,
  Cancelling,
  ExecutionDetail,
  ExecutionList,
  ExecutionListQuery,
  ExecutionParams,
  ExecutionTrace,
  RetryExecution,
  StartExecution,
  Started,
} from '@tellflow/api';
import type { Transaction } from '@tellflow/db';
import { traceSteps } from '@tellflow/runtime/test-run';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';
import type { IdempotencyClaim } from '../middleware/idempotency.ts';

const STAFF = ['admin', 'supervisor'] as const;

export function executionRoutes({ runtime }: Deps) {
  const api = routeGroup('/api/executions', 'executions');

  api.post(
    '/',
    {
      summary: 'Start an execution of a scenario',
      access: STAFF,
      body: StartExecution,
      response: Started,
      status: 201,
      errors: [404, 409],
      idempotent: true,
    },
    async (c, { body, user }) => {
      const id = await runtime.start(body.scenarioId, {
        startedBy: user.id,
        ...(body.input ? { input: body.input } : {}),
        ...(body.version !== undefined ? { version: body.version } : {}),
        ...storedWithTheExecution(c.get('idempotency')),
      });
      return c.json({ id }, 201);
    },
  );

  api.get(
    '/',
    {
      summary: 'List executions, newest first',
      description:
        "Idle executions (a service task's scheduled run that changed nothing) are left out unless `idle` asks for them; `idleHidden` counts those left out.",
      access: STAFF,
      query: ExecutionListQuery,
      response: ExecutionList,
    },
    async (c, { query }) => {
      const { before, from, to, ...rest } = query;
      const filter = {
        ...rest,
        ...(before ? { before: new Date(before) } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      };
      const [executions, idleHidden] = await Promise.all([runtime.executions(filter), runtime.stores.executions.hiddenIdle(filter)]);
      return c.json({ executions, idleHidden });
    },
  );

  api.get(
    '/:id',
    { summary: 'An execution with its step trace and effects', access: STAFF, params: ExecutionParams, response: ExecutionDetail, errors: [404] },
    async (c, { params }) => c.json(await runtime.execution(params.id)),
  );

  api.get(
    '/:id/trace',
    {
      summary: 'Replay: an execution step by step, with the document of its scenario version',
      description:
        "Each step with the variables it set and all the variables after it, and the effect it asked for (request, result and a one-line summary). Steps of the child scenarios it ran follow the step that started them, one level deeper. `at` counts ms from the execution's creation.",
      access: STAFF,
      params: ExecutionParams,
      response: ExecutionTrace,
      errors: [404],
    },
    async (c, { params }) => {
      const execution = await runtime.execution(params.id);
      const [{ document }, steps] = await Promise.all([runtime.scenarios.version(execution.scenarioId, execution.version), traceSteps(runtime, params.id)]);
      const { input: _i, state, trace: _t, effects: _e, retryFrom: _r, startVars: _s, ...summary } = execution;
      const waiting =
        state?.waiting && (summary.status === 'waiting' || summary.status === 'running') ? { nodeId: state.waiting.nodeId, since: state.waiting.since } : null;
      return c.json({ execution: summary, scenario: document, steps, waiting });
    },
  );

  api.post(
    '/:id/cancel',
    {
      summary: 'Cancel an unfinished execution (its timers, forms and child executions go with it)',
      access: STAFF,
      params: ExecutionParams,
      body: CancelExecution,
      response: Cancelling,
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
        "A new execution of the same scenario version, input and attachment begins at that step's node with the variables it had then; effects from there on happen again. Default: the node it failed or was cancelled at. `input` replaces some inputs (declared ones also in the step's variables). The input is checked as at start: 400 naming a missing required input or a value of the wrong type.",
      access: STAFF,
      params: ExecutionParams,
      body: RetryExecution,
      response: Started,
      status: 201,
      errors: [404, 409],
      idempotent: true,
    },
    async (c, { params, body, user }) =>
      c.json(
        {
          id: await runtime.retry(params.id, {
            startedBy: user.id,
            ...(body.fromStep !== undefined ? { fromStep: body.fromStep } : {}),
            ...(body.input ? { input: body.input } : {}),
            ...storedWithTheExecution(c.get('idempotency')),
          }),
        },
        201,
      ),
  );

  return api.group;
}

/** An Idempotency-Key's answer (201 `{ id }`) commits in the transaction that inserts the execution: a kill never leaves one without the other. */
const storedWithTheExecution = (claim: IdempotencyClaim | undefined) =>
  claim ? { inTransaction: (tx: Transaction, id: string) => claim.record(tx, 201, { id }) } : {};

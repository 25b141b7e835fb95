/**
 * Every operation of the HTTP API, keyed `METHOD /path` as in the OpenAPI
 * document, with the schemas of its path parameters, query, body and success
 * response. The server's route specs use these very schema objects (a
 * server test checks that both list the same operations with the same
 * schemas), and the browser's client is typed from this map.
 */
import { Scenario } from '@tellflow/engine';
import { z } from 'zod';
import { CallParams, RejectCall, RingingList, SettledCall } from './calls.ts';
import {
  CancelExecution,
  Cancelling,
  ExecutionDetail,
  ExecutionList,
  ExecutionListQuery,
  ExecutionParams,
  FormList,
  FormParams,
  RetryExecution,
  StartExecution,
  Started,
  SubmitForm,
  Submitted,
} from './executions.ts';
import { LiveEventMessage } from './events.ts';
import { Health } from './health.ts';
import { NodeTypes } from './node-types.ts';
import {
  CallHistory,
  ImportQuery,
  ImportRejected,
  ImportResult,
  OneOutboundTask,
  OutboundTaskInput,
  OutboundTaskList,
  OutboundTaskParams,
  OutboundTaskPatch,
  OutboundTaskWithProgress,
  StartedOutboundTask,
  StatsQuery,
  SubscriberParams,
  TaskCallStats,
} from './outbound-tasks.ts';
import {
  Diff,
  DiffQuery,
  DraftQuery,
  PublishBody,
  Published,
  Saved,
  SaveQuery,
  ScenarioList,
  ScenarioParams,
  ScenarioWithDocument,
  Validated,
  VersionList,
  VersionParams,
} from './scenarios.ts';
import { QueueStats, QueueStatsQuery } from './queues.ts';
import { ExecutionTrace, TestCasesRunBody, TestCasesRunReply, TestRunBody, TestRunReply } from './test-runs.ts';
import { ResetDone, ResetSubscribers, SubscriberList, SubscriberListQuery } from './subscribers.ts';
import { OneServiceTask, RunList, RunStarted, RunsQuery, ServiceTaskInput, ServiceTaskList, ServiceTaskParams, ServiceTaskPatch } from './service-tasks.ts';
import { ApiKeyList, ApiKeyParams, CreateApiKey, CreatedApiKey, CustomerMe, CustomerToken, MintCustomerToken } from './api-keys.ts';
import { AgentList, AgentParams, OneAgent, SetPresence } from './agents.ts';
import {
  CallCustomer,
  CallingCustomer,
  CustomerQueueEntry,
  JoinQueue,
  MembershipList,
  NextCustomer,
  OneEntry,
  OneOffer,
  OneQueue,
  QueueEntryList,
  QueueEventList,
  QueueEventsQuery,
  QueueInput,
  QueueList,
  QueueParams,
  QueuePatch,
  QueueWithStatus,
  RejectOffer,
  RequestCustomer,
  ServedCustomer,
  StartService,
} from './queues.ts';
import { ChangePassword, CreateUser, Login, Me, OneUser, Session, UpdateUser, UserId, UserList } from './users.ts';

export interface Endpoint {
  params?: z.ZodType;
  query?: z.ZodType;
  /** The JSON body. */
  body?: z.ZodType;
  /** The body is a whole document the handler checks itself (a scenario file). */
  documentBody?: z.ZodType;
  /** The body is a file (CSV), not JSON. */
  rawBody?: true;
  /** The success body; none for 204. */
  response?: z.ZodType;
  status?: 200 | 201 | 202 | 204;
  /** The success response is a file to save. */
  download?: true;
  /**
   * The success response is a `text/event-stream` that stays open: `response`
   * is the schema of each message (`{ id?, event, data }`), not of a JSON body.
   */
  eventStream?: true;
  /** Other responses with a body that is not `{ error, details }`, by status. */
  responses?: Partial<Record<number, z.ZodType>>;
  /**
   * A create that honours the `Idempotency-Key` request header (at most 255
   * printable ASCII characters, kept 24 hours per user): a repeat with the
   * same key, path and body gets the first answer again, marked
   * `Idempotent-Replayed: true`; another path or body with that key is a 422;
   * a repeat while the first is still being processed a 409.
   */
  idempotent?: true;
}

/** The request header that makes a create safe to repeat, and the response header that marks a repeated answer. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The OpenAPI document itself, described as far as a client relies on it. */
export const OpenApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

export const endpoints = {
  'GET /api/health': { response: Health },
  'GET /api/openapi.json': { response: OpenApiDocument },
  'GET /api/node-types': { response: NodeTypes },
  'GET /api/events': { response: LiveEventMessage, eventStream: true },

  'POST /api/auth/login': { body: Login, response: Me },
  'POST /api/auth/logout': { status: 204 },
  'GET /api/auth/me': { response: Me },
  'GET /api/auth/session': { response: Session },
  'POST /api/auth/password': { body: ChangePassword, status: 204 },

  'GET /api/users': { response: UserList },
  'POST /api/users': { body: CreateUser, response: OneUser, status: 201, idempotent: true },
  'PATCH /api/users/{id}': { params: UserId, body: UpdateUser, response: OneUser },
  'DELETE /api/users/{id}': { params: UserId, status: 204 },
  'GET /api/api-keys': { response: ApiKeyList },
  'POST /api/api-keys': { body: CreateApiKey, response: CreatedApiKey, status: 201 },
  'DELETE /api/api-keys/{id}': { params: ApiKeyParams, status: 204 },
  'POST /api/customer-tokens': { body: MintCustomerToken, response: CustomerToken, status: 201 },
  'GET /api/customer/me': { response: CustomerMe },
  'GET /api/agents': { response: AgentList },
  'GET /api/agents/me': { response: OneAgent },
  'PUT /api/agents/me/presence': { body: SetPresence, response: OneAgent },
  'POST /api/agents/me/ready': { response: OneAgent },
  'PUT /api/agents/{id}/presence': { params: AgentParams, body: SetPresence, response: OneAgent },
  'GET /api/agents/me/queues': { response: MembershipList },
  'PUT /api/agents/me/queues/{id}': { params: QueueParams, body: StartService, response: MembershipList },
  'DELETE /api/agents/me/queues/{id}': { params: QueueParams, status: 204 },
  'GET /api/agents/me/offer': { response: OneOffer },
  'POST /api/agents/me/offer/accept': { response: OneOffer },
  'POST /api/agents/me/offer/reject': { body: RejectOffer, response: OneOffer },
  'POST /api/agents/me/next': { body: RequestCustomer, response: NextCustomer },
  'POST /api/agents/me/call': { body: CallCustomer, response: CallingCustomer, status: 202 },
  'POST /api/agents/me/served': { body: ServedCustomer, response: OneEntry },

  'GET /api/queues': { response: QueueList },
  'POST /api/queues': { body: QueueInput, response: OneQueue, status: 201 },
  'GET /api/queues/{id}': { params: QueueParams, response: QueueWithStatus },
  'PATCH /api/queues/{id}': { params: QueueParams, body: QueuePatch, response: OneQueue },
  'DELETE /api/queues/{id}': { params: QueueParams, status: 204 },
  'GET /api/queues/{id}/entries': { params: QueueParams, response: QueueEntryList },
  'GET /api/queues/{id}/events': { params: QueueParams, query: QueueEventsQuery, response: QueueEventList },
  'POST /api/queues/{id}/join': { params: QueueParams, body: JoinQueue, response: OneEntry, status: 201 },
  'GET /api/customer/queue': { response: CustomerQueueEntry },
  'DELETE /api/customer/queue': { status: 204 },

  'GET /api/scenarios': { response: ScenarioList },
  'POST /api/scenarios': { documentBody: Scenario, query: SaveQuery, response: Saved, status: 201, idempotent: true },
  'POST /api/scenarios/validate': { documentBody: Scenario, response: Validated },
  'POST /api/scenarios/test-run': { body: TestRunBody, response: TestRunReply },
  'POST /api/scenarios/{id}/tests/run': { params: ScenarioParams, body: TestCasesRunBody, response: TestCasesRunReply },
  'GET /api/scenarios/{id}': { params: ScenarioParams, response: ScenarioWithDocument },
  'PUT /api/scenarios/{id}/draft': { params: ScenarioParams, documentBody: Scenario, query: DraftQuery, response: Saved, status: 201 },
  'POST /api/scenarios/{id}/publish': { params: ScenarioParams, body: PublishBody, response: Published },
  'DELETE /api/scenarios/{id}': { params: ScenarioParams, status: 204 },
  'GET /api/scenarios/{id}/versions': { params: ScenarioParams, response: VersionList },
  'GET /api/scenarios/{id}/diff': { params: ScenarioParams, query: DiffQuery, response: Diff },
  'GET /api/scenarios/{id}/versions/{version}/export': { params: VersionParams, response: Scenario, download: true },

  'POST /api/executions': { body: StartExecution, response: Started, status: 201, idempotent: true },
  'GET /api/executions': { query: ExecutionListQuery, response: ExecutionList },
  'GET /api/executions/{id}': { params: ExecutionParams, response: ExecutionDetail },
  'GET /api/executions/{id}/trace': { params: ExecutionParams, response: ExecutionTrace },
  'POST /api/executions/{id}/cancel': { params: ExecutionParams, body: CancelExecution, response: Cancelling, status: 202 },
  'POST /api/executions/{id}/retry': { params: ExecutionParams, body: RetryExecution, response: Started, status: 201, idempotent: true },

  'GET /api/forms': { response: FormList },
  'POST /api/forms/{executionId}/{step}': { params: FormParams, body: SubmitForm, response: Submitted },

  'GET /api/service-tasks': { response: ServiceTaskList },
  'POST /api/service-tasks': { body: ServiceTaskInput, response: OneServiceTask, status: 201, idempotent: true },
  'PATCH /api/service-tasks/{id}': { params: ServiceTaskParams, body: ServiceTaskPatch, response: OneServiceTask },
  'DELETE /api/service-tasks/{id}': { params: ServiceTaskParams, status: 204 },
  'POST /api/service-tasks/{id}/run': { params: ServiceTaskParams, response: RunStarted, status: 201, idempotent: true },
  'GET /api/service-tasks/{id}/runs': { params: ServiceTaskParams, query: RunsQuery, response: RunList },

  'GET /api/outbound-tasks': { response: OutboundTaskList },
  'POST /api/outbound-tasks': { body: OutboundTaskInput, response: OneOutboundTask, status: 201, idempotent: true },
  'GET /api/outbound-tasks/{id}': { params: OutboundTaskParams, response: OutboundTaskWithProgress },
  'GET /api/outbound-tasks/{id}/stats': { params: OutboundTaskParams, query: StatsQuery, response: TaskCallStats },
  'PATCH /api/outbound-tasks/{id}': { params: OutboundTaskParams, body: OutboundTaskPatch, response: OneOutboundTask },
  'POST /api/outbound-tasks/{id}/start': { params: OutboundTaskParams, response: StartedOutboundTask },
  'POST /api/outbound-tasks/{id}/stop': { params: OutboundTaskParams, response: OneOutboundTask },
  'POST /api/outbound-tasks/{id}/subscribers': {
    params: OutboundTaskParams,
    query: ImportQuery,
    rawBody: true,
    response: ImportResult,
    responses: { 422: ImportRejected },
    idempotent: true,
  },
  'GET /api/outbound-tasks/{id}/subscribers/{subscriberId}/calls': { params: SubscriberParams, response: CallHistory },

  'GET /api/queues/{id}/stats': { params: QueueParams, query: QueueStatsQuery, response: QueueStats },

  'GET /api/subscribers': { query: SubscriberListQuery, response: SubscriberList },
  'POST /api/subscribers/reset': { body: ResetSubscribers, response: ResetDone },

  'GET /api/calls': { response: RingingList },
  'POST /api/calls/{callId}/answer': { params: CallParams, response: SettledCall },
  'POST /api/calls/{callId}/reject': { params: CallParams, body: RejectCall, response: SettledCall },
} as const satisfies Record<string, Endpoint>;

export type Endpoints = typeof endpoints;
export type EndpointKey = keyof Endpoints;

/**
 * The database schema. Keys are camelCase in TypeScript and snake_case in
 * SQL (drizzle `casing: 'snake_case'`). Migrations in /drizzle are generated
 * from this file by `npm run generate -w @tellflow/db`.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  time,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const at = (name?: string) => (name ? timestamp(name, { withTimezone: true, mode: 'date' }) : timestamp({ withTimezone: true, mode: 'date' }));

export const users = pgTable('users', {
  id: uuid().primaryKey().defaultRandom(),
  username: text().notNull().unique(),
  displayName: text(),
  passwordHash: text().notNull(),
  role: text({ enum: ['admin', 'supervisor', 'agent'] }).notNull(),
  disabled: boolean().notNull().default(false),
  createdAt: at().notNull().defaultNow(),
});

/**
 * The operator numbers (extensions) the telephony layer rings for a user: an
 * agent has one or more; one number belongs to one user.
 */
export const agentExtensions = pgTable(
  'agent_extensions',
  {
    extension: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [index().on(t.userId)],
);

/**
 * What an agent said about itself: offline, available or DND (no row:
 * offline), since when, and the wrap-up it is in after a call (until
 * `wrapUntil`, or until it says it is ready). Busy is not stored: it is what
 * the agent holds (agent_holds) — see runtime agents/availability.ts.
 */
export const agentPresence = pgTable('agent_presence', {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  state: text({ enum: ['offline', 'available', 'dnd'] }).notNull(),
  since: at().notNull(),
  reason: text(),
  wrapUntil: at(),
});

/**
 * One thing at a time: the extension is held by an execution (its call, its
 * dialog) from the moment that execution won it until it ends. A hold whose
 * execution has ended holds nothing (and is replaced by the next winner).
 */
export const agentHolds = pgTable('agent_holds', {
  extension: text().primaryKey(),
  executionId: uuid().notNull(),
  since: at().notNull(),
});

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie's token: a leaked table does not leak sessions. */
    tokenHash: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: at().notNull().defaultNow(),
    expiresAt: at().notNull(),
    /** Last request seen on the session (written at most once a minute), for the idle timeout. */
    lastSeenAt: at().notNull().defaultNow(),
  },
  (t) => [index().on(t.userId)],
);

/**
 * Sign-in throttling, shared by every server process. One row per
 * (username, client address) that has failed: how many failures in a row and
 * when the next attempt may come (a delay that doubles). Rows whose last
 * failure is a day old are deleted as new attempts come in.
 */
export const loginDelays = pgTable(
  'login_delays',
  {
    username: text().notNull(),
    address: text().notNull(),
    failures: integer().notNull(),
    lastFailureAt: at().notNull(),
    nextAttemptAt: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.username, t.address] }), index().on(t.lastFailureAt)],
);

/**
 * The per-user and per-address ceilings (`user:NAME`, `ip:ADDRESS`): a leaky
 * bucket per key whose level rises by one per failed attempt and drains at
 * the ceiling per window.
 */
export const loginBuckets = pgTable(
  'login_buckets',
  {
    key: text().primaryKey(),
    level: doublePrecision().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [index().on(t.updatedAt)],
);

/**
 * API keys (server: auth/api-keys.ts): what an integrator's backend uses to
 * mint customer tokens. Only the SHA-256 of the secret is kept (the secret
 * is 256 random bits, so no slow hash is needed) and its first characters,
 * to tell keys apart. Revoking sets `revokedAt`; the row stays, so tokens it
 * minted can be refused. `mintLevel`/`mintLevelAt`: the key's leaky bucket of
 * token mints (rate limit), updated by the statement that authenticates it.
 */
export const apiKeys = pgTable('api_keys', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  prefix: text().notNull(),
  secretHash: text().notNull().unique(),
  scopes: text().array().notNull(),
  createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
  createdAt: at().notNull().defaultNow(),
  revokedAt: at(),
  mintLevel: doublePrecision().notNull().default(0),
  mintLevelAt: at(),
});

/**
 * The HMAC secrets customer tokens are signed with, shared by every server
 * process. `kid` is in each token's header: new tokens use the newest key
 * that is not retired, and a retired key's tokens are refused. The first row
 * is created on first use (server: auth/signing-keys.ts).
 */
export const tokenSigningKeys = pgTable('token_signing_keys', {
  kid: integer().primaryKey(),
  secret: text().notNull(),
  createdAt: at().notNull().defaultNow(),
  retiredAt: at(),
});

/**
 * Idempotency-Key requests (server: middleware/idempotency.ts): one row per
 * (user, key). `status` null means the first request is still being
 * processed, by whoever holds `token`, until `lockedUntil`; then the stored
 * response (`status`, `contentType`, `body`) is replayed to repeats until
 * `expiresAt`. `fingerprint` is the SHA-256 of the request body (null until a
 * streamed body has been read).
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    method: text().notNull(),
    path: text().notNull(),
    fingerprint: text(),
    token: uuid().notNull(),
    status: integer(),
    contentType: text(),
    body: text(),
    createdAt: at().notNull(),
    lockedUntil: at().notNull(),
    expiresAt: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index().on(t.expiresAt)],
);

export const scenarios = pgTable('scenarios', {
  id: text().primaryKey(),
  name: text().notNull(),
  kind: text().notNull(),
  latestVersion: integer().notNull(),
  publishedVersion: integer(),
  createdAt: at().notNull().defaultNow(),
  updatedAt: at().notNull().defaultNow(),
});

/** Immutable: every save is a new version; publishing points the scenario at one. */
export const scenarioVersions = pgTable(
  'scenario_versions',
  {
    scenarioId: text()
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    // json, not jsonb: keeps the file's key order, so an export re-imports byte for byte.
    document: json().notNull(),
    comment: text(),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: at().notNull().defaultNow(),
    publishedAt: at(),
    /** What the publisher wrote when publishing (the review step's message). */
    publishComment: text(),
  },
  (t) => [primaryKey({ columns: [t.scenarioId, t.version] })],
);

/**
 * One run of a scenario version. `runAt` non-null means "a worker should look
 * at this at or after that time" (a new event, a due timer, an effect to
 * start); a worker holds it by a lease (`leaseOwner` until `leaseUntil`).
 */
export const executions = pgTable(
  'executions',
  {
    id: uuid().primaryKey().defaultRandom(),
    scenarioId: text().notNull(),
    version: integer().notNull(),
    status: text({ enum: ['running', 'waiting', 'completed', 'failed', 'cancelled'] }).notNull(),
    input: jsonb().notNull().default({}),
    state: jsonb(),
    result: jsonb(),
    error: text(),
    parentId: uuid(),
    parentStep: integer(),
    cancelRequested: text(),
    runAt: at(),
    /** Bumped by every outside wake-up, so a worker releasing its lease never loses one that came in meanwhile. */
    wakeups: integer().notNull().default(0),
    leaseOwner: text(),
    leaseUntil: at(),
    startedBy: uuid(),
    /** The outbound task the execution's calls are attached to (inherited by children). */
    taskId: text(),
    /** The subscriber row (`table_out_call."Id"`) being served. */
    subscriberId: integer(),
    /** The operator this execution occupies, so the dialer knows who is free. */
    operator: text(),
    /** A retry: the execution it retries, and where it began again (`{ step, nodeId, vars }`). */
    retryOf: uuid(),
    retryFrom: jsonb(),
    /** The service task whose schedule started it (not set for "run now"). */
    scheduledBy: text(),
    /**
     * Set by the statement that ends it: started by a schedule, completed, and
     * changed nothing (runtime/src/sql/commit-step.ts IDLE). Hidden from lists
     * by default and pruned early.
     */
    idle: boolean().notNull().default(false),
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
    endedAt: at(),
  },
  (t) => [
    index('executions_run_at_idx').on(t.runAt).where(sql`${t.runAt} is not null`),
    index().on(t.scenarioId, t.createdAt),
    index().on(t.status, t.createdAt),
    index().on(t.parentId).where(sql`${t.parentId} is not null`),
    index('executions_busy_operator_idx').on(t.operator).where(sql`${t.operator} is not null and ${t.status} in ('running', 'waiting')`),
    index('executions_live_subscriber_idx').on(t.subscriberId).where(sql`${t.subscriberId} is not null and ${t.status} in ('running', 'waiting')`),
    index('executions_idle_idx').on(t.endedAt).where(sql`${t.idle}`),
  ],
);

/** The step trace: one row per node visit. */
export const executionSteps = pgTable(
  'execution_steps',
  {
    executionId: uuid()
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    step: integer().notNull(),
    nodeId: text().notNull(),
    nodeType: text().notNull(),
    outcome: text(),
    startedAt: at().notNull(),
    endedAt: at().notNull(),
    changed: jsonb(),
    error: text(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.step] })],
);

/**
 * An effect a step asked for, keyed by `(execution, step)`: its idempotency
 * key. `pending` until its result is recorded (`done`) or the execution is
 * cancelled. Timers wake at `wakeAt`; forms wait for an operator; external
 * effects have a `deadline` after which the runtime records a lost result.
 */
export const effects = pgTable(
  'effects',
  {
    executionId: uuid()
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    step: integer().notNull(),
    nodeId: text().notNull(),
    kind: text().notNull(),
    request: jsonb().notNull(),
    status: text({ enum: ['pending', 'done', 'cancelled'] })
      .notNull()
      .default('pending'),
    startedAt: at(),
    /** The outside world's id for it, e.g. the call id. */
    externalId: text(),
    wakeAt: at(),
    deadline: at(),
    /** For forms: the operator whose screen shows it (null: any agent). */
    assignee: text(),
    result: jsonb(),
    createdAt: at().notNull().defaultNow(),
    doneAt: at(),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.step] }),
    index('effects_pending_forms_idx').on(t.assignee).where(sql`${t.kind} = 'form' and ${t.status} = 'pending'`),
  ],
);

/**
 * Calls placed by the telephony simulator: its log survives a restart, so a key is never dialled twice.
 * `owner` is the simulator instance holding an open call (null once it ended and was delivered).
 */
export const simCalls = pgTable(
  'sim_calls',
  {
    key: text().primaryKey(),
    callId: text().notNull(),
    kind: text().notNull(),
    to: text().notNull(),
    callerId: text(),
    attempt: integer().notNull(),
    outcome: text(),
    reason: text(),
    startedAt: at().notNull(),
    answeredAt: at(),
    endedAt: at(),
    duplicateRequests: integer().notNull().default(0),
    lost: boolean().notNull().default(false),
    owner: text(),
    /** Another process asked for the call to end: its holder hangs it up at its next sweep (one PBX, several processes). */
    hangupRequested: boolean().notNull().default(false),
  },
  (t) => [index('sim_calls_owner_idx').on(t.owner).where(sql`${t.owner} is not null`)],
);

/** Simulator instances alive: each beats here; the open calls of one that stopped beating are taken over. */
export const simOwners = pgTable('sim_owners', {
  id: text().primaryKey(),
  seenAt: at().notNull(),
});

/**
 * The subscriber table of domain.md §1, with the original's columns (the
 * free Russian-named ones in English). `due_at` is kept by a trigger (see the
 * `due_at` migration): "call back in N minutes" wins over a date and time.
 */
export const tableOutCall = pgTable(
  'table_out_call',
  {
    Id: serial('Id').primaryKey(),
    tel: text().notNull(),
    firstName: text(),
    lastName: text(),
    orderId: text(),
    ownerId: text(),
    comments: text(),
    callaftermin: integer(),
    dateCallback: date({ mode: 'string' }),
    timeCallback: time(),
    operatorNumber: text(),
    /** null: new; 10: call back at the set time; 11: being served; 12: the callback succeeded. */
    status: integer(),
    dateCall: at(),
    taskId: text(),
    dueAt: at(),
    /** Why the row has its status when Tellflow set it (an execution that ended without setting one, an admin's reset). */
    statusReason: text(),
    /**
     * Which row of the subscriber file this is, so importing the file again updates instead of adding: the file's key
     * column, or `tel:<number>#<n>` (the n-th row of the file with that number).
     */
    externalKey: text(),
    /** A hash of the values the last import wrote: a row the file has not changed is left alone on the next import. */
    importHash: text(),
  },
  (t) => [
    index('table_out_call_due_idx').on(t.dueAt).where(sql`${t.status} = 10`),
    index('table_out_call_new_idx').on(t.taskId, t.Id).where(sql`${t.status} is null`),
    uniqueIndex('table_out_call_external_key_idx').on(t.taskId, t.externalKey),
    // Duplicate phone numbers on import, and the dialer's "this number is being served" check.
    index('table_out_call_task_tel_idx').on(t.taskId, t.tel),
  ],
);

/** An outbound task: which subscribers, which scenarios, which operators, when. */
export const outboundTasks = pgTable('outbound_tasks', {
  id: text().primaryKey(),
  name: text().notNull(),
  dialogScenarioId: text().notNull(),
  routingScenarioId: text().notNull(),
  operatorCallScenarioId: text().notNull(),
  /** "Allow attaching a call to the task". */
  attachCalls: boolean().notNull().default(true),
  /** "Dialog scenario behaviour after the connection breaks". */
  afterDisconnect: text({ enum: ['finish', 'stop'] })
    .notNull()
    .default('finish'),
  operators: jsonb().$type<string[]>().notNull().default([]),
  /** Calling hours in the task's time zone, e.g. { from: '09:00', to: '21:00', days: [1,2,3,4,5] } (1 = Monday). */
  hours: jsonb().$type<{ from: string; to: string; days: number[] }>().notNull(),
  timeZone: text().notNull().default('UTC'),
  state: text({ enum: ['stopped', 'running'] })
    .notNull()
    .default('stopped'),
  /** A phone number already in the task, or twice in a file: the import fails (reject), leaves it out (skip) or imports it (allow). */
  duplicatePhones: text({ enum: ['reject', 'skip', 'allow'] })
    .notNull()
    .default('reject'),
  createdAt: at().notNull().defaultNow(),
  updatedAt: at().notNull().defaultNow(),
});

/** Every call attempt made for a task, so the operator's card can show the previous calls. */
export const callHistory = pgTable(
  'call_history',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    taskId: text(),
    subscriberId: integer(),
    executionId: uuid().notNull(),
    step: integer().notNull(),
    kind: text({ enum: ['operator', 'customer'] }).notNull(),
    operator: text(),
    number: text().notNull(),
    callId: text(),
    startedAt: at().notNull(),
    outcome: text(),
    answeredAt: at(),
    endedAt: at(),
  },
  (t) => [uniqueIndex().on(t.executionId, t.step), index().on(t.taskId, t.subscriberId, t.startedAt)],
);

/** A scenario run on a schedule (cron with seconds), e.g. the callback monitor every 5 s. */
export const serviceTasks = pgTable('service_tasks', {
  id: text().primaryKey(),
  name: text().notNull(),
  scenarioId: text().notNull(),
  schedule: text().notNull(),
  timeZone: text().notNull().default('UTC'),
  enabled: boolean().notNull().default(false),
  /** skip: no new run while the previous one is still going. */
  overlap: text({ enum: ['skip', 'allow'] })
    .notNull()
    .default('skip'),
  /** Periods missed while no process ran: skip them, or run once for all of them. */
  missed: text({ enum: ['skip', 'runOnce'] })
    .notNull()
    .default('skip'),
  input: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  /** The latest period handled, so a restart knows what it missed. */
  lastPeriod: at(),
  createdAt: at().notNull().defaultNow(),
  updatedAt: at().notNull().defaultNow(),
});

/** One row per period: the unique key makes a period run at most once across processes. */
export const serviceTaskRuns = pgTable(
  'service_task_runs',
  {
    taskId: text()
      .notNull()
      .references(() => serviceTasks.id, { onDelete: 'cascade' }),
    scheduledFor: at().notNull(),
    executionId: uuid(),
    outcome: text({ enum: ['started', 'skipped', 'failed'] }).notNull(),
    reason: text(),
    createdAt: at().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.scheduledFor] })],
);

/**
 * A queue (seed 000): customers wait, agents serving it are offered them.
 * `priority`: an agent serves higher-priority queues first. An offer waits
 * `offerTimeoutSec` for the agent's answer; `consecutiveTimeoutsToDnd`
 * timeouts in a row put the agent in DND (0: never); an agent who rejected
 * or let an entry time out is not offered it again for `reofferDelaySec`.
 * After serving, the agent is in wrap-up for `wrapUpSec`. `maxWaitSec`: a
 * waiting entry times out (null: never). `ahtMs`: the smoothed handle time
 * the estimated wait is computed from.
 */
export const queues = pgTable('queues', {
  id: text().primaryKey(),
  name: text().notNull(),
  priority: integer().notNull().default(0),
  offerTimeoutSec: integer().notNull().default(20),
  maxWaitSec: integer(),
  wrapUpSec: integer().notNull().default(0),
  serviceLevelSec: integer().notNull().default(20),
  shortAbandonSec: integer().notNull().default(5),
  reofferDelaySec: integer().notNull().default(30),
  consecutiveTimeoutsToDnd: integer().notNull().default(3),
  overflowQueueId: text(),
  ahtMs: doublePrecision(),
  createdAt: at().notNull().defaultNow(),
  updatedAt: at().notNull().defaultNow(),
});

/** An agent serving a queue, with its priority there (higher first). */
export const queueMembers = pgTable(
  'queue_members',
  {
    queueId: text()
      .notNull()
      .references(() => queues.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    priority: integer().notNull().default(0),
    since: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.queueId, t.userId] }), index().on(t.userId)],
);

/**
 * A customer in a queue. `waiting` (or `offered`: proposed to one agent)
 * until `assigned` to an agent, then `served` once that ends; or it ends
 * `left` (the customer went), `timedOut` (max wait) or `cancelled`. A
 * customer is in one queue at a time (the unique index on `customer` over
 * the unfinished states). `execution` waits for it at `step` (the `queue`
 * node), if a scenario put it there.
 */
export const queueEntries = pgTable(
  'queue_entries',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    queueId: text()
      .notNull()
      .references(() => queues.id),
    customer: text().notNull(),
    name: text(),
    extra: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    priority: integer(),
    executionId: uuid(),
    step: integer(),
    callbackNumber: text(),
    state: text({ enum: ['waiting', 'offered', 'assigned', 'served', 'left', 'timedOut', 'cancelled'] }).notNull(),
    enqueuedAt: at().notNull(),
    agentId: uuid(),
    assignedAt: at(),
    endedAt: at(),
    reason: text(),
  },
  (t) => [
    uniqueIndex('queue_entries_one_queue_idx').on(t.customer).where(sql`${t.state} in ('waiting', 'offered', 'assigned')`),
    index('queue_entries_waiting_idx').on(t.queueId, t.enqueuedAt).where(sql`${t.state} in ('waiting', 'offered')`),
    index('queue_entries_assigned_idx').on(t.agentId).where(sql`${t.state} = 'assigned'`),
    index('queue_entries_execution_idx').on(t.executionId).where(sql`${t.executionId} is not null`),
    // The dispatcher reads each queue's head of waiting entries in the offer order, read apart for entries with a
    // priority of their own (few) and the others (in arrival order), so each is an index range in order.
    index('queue_entries_next_idx').on(t.queueId, t.enqueuedAt, t.id).where(sql`${t.state} = 'waiting' and ${t.priority} is null`),
    index('queue_entries_next_own_priority_idx')
      .on(t.queueId, t.priority.desc(), t.enqueuedAt, t.id)
      .where(sql`${t.state} = 'waiting' and ${t.priority} is not null`),
    // Each free agent's last served entry (how long it has been idle).
    index('queue_entries_agent_ended_idx').on(t.agentId, t.endedAt).where(sql`${t.agentId} is not null`),
  ],
);

/** A customer proposed to one agent, until accepted, rejected, timed out or cancelled. */
export const queueOffers = pgTable(
  'queue_offers',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    entryId: bigint({ mode: 'number' })
      .notNull()
      .references(() => queueEntries.id, { onDelete: 'cascade' }),
    agentId: uuid().notNull(),
    state: text({ enum: ['pending', 'accepted', 'rejected', 'timedOut', 'cancelled'] }).notNull(),
    reason: text(),
    /** How the agent was chosen (manual: the agent asked). */
    mode: text({ enum: ['auto', 'manual'] }).notNull(),
    createdAt: at().notNull(),
    expiresAt: at(),
    decidedAt: at(),
  },
  (t) => [
    // One offer at a time per agent and per entry, whatever process makes it.
    uniqueIndex('queue_offers_agent_pending_idx').on(t.agentId).where(sql`${t.state} = 'pending'`),
    uniqueIndex('queue_offers_entry_pending_idx').on(t.entryId).where(sql`${t.state} = 'pending'`),
    // Also `expires_at is not null`: a check for one agent's pending offer (state = 'pending' alone) cannot pick this index, whose
    // scan reads every pending offer, over the agent's own when the statistics are stale (after a burst of offers).
    index('queue_offers_expiry_idx').on(t.expiresAt).where(sql`${t.state} = 'pending' and ${t.expiresAt} is not null`),
    index().on(t.agentId, t.decidedAt),
    index().on(t.entryId),
  ],
);

/**
 * What happened in the queues, one row each (Asterisk's queue_log as a
 * table): joined, offered (with why this agent), accepted, rejected, timed
 * out, cancelled, abandoned, served, agent state changes.
 */
export const queueEvents = pgTable(
  'queue_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    at: at().notNull(),
    queueId: text(),
    entryId: bigint({ mode: 'number' }),
    agentId: uuid(),
    kind: text().notNull(),
    reason: text(),
    data: jsonb(),
  },
  (t) => [index().on(t.queueId, t.at), index().on(t.entryId)],
);

/**
 * Queue changes made where nothing publishes their live events — a `queue`
 * node joining or timing out in a runner, an execution's end taking its
 * entry with it (the trigger of 0013/0016, in whatever transaction ends it)
 * — recorded in the same transaction, for the dispatcher's next round to
 * publish and delete (runtime/src/queues/live.ts): the queue's status and
 * positions, and the agent told of the offer it lost (`offerId`).
 */
export const queueLiveOutbox = pgTable('queue_live_outbox', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  queueId: text().notNull(),
  offerId: bigint({ mode: 'number' }),
  agentId: uuid(),
  reason: text(),
});

/**
 * Live events (runtime/src/events): what was published to the SSE streams,
 * kept a few minutes so a reconnecting client can be sent what it missed
 * (Last-Event-ID). `audience` is `{ users?, roles?, customers? }`.
 */
export const liveEvents = pgTable(
  'live_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    at: at().notNull(),
    type: text().notNull(),
    audience: jsonb().$type<Record<string, string[]>>().notNull(),
    data: jsonb().notNull(),
  },
  (t) => [index().on(t.at)],
);

export const schema = {
  users,
  agentExtensions,
  agentPresence,
  agentHolds,
  sessions,
  loginDelays,
  loginBuckets,
  apiKeys,
  tokenSigningKeys,
  idempotencyKeys,
  scenarios,
  scenarioVersions,
  executions,
  executionSteps,
  effects,
  simCalls,
  tableOutCall,
  outboundTasks,
  callHistory,
  serviceTasks,
  serviceTaskRuns,
  queues,
  queueMembers,
  queueEntries,
  queueOffers,
  queueEvents,
  queueLiveOutbox,
  liveEvents,
};

/** Rows as the code reads them: inferred from the tables above, never written by hand. */
export type UserRow = typeof users.$inferSelect;
export type AgentPresenceRow = typeof agentPresence.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ScenarioRow = typeof scenarios.$inferSelect;
export type ScenarioVersionRow = typeof scenarioVersions.$inferSelect;
export type ExecutionRow = typeof executions.$inferSelect;
export type ExecutionStepRow = typeof executionSteps.$inferSelect;
export type EffectTableRow = typeof effects.$inferSelect;
export type SimCallRow = typeof simCalls.$inferSelect;
export type SubscriberRow = typeof tableOutCall.$inferSelect;
export type OutboundTaskRow = typeof outboundTasks.$inferSelect;
export type CallHistoryRow = typeof callHistory.$inferSelect;
export type ServiceTaskRow = typeof serviceTasks.$inferSelect;
export type ServiceTaskRunRow = typeof serviceTaskRuns.$inferSelect;
export type QueueRow = typeof queues.$inferSelect;
export type QueueEntryRow = typeof queueEntries.$inferSelect;
export type QueueOfferRow = typeof queueOffers.$inferSelect;

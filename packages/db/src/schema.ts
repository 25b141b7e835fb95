/**
 * The database schema. Keys are camelCase in TypeScript and snake_case in
 * SQL (drizzle `casing: 'snake_case'`). Migrations in /drizzle are generated
 * from this file by `npm run generate -w @tellflow/db`.
 */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, json, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const at = (name?: string) => (name ? timestamp(name, { withTimezone: true, mode: 'date' }) : timestamp({ withTimezone: true, mode: 'date' }));

export const users = pgTable('users', {
  id: uuid().primaryKey().defaultRandom(),
  username: text().notNull().unique(),
  displayName: text(),
  passwordHash: text().notNull(),
  role: text({ enum: ['admin', 'supervisor', 'agent'] }).notNull(),
  /** The number the telephony layer rings for this agent. */
  operatorNumber: text(),
  disabled: boolean().notNull().default(false),
  createdAt: at().notNull().defaultNow(),
});

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie's token: a leaked table does not leak sessions. */
    tokenHash: text().primaryKey(),
    userId: uuid().notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: at().notNull().defaultNow(),
    expiresAt: at().notNull(),
  },
  (t) => [index().on(t.userId)],
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
    scenarioId: text().notNull().references(() => scenarios.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    // json, not jsonb: keeps the file's key order, so an export re-imports byte for byte.
    document: json().notNull(),
    comment: text(),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: at().notNull().defaultNow(),
    publishedAt: at(),
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
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
    endedAt: at(),
  },
  (t) => [
    index('executions_run_at_idx').on(t.runAt).where(sql`${t.runAt} is not null`),
    index().on(t.scenarioId, t.createdAt),
    index().on(t.status, t.createdAt),
    index().on(t.parentId),
  ],
);

/** The step trace: one row per node visit. */
export const executionSteps = pgTable(
  'execution_steps',
  {
    executionId: uuid().notNull().references(() => executions.id, { onDelete: 'cascade' }),
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
    executionId: uuid().notNull().references(() => executions.id, { onDelete: 'cascade' }),
    step: integer().notNull(),
    nodeId: text().notNull(),
    kind: text().notNull(),
    request: jsonb().notNull(),
    status: text({ enum: ['pending', 'done', 'cancelled'] }).notNull().default('pending'),
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

/** Calls placed by the telephony simulator: its log survives a restart, so a key is never dialled twice. */
export const simCalls = pgTable('sim_calls', {
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
});

export const schema = { users, sessions, scenarios, scenarioVersions, executions, executionSteps, effects, simCalls };

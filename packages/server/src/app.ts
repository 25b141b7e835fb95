/**
 * The HTTP app: `createApp({ runtime, db, clock?, options })` returns a Hono
 * app that is served by @hono/node-server (boot.ts) or called directly with
 * `app.request()` in tests.
 *
 *   /api/*   safe URL → same-origin check → body limit → body read in full → session
 *            → bearer: an API key or a customer token (middleware/bearer.ts)
 *            → the local socket's read-only admin (middleware/local-admin.ts)
 *            → route groups → JSON 404
 *            (a file upload route applies its own, larger body limit while streaming;
 *            its creates and the others honour Idempotency-Key: middleware/idempotency.ts)
 *   /metrics Prometheus metrics, with a bearer token (off without one)
 *   /*       the built web app (SPA fallback)
 *   errors   one onError → `{ error, details }`
 */
import { fileURLToPath } from 'node:url';
import type { Clock } from '@tellflow/clock';
import { createScratchDatabase, type Database } from '@tellflow/db';
import type { Runtime } from '@tellflow/runtime';
import { SpareDatabase } from '@tellflow/runtime/test-run';
import { Hono, type Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { DEFAULT_HASH_GATE } from './auth/hash-gate.ts';
import { DEFAULT_SCRYPT } from './auth/password.ts';
import { CallDesk, type TelephonyControls } from './call-desk.ts';
import type { AppEnv, AppOptions, Deps, Log } from './context.ts';
import { notFound } from './errors.ts';
import type { Operation, RouteGroup } from './http/route-group.ts';
import { CustomerTokens } from './auth/customer-tokens.ts';
import { bearer } from './middleware/bearer.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { customerRoutes } from './routes/customer.ts';
import { customerTokenRoutes } from './routes/customer-tokens.ts';
import { EventStreams } from './events/streams.ts';
import { errorHandler } from './middleware/error-handler.ts';
import { IdempotencyKeys } from './middleware/idempotency.ts';
import { limitBody } from './middleware/limit-body.ts';
import { localAdmin } from './middleware/local-admin.ts';
import { safeUrl } from './middleware/safe-url.ts';
import { Forwarding } from './http/forwarded.ts';
import { sameOrigin } from './middleware/same-origin.ts';
import { session } from './middleware/session.ts';
import { settleBody } from './middleware/settle-body.ts';
import { agentRoutes } from './routes/agents.ts';
import { agentQueueRoutes } from './routes/agent-queues.ts';
import { queueRoutes } from './routes/queues.ts';
import { authRoutes } from './routes/auth.ts';
import { callRoutes } from './routes/calls.ts';
import { eventRoutes } from './routes/events.ts';
import { executionRoutes } from './routes/executions.ts';
import { formRoutes } from './routes/forms.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { nodeTypeRoutes } from './routes/node-types.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { outboundTaskRoutes } from './routes/outbound-tasks.ts';
import { queueStatsRoutes } from './routes/queue-stats.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { DEFAULT_TEST_RUN_GATE, DEFAULT_TEST_RUN_WORKERS, testRunRoutes } from './routes/test-runs.ts';
import { serviceTaskRoutes } from './routes/service-tasks.ts';
import { subscriberRoutes } from './routes/subscribers.ts';
import { userRoutes } from './routes/users.ts';
import { webRoutes } from './routes/web.ts';

export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export const DEFAULT_OPTIONS: Deps['options'] = {
  maxBodyBytes: 1024 * 1024,
  maxImportBytes: 64 * 1024 * 1024,
  sessionTtlMs: 12 * 3600_000,
  sessionIdleMs: 30 * 60_000,
  // 3 free failures, then 1 s, 2 s, 4 s … 15 min: about 16 guesses in the first hour from one address, 4 an hour after that.
  loginFreeFailures: 3,
  loginDelayBaseMs: 1000,
  loginDelayMaxMs: 15 * 60_000,
  // High, so that locking the real user out takes many addresses; call centers sit behind one NAT address, so the address's is higher.
  loginMaxFailuresPerUser: 100,
  loginMaxFailuresPerIp: 300,
  loginWindowMs: 3600_000,
  hashGate: DEFAULT_HASH_GATE,
  trustProxy: false,
  publicUrl: '',
  webDir: DEFAULT_WEB_DIR,
  scrypt: DEFAULT_SCRYPT,
  metricsToken: '',
  customerKeysRefreshMs: 5000,
  // One token per customer session: 100 at once, 10 a second after that.
  customerTokenMintBurst: 100,
  customerTokenMintsPerMinute: 600,
  eventHeartbeatMs: 15_000,
  maxEventStreamsPerViewer: 5,
  maxEventStreams: 10_000,
  testRunWorkers: DEFAULT_TEST_RUN_WORKERS,
  testRunGate: DEFAULT_TEST_RUN_GATE,
  testRunWallMs: 10_000,
  testRunWallClock: () => Date.now(),
  testRunSandbox: () => processSpare().take(),
};

/** One spare test-run database per process, made on the first test run (not by processes that never run one). */
let spare: SpareDatabase | undefined;
const processSpare = () => (spare ??= new SpareDatabase(() => createScratchDatabase()));

/** At shutdown: a spare still being made (a test run just ended) would keep the process from exiting. */
export async function closeTestRunSpare(): Promise<void> {
  const made = spare;
  spare = undefined;
  await made?.close();
}

const consoleLog: Log = (message, fields) => console.error(`[tellflow server] ${message}`, fields ?? '');

export interface CreateAppInput {
  runtime: Runtime;
  db: Database;
  /** Default: the runtime's clock. */
  clock?: Clock;
  /** The telephony simulator, for the agent page's calls (/api/calls); without it no call is listed. */
  telephony?: TelephonyControls;
  options?: AppOptions;
}

export interface App extends Hono<AppEnv> {
  /** Every documented API operation (what openapi.json lists). */
  readonly operations: readonly Operation[];
  /** The open live event streams (GET /api/events); `closeAll()` on shutdown. */
  readonly eventStreams: EventStreams;
}

export function createApp({ runtime, db, clock, telephony, options = {} }: CreateAppInput): App {
  const { log = consoleLog, ...rest } = options;
  const resolved: Deps['options'] = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
  const deps: Deps = {
    runtime,
    db,
    clock: clock ?? runtime.clock,
    calls: new CallDesk(db, telephony),
    customerTokens: new CustomerTokens(db, clock ?? runtime.clock, resolved.customerKeysRefreshMs),
    log,
    options: resolved,
    forwarding: new Forwarding(resolved),
  };
  const idempotencyKeys = new IdempotencyKeys(deps);
  const eventStreams = new EventStreams({ perViewer: deps.options.maxEventStreamsPerViewer, total: deps.options.maxEventStreams });
  const app = new Hono<AppEnv>();
  app.onError(errorHandler({ log }));
  app.use('*', secureHeaders());
  // Routes that stream a file body apply their own, larger limit ("POST /api/…/:id/subscribers").
  const ownBodyLimit = new Set<string>();
  const skipBodyLimit = (c: Context) => ownBodyLimit.size > 0 && matchedRoutes(c).some((r) => ownBodyLimit.has(`${r.method} ${r.path}`));
  app.use(
    '/api/*',
    safeUrl(),
    sameOrigin(deps.forwarding),
    limitBody({ maxBytes: deps.options.maxBodyBytes, skip: skipBodyLimit }),
    settleBody({ skip: skipBodyLimit }),
    session(deps),
    bearer(deps.customerTokens),
    localAdmin(),
    async (c, next) => {
      c.set('idempotencyKeys', idempotencyKeys);
      await next();
    },
  );

  const groups: RouteGroup[] = [
    healthRoutes(deps),
    authRoutes(deps),
    userRoutes(deps),
    apiKeyRoutes(deps),
    customerTokenRoutes(deps),
    customerRoutes(deps),
    agentRoutes(deps),
    agentQueueRoutes(deps),
    queueRoutes(deps),
    testRunRoutes(deps),
    scenarioRoutes(deps),
    nodeTypeRoutes(deps),
    executionRoutes(deps),
    formRoutes(deps),
    serviceTaskRoutes(deps),
    outboundTaskRoutes(deps),
    subscriberRoutes(deps),
    queueStatsRoutes(deps),
    callRoutes(deps),
    eventRoutes(deps, eventStreams),
  ];
  const operations: Operation[] = [];
  groups.push(openApiRoutes(deps, () => operations));
  for (const g of groups) {
    app.route(g.prefix, g.app);
    operations.push(...g.operations);
  }
  for (const op of operations) if (op.spec.rawBody) ownBodyLimit.add(`${op.method.toUpperCase()} ${op.path.replace(/\{(\w+)\}/g, ':$1')}`);
  app.all('/api/*', (c) => {
    throw notFound(`${c.req.method} ${c.req.path}`);
  });
  app.route('/metrics', metricsRoutes(deps));
  app.route('/', webRoutes({ dir: deps.options.webDir }));
  return Object.assign(app, { operations, eventStreams });
}

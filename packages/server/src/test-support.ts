/**
 * Shared setup for the server's tests: one migrated database of each kind
 * per describe block (emptied before each test), a manual clock, the
 * simulator (its call log in the database, as `tellflow serve` runs it;
 * operator calls ring until answered through /api/calls), a runtime, and
 * the app called through `app.request()` — no port is opened. Every
 * response `call` sees is checked against its operation's declared schema
 * (http/response-check.ts): a mismatch fails the test (an event stream is
 * read up to its `ready` event, or held open with `openEvents`). Four users are seeded: admin, supervisor, agent (operator
 * 101) and agent2 (operator 102).
 */
import { ManualClock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import { createTestDatabase, postgresAvailable, truncateAll, type DatabaseKind, type TestDatabase } from '@tellflow/db/testing';
import { doc } from '@tellflow/runtime/testing';
import { Runtime, SqlCallLogStore } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createApp, type App } from './app.ts';
import { hashPassword, type ScryptParams } from './auth/password.ts';
import type { AppOptions } from './context.ts';
import { assertDeclaredResponse } from './http/response-check.ts';
import { READY_EVENT, type Role } from '@tellflow/api';
import { parseMessages, type SseMessage } from './events/sse.ts';
import { insertUser } from './sql/users.ts';

export const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
export const CHEAP_SCRYPT: ScryptParams = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export type TestUser = 'admin' | 'supervisor' | 'agent' | 'agent2';
export const TEST_USERS: Record<TestUser, { role: Role; extensions: string[] }> = {
  admin: { role: 'admin', extensions: ['100'] },
  supervisor: { role: 'supervisor', extensions: ['200'] },
  agent: { role: 'agent', extensions: ['101'] },
  agent2: { role: 'agent', extensions: ['102'] },
};

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else the text. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the route answered
  body: any;
  text: string;
}

export interface CallInit {
  /** A value is sent as JSON; a string or bytes as they are. */
  body?: unknown;
  /** Sign in as this test user first (cookies are cached per test), or send this raw cookie header. */
  as?: TestUser;
  cookie?: string;
  headers?: Record<string, string>;
}

/** An open event stream, read as it arrives. */
export interface EventStreamReader {
  /** Everything read so far. */
  readonly text: string;
  messages(): SseMessage[];
  /** Reads until `done(messages, text)` holds; fails if the stream ends first. Returns the messages. */
  until(done: (messages: SseMessage[], text: string) => boolean): Promise<SseMessage[]>;
  /** Reads until the stream ends (the server closed it). */
  ended(): Promise<void>;
  /** Hangs up, as a browser leaving the page does. */
  close(): Promise<void>;
}

export function readEventStream(res: Response): EventStreamReader {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let finished = false;
  const more = async () => {
    const r = await reader.read();
    if (r.done) finished = true;
    else text += decoder.decode(r.value, { stream: true });
    return !r.done;
  };
  return {
    get text() {
      return text;
    },
    messages: () => parseMessages(text),
    async until(done) {
      while (!done(parseMessages(text), text))
        if (finished || !(await more())) throw new Error(`the event stream ended before the test's condition held:\n${text}`);
      return parseMessages(text);
    },
    async ended() {
      while (!finished && (await more()));
    },
    close: () => reader.cancel(),
  };
}

export const sawReady = (messages: SseMessage[]) => messages.some((m) => m.event === READY_EVENT);

export interface ServerHarness {
  t: TestDatabase;
  clock: ManualClock;
  sim: TelephonySimulator;
  runtime: Runtime;
  app: App;
  /** Lines the app logged. */
  logged: string[];
  userIds: Record<TestUser, string>;
  call(method: string, path: string, init?: CallInit): Promise<Reply>;
  /**
   * Opens `GET /api/events` (on `app`, default this harness's) and reads up to
   * its `ready` event; anything but a 200 fails (`call` shows refusals). What
   * was read is held to the declared schema when the stream is closed.
   */
  openEvents(init?: CallInit & { app?: App }): Promise<EventStreamReader>;
  /** Signs in and returns the `name=value` cookie. */
  cookieFor(user: TestUser): Promise<string>;
  /** Imports (and by default publishes) a scenario through the API, as admin. */
  importScenario(doc: Record<string, unknown>, publish?: boolean): Promise<Reply>;
  /** Advances the clock and lets the runtime do everything that became due. */
  advance(ms: number): Promise<void>;
}

const hasPostgres = await postgresAvailable();

export function useServer(kind: DatabaseKind, options: AppOptions = {}): { h: () => ServerHarness; skip: boolean } {
  const skip = kind === 'postgres' && !hasPostgres;
  let t: TestDatabase | undefined;
  let current: { h: ServerHarness; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (!skip) t = await createTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    if (skip) return;
    await truncateAll(t!.db);
    current = await serverHarness(t!, options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return { h: () => current!.h, skip };
}

let cheapHash: Promise<string> | undefined;

async function serverHarness(t: TestDatabase, options: AppOptions) {
  const clock = new ManualClock(T0);
  const sim = new TelephonySimulator({ clock, rules: {}, log: new SqlCallLogStore(t.db) });
  const runtime = new Runtime({ db: t.db, telephony: sim, clock, leaseMs: 5_000 });
  const logged: string[] = [];
  const app = createApp({
    runtime,
    db: t.db,
    clock,
    telephony: { simulator: sim, logInDatabase: true },
    options: { scrypt: CHEAP_SCRYPT, log: (m, f) => logged.push(`${m} ${JSON.stringify(f ?? {})}`), ...options },
  });
  cheapHash ??= hashPassword(PASSWORD, CHEAP_SCRYPT);
  const passwordHash = await cheapHash;
  const userIds = {} as Record<TestUser, string>;
  for (const [username, u] of Object.entries(TEST_USERS) as [TestUser, (typeof TEST_USERS)[TestUser]][]) {
    userIds[username] = (await insertUser(t.db, { username, passwordHash, ...u }))!.id;
  }
  const cookies = new Map<TestUser, string>();

  const call = async (method: string, path: string, init: CallInit = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = init.as ? await cookieFor(init.as) : init.cookie;
    if (cookie) headers.cookie = cookie;
    let body: BodyInit | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' || init.body instanceof Uint8Array ? (init.body as BodyInit) : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    let text: string;
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      // It stays open: what a test sees of it is the beginning, up to the ready event.
      const stream = readEventStream(res);
      await stream.until(sawReady);
      await stream.close();
      text = stream.text;
    } else text = await res.text();
    // Every response a test sees is held to its operation's declared schema.
    assertDeclaredResponse(app.operations, { method, path, status: res.status, contentType: res.headers.get('content-type'), text });
    const json = res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body: json, text };
  };

  async function cookieFor(user: TestUser): Promise<string> {
    const cached = cookies.get(user);
    if (cached) return cached;
    const r = await call('POST', '/api/auth/login', { body: { username: user, password: PASSWORD } });
    if (r.status !== 200) throw new Error(`cannot sign in as ${user}: ${r.status} ${r.text}`);
    const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
    cookies.set(user, cookie);
    return cookie;
  }

  async function openEvents(init: CallInit & { app?: App } = {}) {
    const target = init.app ?? app;
    const headers: Record<string, string> = { ...init.headers };
    const cookie = init.as ? await cookieFor(init.as) : init.cookie;
    if (cookie) headers.cookie = cookie;
    const res = await target.request('/api/events', { headers });
    if (res.status !== 200) throw new Error(`GET /api/events answered ${res.status}: ${await res.text()}`);
    const stream = readEventStream(res);
    await stream.until(sawReady);
    const check = () =>
      assertDeclaredResponse(target.operations, {
        method: 'GET',
        path: '/api/events',
        status: 200,
        contentType: res.headers.get('content-type'),
        text: stream.text,
      });
    return {
      get text() {
        return stream.text;
      },
      messages: stream.messages,
      until: stream.until,
      ended: stream.ended,
      async close() {
        await stream.close();
        check();
      },
    };
  }

  const h: ServerHarness = {
    t,
    openEvents,
    clock,
    sim,
    runtime,
    app,
    logged,
    userIds,
    call,
    cookieFor,
    importScenario: (doc, publish = true) => call('POST', `/api/scenarios${publish ? '?publish=true' : ''}`, { as: 'admin', body: doc }),
    async advance(ms) {
      await runtime.drain();
      await clock.advance(ms);
      await sim.settled();
      await runtime.drain();
    },
  };
  return {
    h,
    async close() {
      await runtime.close();
      sim.dispose();
    },
  };
}

export { doc };

/** start → wait 60 s → end: an execution that stays `waiting` until the clock moves. */
export const waitingScenario = (id = 'waiter') =>
  doc(
    id,
    [
      { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number' }] } },
      { id: 'pause', type: 'wait', params: { seconds: 60 } },
      { id: 'end', type: 'end', params: { result: { var: 'n' } } },
    ],
    [
      ['start:next', 'pause'],
      ['pause:next', 'end'],
    ],
  );

/** start → form for operator 101 (null: for anyone) → end with the submitted value. */
export const formScenario = (id = 'survey', operator: string | null = '101') =>
  doc(
    id,
    [
      { id: 'start', type: 'start' },
      {
        id: 'ask',
        type: 'showForm',
        params: {
          title: 'Survey',
          ...(operator ? { operator } : {}),
          fields: [
            { name: 'score', label: 'Score', type: 'number', required: true },
            { name: 'when', label: 'Call back on', type: 'date' },
          ],
        },
      },
      { id: 'end', type: 'end', params: { result: { var: 'score' } } },
    ],
    [
      ['start:next', 'ask'],
      ['ask:submitted', 'end'],
    ],
  );

/** A database that must not be used: for tests of what needs no data (the OpenAPI document, static files). */
export const unusedDatabase: Database = {
  kind: 'pglite',
  query: () => Promise.reject(new Error('this test must not query the database')),
  transaction: () => Promise.reject(new Error('this test must not query the database')),
  listen: () => Promise.reject(new Error('this test must not listen')),
  notify: () => Promise.reject(new Error('this test must not notify')),
  close: async () => {},
};

/** An app over `unusedDatabase`. */
export function appWithoutDatabase(options: AppOptions = {}): { app: App; close(): Promise<void> } {
  const clock = new ManualClock(T0);
  const sim = new TelephonySimulator({ clock, rules: {} });
  const runtime = new Runtime({ db: unusedDatabase, telephony: sim, clock });
  const app = createApp({ runtime, db: unusedDatabase, clock, options: { log: () => {}, ...options } });
  return {
    app,
    async close() {
      await runtime.close();
      sim.dispose();
    },
  };
}

import type { AddressInfo } from 'node:net';
import { createDatabase } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { Runtime } from '@tellflow/runtime';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { closeServer, listen } from '../boot.ts';
import { parseMessages } from '../events/sse.ts';
import { MAX_BACKLOG } from './events.ts';
import { CHEAP_SCRYPT, readEventStream, sawReady, useServer, type ServerHarness } from '../test-support.ts';

/** Another server process on the same database: its own runtime (and its own connections, on PostgreSQL). */
async function secondProcess(h: ServerHarness) {
  const db = h.t.url ? await createDatabase({ url: h.t.url, max: 3 }) : h.t.db;
  const runtime = new Runtime({ db, telephony: h.sim, clock: h.clock });
  const app = createApp({ runtime, db, clock: h.clock, options: { scrypt: CHEAP_SCRYPT, log: () => {} } });
  return {
    app,
    runtime,
    async close() {
      await runtime.close();
      if (db !== h.t.db) await db.close();
    },
  };
}

const typesOf = (messages: { event?: string }[]) => messages.filter((m) => m.event).map((m) => m.event);

describe.each(DATABASE_KINDS)('GET /api/events on %s', (kind) => {
  const { h, skip } = useServer(kind);
  const publish = (type: string, audience: Parameters<ServerHarness['runtime']['events']['publish']>[1]['audience'], data: unknown = {}) =>
    h().runtime.events.publish(h().t.db, { type, audience, data: data as never });

  it.skipIf(skip)('an event published by one process reaches the streams on another, each viewer only what its audience includes', async () => {
    const other = await secondProcess(h());
    try {
      const agent = await h().openEvents({ as: 'agent', app: other.app });
      const agent2 = await h().openEvents({ as: 'agent2', app: other.app });
      const supervisor = await h().openEvents({ as: 'supervisor', app: other.app });
      const { agent: agentId, agent2: agent2Id } = h().userIds;

      const offer = await publish('offer.made', { users: [agentId] }, { entry: 7, customer: 'Ann' });
      await publish('offer.made', { users: [agent2Id] }, { entry: 8 });
      const status = await publish('queue.status', { roles: ['supervisor', 'admin'] }, { waiting: 2 });
      const last = await publish('everyone', { roles: ['agent', 'supervisor'] });

      const upTo = (id: string) => (ms: { id?: string }[]) => ms.some((m) => m.id === id);
      const seenByAgent = (await agent.until(upTo(last))).filter((m) => m.id);
      expect(seenByAgent).toEqual([
        { id: offer, event: 'offer.made', data: JSON.stringify({ entry: 7, customer: 'Ann' }) },
        { id: last, event: 'everyone', data: '{}' },
      ]);
      expect(typesOf(await agent2.until(upTo(last)))).toEqual(['ready', 'offer.made', 'everyone']);
      expect((await agent2.until(upTo(last))).find((m) => m.event === 'offer.made')!.data).toBe('{"entry":8}');
      const seenBySupervisor = await supervisor.until(upTo(last));
      expect(typesOf(seenBySupervisor)).toEqual(['ready', 'queue.status', 'everyone']);
      expect(seenBySupervisor.find((m) => m.event === 'queue.status')!.id).toBe(status);
      for (const s of [agent, agent2, supervisor]) await s.close();
    } finally {
      await other.close();
    }
  });

  it.skipIf(skip)('sends the retry hint and the current state from every snapshot provider first, on every connect', async () => {
    h().runtime.events.registerSnapshot('pending offer', async (viewer) =>
      viewer.kind === 'user' && viewer.id === h().userIds.agent ? [{ type: 'offer.made', data: { entry: 7 } }] : [],
    );
    h().runtime.events.registerSnapshot('greeting', async (viewer) => [{ type: 'hello', data: viewer.kind === 'user' ? viewer.role : null }]);
    for (let connect = 0; connect < 2; connect++) {
      const r = await h().call('GET', '/api/events', { as: 'agent' });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(parseMessages(r.text)).toEqual([
        { retry: 3000 },
        { event: 'offer.made', data: '{"entry":7}' },
        { event: 'hello', data: '"agent"' },
        { event: 'ready', data: '{}' },
      ]);
    }
    const other = parseMessages((await h().call('GET', '/api/events', { as: 'agent2' })).text);
    expect(other.map((m) => m.event)).toEqual([undefined, 'hello', 'ready']);
  });

  it.skipIf(skip)('with Last-Event-ID, replays the missed events of this viewer after the snapshot, none twice', async () => {
    const { agent, agent2 } = h().userIds;
    const first = await publish('one', { users: [agent] }, 1);
    const second = await publish('two', { users: [agent] }, 2);
    await publish('not-mine', { users: [agent2] }, 3);
    // Published while the stream is being set up: both in the replay and announced live, it must still come once.
    let during = '';
    h().runtime.events.registerSnapshot('state', async () => {
      during ||= await publish('during', { users: [agent] }, 4);
      return [{ type: 'state', data: 'now' }];
    });
    const stream = await h().openEvents({ as: 'agent', headers: { 'Last-Event-ID': first } });
    const after = await publish('after', { roles: ['agent'] }, 5);
    const messages = await stream.until((ms) => ms.some((m) => m.id === after));
    expect(messages.map((m) => [m.event, m.id])).toEqual([
      [undefined, undefined],
      ['state', undefined],
      ['two', second],
      ['during', during],
      ['ready', during],
      ['after', after],
    ]);
    await stream.close();
  });

  it.skipIf(skip)('the ready event carries the newest id, so a client that had no event yet resumes from there', async () => {
    const before = await publish('old', { users: [h().userIds.agent2] });
    const messages = parseMessages((await h().call('GET', '/api/events', { as: 'agent' })).text);
    expect(messages.at(-1)).toEqual({ event: 'ready', id: before, data: '{}' });
  });

  it.skipIf(skip)('a Last-Event-ID that is not an event id is a 400 naming the header', async () => {
    const r = await h().call('GET', '/api/events', { as: 'agent', headers: { 'Last-Event-ID': 'abc' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: expect.stringContaining('Last-Event-ID'), details: { header: 'Last-Event-ID' } });
  });

  it.skipIf(skip)('sends a heartbeat comment every 15 s, and ends the stream once the session is gone', async () => {
    const cookie = await h().cookieFor('agent');
    const stream = await h().openEvents({ cookie });
    await h().clock.advance(15_000);
    await stream.until((_ms, text) => text.includes(': heartbeat\n\n'));
    await h().call('POST', '/api/auth/logout', { cookie });
    await h().clock.advance(15_000);
    await stream.ended();
    expect(stream.text.match(/: heartbeat/g)).toHaveLength(2);
    expect((await h().call('GET', '/api/events', { cookie })).status).toBe(401);
    await stream.close();
  });

  it.skipIf(skip)('keeps at most 5 streams per user: the 6th is a 429 until one closes', async () => {
    const open = [];
    for (let i = 0; i < 5; i++) open.push(await h().openEvents({ as: 'agent' }));
    const refused = await h().call('GET', '/api/events', { as: 'agent' });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: expect.stringContaining('5 event streams open'), details: { maxPerViewer: 5 } });
    expect((await h().call('GET', '/api/events', { as: 'agent2' })).status).toBe(200);
    await open.pop()!.close();
    const again = await h().openEvents({ as: 'agent' });
    expect(h().app.eventStreams.size).toBe(5);
    for (const s of [...open, again]) await s.close();
    expect(h().app.eventStreams.size).toBe(0);
  });

  it.skipIf(skip)('drops a client that falls more than MAX_BACKLOG messages behind (it reconnects to a fresh snapshot)', async () => {
    const stream = await h().openEvents({ as: 'agent' });
    const audience = { users: [h().userIds.agent] };
    // A second subscriber, after the stream's: once it has had every event, so has the stream (nothing is read meanwhile, as with a stalled client).
    let delivered = 0;
    let allDelivered = () => {};
    const done = new Promise<void>((resolve) => {
      allDelivered = resolve;
    });
    await h().runtime.events.subscribe({
      viewer: { kind: 'user', id: h().userIds.agent, role: 'agent' },
      deliver: () => {
        if (++delivered === MAX_BACKLOG + 10) allDelivered();
      },
      closed: () => {},
    });
    const ids = await h().t.db.transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < MAX_BACKLOG + 10; i++) out.push(await h().runtime.events.publish(tx, { type: 'flood', audience, data: i }));
      return out;
    });
    await done;
    await stream.ended();
    const flood = stream.messages().filter((m) => m.event === 'flood');
    expect(flood.length).toBeGreaterThanOrEqual(MAX_BACKLOG);
    expect(flood.length).toBeLessThan(ids.length);
    expect(flood.map((m) => m.id)).toEqual(ids.slice(0, flood.length));
    expect(h().logged.some((l) => l.startsWith('an event stream fell too far behind'))).toBe(true);
    expect(h().app.eventStreams.size).toBe(0);
  });

  it.skipIf(skip)('on shutdown every stream ends and new ones are refused with 503', async () => {
    const a = await h().openEvents({ as: 'agent' });
    const b = await h().openEvents({ as: 'supervisor' });
    h().app.eventStreams.closeAll();
    await a.ended();
    await b.ended();
    expect(h().app.eventStreams.size).toBe(0);
    const r = await h().call('GET', '/api/events', { as: 'agent' });
    expect([r.status, r.headers.get('retry-after')]).toEqual([503, '3']);
  });

  it.skipIf(skip)("closing the runtime's live events ends the streams too", async () => {
    const a = await h().openEvents({ as: 'agent' });
    await h().runtime.events.close();
    await a.ended();
    expect(h().app.eventStreams.size).toBe(0);
  });

  it.skipIf(skip)('over real HTTP, a stream outlives the request timeouts and ends when the server shuts down', async () => {
    const server = await listen(h().app, 0, '127.0.0.1', { headersTimeoutMs: 50, requestTimeoutMs: 100 });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
    const res = await fetch(url, { headers: { cookie: await h().cookieFor('agent') } });
    expect(res.status).toBe(200);
    const stream = readEventStream(res);
    await stream.until(sawReady);
    // Several times the request timeout, with Node checking it every 12 ms.
    await new Promise((r) => setTimeout(r, 500));
    const id = await publish('late', { users: [h().userIds.agent] });
    await stream.until((ms) => ms.some((m) => m.id === id));
    const closed = closeServer(server, () => h().app.eventStreams.closeAll());
    await stream.ended();
    await closed;
    expect(server.listening).toBe(false);
  });
});

describe.each(DATABASE_KINDS)('GET /api/events with a process-wide limit on %s', (kind) => {
  const { h, skip } = useServer(kind, { maxEventStreams: 2 });

  it.skipIf(skip)('refuses a stream beyond the limit with 503 and Retry-After', async () => {
    const a = await h().openEvents({ as: 'agent' });
    const b = await h().openEvents({ as: 'agent2' });
    const r = await h().call('GET', '/api/events', { as: 'supervisor' });
    expect([r.status, r.headers.get('retry-after'), r.body.details]).toEqual([503, '10', { maxStreams: 2 }]);
    await a.close();
    await b.close();
    expect((await h().call('GET', '/api/events', { as: 'supervisor' })).status).toBe(200);
  });
});

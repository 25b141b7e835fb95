import { joinQueue, serveEntry } from '@tellflow/runtime';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { T0, useServer } from '../test-support.ts';

describe.each(DATABASE_KINDS)('GET /api/queues/:id/stats on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('gives the figures now and over the window asked (default 15 minutes)', async () => {
    const { runtime, t, userIds } = h();
    await runtime.queues.create({ id: 'sales', wrapUpSec: 5 });
    await runtime.agents.setPresence(userIds.agent, 'available');
    await runtime.queues.startService(userIds.agent, 'sales');
    const entry = await joinQueue(t.db, { queueId: 'sales', customer: 'alice' }, h().clock.now());
    await h().advance(4_000);
    await runtime.dispatcher.round();
    await runtime.dispatcher.accept(userIds.agent); // answered after 4 s
    await h().advance(120_000);
    await serveEntry(t.db, entry, h().clock.now()); // 120 s + 5 s wrap-up
    await joinQueue(t.db, { queueId: 'sales', customer: 'bob' }, h().clock.now());
    await h().advance(30_000);

    const all = await h().call('GET', '/api/queues/sales/stats', { as: 'supervisor' });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      queueId: 'sales',
      at: new Date(T0 + 154_000).toISOString(),
      serviceLevelSec: 20,
      shortAbandonSec: 5,
      // bob waits 30 s; the agent is in wrap-up until 129 s, then free.
      now: { waiting: 1, longestWaitSec: 30, agentsServing: 1, agentsFree: 1, agentsBusy: 0, averageHandleTimeSec: 125, estimatedWaitSec: 250 },
      window: {
        seconds: 900,
        joined: 2,
        answered: 1,
        answeredWithinServiceLevel: 1,
        served: 1,
        averageSpeedOfAnswerSec: 4,
        averageHandleTimeSec: 125,
        serviceLevel: 1,
      },
    });
    // The last minute, (94 s, 154 s]: bob joined, alice was served; nobody answered.
    const minute = await h().call('GET', '/api/queues/sales/stats?window=60s', { as: 'admin' });
    expect(minute.body.window).toMatchObject({
      from: new Date(T0 + 94_000).toISOString(),
      seconds: 60,
      joined: 1,
      answered: 0,
      served: 1,
      averageHandleTimeSec: 125,
      serviceLevel: null,
    });
    expect((await h().call('GET', '/api/queues/sales/stats?window=24h', { as: 'admin' })).body.window.seconds).toBe(86_400);
  });

  it.skipIf(skip)('a bad window is a 400 naming it; an unknown queue is a 404', async () => {
    await h().runtime.queues.create({ id: 'sales' });
    for (const window of ['15', 'm', '0m', '1.5h', '25h', '1441m', '2d']) {
      const r = await h().call('GET', `/api/queues/sales/stats?window=${window}`, { as: 'admin' });
      expect(r.status, window).toBe(400);
      expect(r.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['window']);
    }
    const ghost = await h().call('GET', '/api/queues/ghost/stats', { as: 'admin' });
    expect(ghost.status).toBe(404);
    expect(ghost.body.error).toBe('queue "ghost" not found');
  });
});

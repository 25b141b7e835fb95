import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { SqlCallLogStore } from './sim-call-log.ts';
import { useHarness, T0 } from './test-support.ts';

describe.each(DATABASE_KINDS)('simulator call log on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  it.skipIf(skip)('reserves a key once, counts repeats, numbers attempts per destination', async () => {
    const store = new SqlCallLogStore(h().t.db);
    const a = await store.reserve({ key: 'x:1', callId: 'c1', kind: 'customer', to: '+7001', startedAt: T0 });
    const again = await store.reserve({ key: 'x:1', callId: 'c9', kind: 'customer', to: '+7001', startedAt: T0 + 5 });
    const b = await store.reserve({ key: 'x:2', callId: 'c2', kind: 'customer', to: '+7001', startedAt: T0 + 10 });
    expect(a).toMatchObject({ placed: true, entry: { callId: 'c1', attempt: 1, duplicateRequests: 0 } });
    expect(again).toMatchObject({ placed: false, entry: { callId: 'c1', attempt: 1, duplicateRequests: 1 } });
    expect(b.entry.attempt).toBe(2);
    await store.update('x:1', { outcome: 'busy', endedAt: T0 + 1000 });
    expect(await store.get('x:1')).toMatchObject({ outcome: 'busy', endedAt: T0 + 1000, startedAt: T0 });
    expect((await store.list()).map((e) => e.key)).toEqual(['x:1', 'x:2']);
    await expect(store.update('nope', { outcome: 'busy' })).rejects.toThrow('no entry');
  });

  it.skipIf(skip)('writes many patches in one statement, only to the calls the writer still holds', async () => {
    const store = new SqlCallLogStore(h().t.db);
    for (const [key, owner] of [
      ['x:1', 'a'],
      ['x:2', 'a'],
      ['x:3', 'b'],
    ] as const) {
      await store.reserve({ key, callId: `c-${key}`, kind: 'customer', to: key, startedAt: T0, owner });
    }
    await store.updateMany('a', [
      { key: 'x:1', patch: { outcome: 'answered', answeredAt: T0 + 5 } },
      { key: 'x:2', patch: { outcome: 'failed', reason: 'lost', lost: true, endedAt: T0 + 9, closed: true } },
      { key: 'x:3', patch: { outcome: 'busy' } }, // b's: not a's to write
    ]);
    const byKey = new Map((await store.list()).map((e) => [e.key, e]));
    expect(byKey.get('x:1')).toMatchObject({ outcome: 'answered', answeredAt: T0 + 5, owner: 'a' });
    expect(byKey.get('x:2')).toMatchObject({ outcome: 'failed', reason: 'lost', lost: true, endedAt: T0 + 9 });
    expect(byKey.get('x:2')?.owner).toBeUndefined();
    expect(byKey.get('x:3')?.outcome).toBeUndefined();
  });

  it.skipIf(skip)('hands the open calls of an instance that stopped beating to one taker each', async () => {
    const store = new SqlCallLogStore(h().t.db);
    for (let i = 0; i < 10; i++) await store.reserve({ key: `d:${i}`, callId: `c${i}`, kind: 'customer', to: `+${i}`, startedAt: T0 + i, owner: 'dead' });
    await store.reserve({ key: 'l:1', callId: 'cl', kind: 'customer', to: '+live', startedAt: T0, owner: 'live' });
    await store.beat('dead', T0);
    for (const alive of ['live', 'b', 'c']) await store.beat(alive, T0 + 10_000);
    expect(await store.takeOver('b', T0 + 1, { limit: 10, key: 'l:1' })).toEqual([]); // live beats: its call stays its own
    const [b, c] = await Promise.all([store.takeOver('b', T0 + 1, { limit: 6 }), store.takeOver('c', T0 + 1, { limit: 6 })]);
    const taken = [...b, ...c].map((e) => e.key).sort();
    expect(taken).toEqual([...Array(10).keys()].map((i) => `d:${i}`).sort());
    expect(new Set(taken).size).toBe(10);
    await store.retire('live');
    expect((await store.takeOver('b', T0 + 1, { limit: 10 })).map((e) => [e.key, e.owner])).toEqual([['l:1', 'b']]);
  });
});

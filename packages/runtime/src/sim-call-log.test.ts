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
});

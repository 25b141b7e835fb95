import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { doc, useHarness, type Harness } from './test-support.ts';

describe.each(DATABASE_KINDS)('scenario store on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });
  const flow = (name: string) => ({
    ...doc(
      'flow',
      [
        { id: 'start', type: 'start' },
        { id: 'end', type: 'end' },
      ],
      [['start:next', 'end']],
    ),
    name,
  });

  it.skipIf(skip)('saves on top of the version an edit started from, and refuses to when another came first', async () => {
    const store = h.runtime.scenarios;
    await expect(store.save(flow('new'), { baseVersion: 1 })).rejects.toThrow('scenario "flow" does not exist yet, so there is no version 1 to build on');
    expect(await store.list()).toEqual([]);
    expect((await store.save(flow('one'))).version.version).toBe(1);
    expect((await store.save(flow('two'), { baseVersion: 1 })).version.version).toBe(2);
    await expect(store.save(flow('stale'), { baseVersion: 1 })).rejects.toMatchObject({ status: 409 });
    expect((await store.version('flow')).document.name).toBe('two');
  });
});

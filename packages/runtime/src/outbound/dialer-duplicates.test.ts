/** A task that allows duplicate phone numbers still never dials one number twice at once. */
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { installBundled } from '../bundled.ts';
import { importSubscribers } from '../subscribers/import.ts';
import { useHarness, type Harness } from '../test-support.ts';
import { Dialer } from './dialer.ts';

describe.each(DATABASE_KINDS)('dialer and duplicate numbers on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;

  beforeEach(async () => {
    if (skip) return;
    h = current();
    await installBundled(h.runtime);
    await h.runtime.outboundTasks.create({ id: 'spring', operators: ['101', '102', '103'], duplicatePhones: 'allow' });
    await h.runtime.outboundTasks.setState('spring', 'running');
  });

  const serving = async () =>
    (await h.t.db.query<{ tel: string; status: number | null }>('select tel, status from table_out_call order by "Id"')).rows.map(
      (r) => `${r.tel}:${r.status ?? 'new'}`,
    );

  it.skipIf(skip)('skips a new row whose number is being served in the task, and dials it once that call is over', async () => {
    expect(await importSubscribers(h.t.db, { taskId: 'spring', source: 'tel\n79001\n79001\n79002\n' })).toMatchObject({ added: 3 });
    const dialer = new Dialer(h.t.db, h.runtime.scenarios);
    // Three free operators, but only two numbers may be called now.
    expect(await dialer.tick(h.clock.now())).toBe(2);
    expect(await serving()).toEqual(['79001:11', '79001:new', '79002:11']);
    // Another tick (or process) does not either.
    await h.t.db.query(`update executions set status = 'completed' where input->>'operator' <> '101'`);
    expect(await dialer.tick(h.clock.now())).toBe(0);

    await h.t.db.query(`update table_out_call set status = 12 where "Id" = (select min("Id") from table_out_call)`);
    await h.t.db.query(`update executions set status = 'completed'`);
    expect(await dialer.tick(h.clock.now())).toBe(1);
    // 79002's execution ended above without setting a status: its row went back to 10 (the release trigger).
    expect(await serving()).toEqual(['79001:12', '79001:11', '79002:10']);
  });
});

import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { RuntimeError } from '../errors.ts';
import { T0, useHarness, type Harness } from '../test-support.ts';
import { importSubscribers } from './import.ts';
import type { SubscriberStore } from './store.ts';

describe.each(DATABASE_KINDS)('subscriber list and reset on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  let store: SubscriberStore;

  beforeEach(async () => {
    if (skip) return;
    h = current();
    store = h.runtime.stores.subscribers;
    await h.runtime.outboundTasks.create({ id: 'spring', operators: ['101'], timeZone: 'Europe/Moscow' });
    await h.runtime.outboundTasks.create({ id: 'autumn', operators: ['201'] });
    const csv = [
      'tel,first_name,status,operator_number,date_callback,time_callback,callaftermin,date_call',
      '79001,Ann,,,,,,', // new
      '79002,Bob,10,101,2026-11-23,10:00,,', // due 07:00Z
      '79003,Cid,10,101,2026-11-22,12:00,,', // due 09:00Z
      '79004,Dan,12,101,,,,2026-11-20 10:00',
      '79005,Eve,10,101,,,30,2026-11-22T09:00:00Z', // due 09:30Z
      '79006,Fay,,,,,,',
    ].join('\n');
    await importSubscribers(h.t.db, { taskId: 'spring', source: csv });
    await importSubscribers(h.t.db, { taskId: 'autumn', source: 'tel\n79100\n' });
  });

  const ids = async (tels: string[]) =>
    (await h.t.db.query<{ Id: number }>('select "Id" from table_out_call where tel = any($1::text[]) order by "Id"', [tels])).rows.map((r) => r.Id);
  const rejection = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RuntimeError);
    return e as RuntimeError;
  };

  it.skipIf(skip)('lists by due time, then Id, rows without a due time last; filters by task, status and due time', async () => {
    const all = await store.list({ task: 'spring' });
    expect(all.subscribers.map((s) => s.tel)).toEqual(['79003', '79005', '79002', '79001', '79004', '79006']);
    expect(all).toMatchObject({ total: 6, nextCursor: null });
    expect(all.subscribers[0]).toEqual({
      id: expect.any(Number),
      taskId: 'spring',
      tel: '79003',
      firstName: 'Cid',
      lastName: null,
      orderId: null,
      ownerId: null,
      comments: null,
      callaftermin: null,
      dateCallback: '2026-11-22',
      timeCallback: '12:00:00',
      operatorNumber: '101',
      status: 10,
      statusReason: null,
      dateCall: null,
      dueAt: new Date('2026-11-22T09:00:00Z'),
      externalKey: 'tel:79003#1',
    });
    expect((await store.list({ status: 'new' })).subscribers.map((s) => s.tel)).toEqual(['79001', '79006', '79100']);
    expect((await store.list({ task: 'spring', status: '12' })).subscribers.map((s) => s.tel)).toEqual(['79004']);
    const due = await store.list({ task: 'spring', dueBefore: '2026-11-22T12:40:00+03:00' });
    expect([due.total, due.subscribers.map((s) => s.tel)]).toEqual([2, ['79003', '79005']]);
    expect((await rejection(store.list({ task: 'winter' }))).status).toBe(404);
    expect((await rejection(store.list({ status: 'done' }))).status).toBe(400);
  });

  it.skipIf(skip)('pages with a cursor through equal due times and rows without one', async () => {
    // Two rows due at the same microsecond: the Id decides.
    await h.t.db.query(`update table_out_call set date_callback = '2026-11-22', time_callback = '12:00:00.123456' where tel in ('79003', '79005')`);
    await h.t.db.query(`update table_out_call set callaftermin = null where tel = '79005'`);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await store.list({ task: 'spring', limit: 2, ...(cursor ? { cursor } : {}) });
      expect(r.total).toBe(6);
      seen.push(...r.subscribers.map((s) => s.tel));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    expect(seen).toEqual(['79003', '79005', '79002', '79001', '79004', '79006']);
    const bad = await rejection(store.list({ cursor: 'nonsense' }));
    expect([bad.status, bad.message]).toEqual([400, 'cursor is not one this list returned (pass nextCursor as it came)']);
  });

  it.skipIf(skip)('resets rows to new (no operator) or to a callback due at a time, with the reason', async () => {
    const [bob, dan] = await ids(['79002', '79004']);
    await h.t.db.query(`update table_out_call set status = 11 where "Id" = $1`, [bob]);
    expect(await store.reset({ ids: [bob, dan], to: 'new' }, 'admin')).toEqual({ reset: 2, ids: [bob, dan] });
    const rows = await store.list({ task: 'spring', status: 'new' });
    expect(rows.subscribers.filter((s) => s.id === bob || s.id === dan).map((s) => [s.tel, s.status, s.operatorNumber, s.statusReason, s.dueAt])).toEqual([
      ['79002', null, null, 'reset by admin', null],
      ['79004', null, null, 'reset by admin', null],
    ]);

    // A callback for every done row of the task, due at a time (kept exactly), or now by default.
    await h.t.db.query(`update table_out_call set status = 12, operator_number = '101' where tel in ('79001', '79006')`);
    const at = new Date('2026-11-25T06:30:00Z');
    expect(await store.reset({ task: 'spring', status: [12], to: 'callback', dueAt: at }, 'boss')).toMatchObject({ reset: 2 });
    const due = await store.list({ task: 'spring', status: 10, dueBefore: '2026-11-26T00:00:00Z' });
    const called = due.subscribers.filter((s) => s.tel === '79001' || s.tel === '79006');
    expect(called.map((s) => [s.tel, s.dueAt, s.statusReason, s.timeCallback])).toEqual([
      ['79001', at, 'reset by boss', '09:30:00'],
      ['79006', at, 'reset by boss', '09:30:00'],
    ]);
    await store.reset({ ids: [bob], to: 'new' }, 'admin');
    await h.t.db.query(`update table_out_call set operator_number = '101' where "Id" = $1`, [bob]);
    await store.reset({ ids: [bob], to: 'callback' }, 'admin');
    expect((await store.list({ task: 'spring', status: 10 })).subscribers.find((s) => s.id === bob)?.dueAt).toEqual(new Date(T0));
  });

  it.skipIf(skip)(
    'refuses rows served by a live execution (409 naming them), unknown rows or tasks, and callbacks without an operator: nothing changes',
    async () => {
      const [ann, bob] = await ids(['79001', '79002']);
      const execution = randomUUID();
      await h.t.db.query(
        `insert into executions (id, scenario_id, version, status, subscriber_id, task_id) values ($1, 'operator-call', 1, 'waiting', $2, 'spring')`,
        [execution, bob],
      );
      await h.t.db.query(`update table_out_call set status = 11 where "Id" = $1`, [bob]);
      const before = (await h.t.db.query('select * from table_out_call order by "Id"')).rows;

      let e = await rejection(store.reset({ ids: [ann, bob], to: 'new' }, 'admin'));
      expect([e.status, e.message, e.details]).toEqual([
        409,
        `subscriber ${bob} is being served by a live execution (cancel it first); nothing was reset`,
        { subscribers: [{ id: bob, executionId: execution }] },
      ]);
      e = await rejection(store.reset({ task: 'spring', status: ['new', 11], to: 'new' }, 'admin'));
      expect(e.status).toBe(409);
      e = await rejection(store.reset({ ids: [ann, 999999], to: 'new' }, 'admin'));
      expect([e.status, e.message]).toEqual([404, 'subscriber 999999 not found']);
      e = await rejection(store.reset({ task: 'winter', to: 'new' }, 'admin'));
      expect([e.status, e.message]).toEqual([404, 'outbound task "winter" not found']);
      e = await rejection(store.reset({ ids: [ann], to: 'callback' }, 'admin'));
      expect([e.status, e.message]).toEqual([
        409,
        `subscriber ${ann} has no operator_number: a callback needs the operator who makes it (reset to new instead); nothing was reset`,
      ]);
      e = await rejection(store.reset({ task: 'spring', to: 'new', dueAt: new Date() }, 'admin'));
      expect(e.status).toBe(400);
      e = await rejection(store.reset({ ids: [ann], task: 'spring', to: 'new' }, 'admin'));
      expect(e.details).toEqual({ issues: [{ severity: 'error', path: 'ids', message: 'give either ids or task' }] });
      expect((await h.t.db.query('select * from table_out_call order by "Id"')).rows).toEqual(before);

      // Once the execution has ended, the stuck row can be reset.
      await h.t.db.query(`update executions set status = 'cancelled' where id = $1`, [execution]);
      expect(await store.reset({ ids: [bob], to: 'new' }, 'admin')).toEqual({ reset: 1, ids: [bob] });
    },
  );
});

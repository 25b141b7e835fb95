import { randomUUID } from 'node:crypto';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { importSubscribers } from '@tellflow/runtime';
import { describe, expect, it } from 'vitest';
import { useServer } from '../test-support.ts';

describe.each(DATABASE_KINDS)('subscribers API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  async function withRows() {
    await h().runtime.outboundTasks.create({ id: 'spring', operators: ['101'], timeZone: 'Europe/Moscow' });
    const csv = [
      'tel,first_name,status,operator_number,callaftermin,date_call',
      '79001,Ann,,,,',
      '79002,Bob,10,101,30,2026-11-22T10:00:00Z',
      '79003,Cid,10,101,15,2026-11-22T10:00:00Z',
      '79004,Dan,12,101,,',
    ].join('\n');
    await importSubscribers(h().t.db, { taskId: 'spring', source: csv });
    const { rows } = await h().t.db.query<{ Id: number; tel: string }>('select "Id", tel from table_out_call order by "Id"');
    return Object.fromEntries(rows.map((r) => [r.tel, r.Id]));
  }

  it.skipIf(skip)('lists by due time with filters and pages; bad filters are a 400 naming the field', async () => {
    await withRows();
    const all = await h().call('GET', '/api/subscribers?task=spring', { as: 'supervisor' });
    expect(all.status).toBe(200);
    expect(all.body.subscribers.map((s: { tel: string }) => s.tel)).toEqual(['79003', '79002', '79001', '79004']);
    expect(all.body.subscribers[0]).toMatchObject({ tel: '79003', status: 10, dueAt: '2026-11-22T10:15:00.000Z', statusReason: null, operatorNumber: '101' });

    const due = await h().call('GET', '/api/subscribers?task=spring&status=10&dueBefore=2026-11-22T10:20:00Z', { as: 'admin' });
    expect([due.body.total, due.body.subscribers.map((s: { tel: string }) => s.tel)]).toEqual([1, ['79003']]);
    const fresh = await h().call('GET', '/api/subscribers?status=new', { as: 'admin' });
    expect(fresh.body.subscribers.map((s: { tel: string }) => s.tel)).toEqual(['79001']);

    const first = await h().call('GET', '/api/subscribers?limit=3', { as: 'admin' });
    expect([first.body.subscribers.length, first.body.total, typeof first.body.nextCursor]).toEqual([3, 4, 'string']);
    const rest = await h().call('GET', `/api/subscribers?limit=3&cursor=${first.body.nextCursor}`, { as: 'admin' });
    expect([rest.body.subscribers.map((s: { tel: string }) => s.tel), rest.body.nextCursor]).toEqual([['79004'], null]);

    for (const [query, path] of [
      ['status=done', 'status'],
      ['dueBefore=tomorrow', 'dueBefore'],
      ['limit=0', 'limit'],
      ['cursor=xyz', 'cursor'],
    ]) {
      const r = await h().call('GET', `/api/subscribers?${query}`, { as: 'admin' });
      expect([r.status, r.body.details.issues[0].path], query).toEqual([400, path]);
    }
    expect((await h().call('GET', '/api/subscribers?task=winter', { as: 'admin' })).status).toBe(404);
  });

  it.skipIf(skip)('an admin resets rows with a reason naming them; rows with a live execution are a 409 and nothing changes', async () => {
    const id = await withRows();
    await h().t.db.query(`update table_out_call set status = 11, operator_number = '101' where "Id" = $1`, [id['79001']]);
    const done = await h().call('POST', '/api/subscribers/reset', { as: 'admin', body: { ids: [id['79001'], id['79004']], to: 'new' } });
    expect([done.status, done.body]).toEqual([200, { reset: 2, ids: [id['79001'], id['79004']] }]);
    const listed = await h().call('GET', '/api/subscribers?status=new', { as: 'admin' });
    expect(
      listed.body.subscribers.map((s: { tel: string; statusReason: string; operatorNumber: string | null }) => [s.tel, s.statusReason, s.operatorNumber]),
    ).toEqual([
      ['79001', 'reset by admin', null],
      ['79004', 'reset by admin', null],
    ]);

    const callback = await h().call('POST', '/api/subscribers/reset', {
      as: 'admin',
      body: { task: 'spring', status: [10], to: 'callback', dueAt: '2026-12-01T09:00:00+03:00' },
    });
    expect(callback.body.reset).toBe(2);
    const due = await h().call('GET', '/api/subscribers?status=10', { as: 'admin' });
    expect(due.body.subscribers.map((s: { dueAt: string; timeCallback: string }) => [s.dueAt, s.timeCallback])).toEqual([
      ['2026-12-01T06:00:00.000Z', '09:00:00'],
      ['2026-12-01T06:00:00.000Z', '09:00:00'],
    ]);

    const execution = randomUUID();
    await h().t.db.query(`insert into executions (id, scenario_id, version, status, subscriber_id) values ($1, 'operator-call', 1, 'running', $2)`, [
      execution,
      id['79002'],
    ]);
    const before = (await h().t.db.query('select * from table_out_call order by "Id"')).rows;
    const refused = await h().call('POST', '/api/subscribers/reset', { as: 'admin', body: { task: 'spring', to: 'new' } });
    expect([refused.status, refused.body]).toEqual([
      409,
      {
        error: `subscriber ${id['79002']} is being served by a live execution (cancel it first); nothing was reset`,
        details: { subscribers: [{ id: id['79002'], executionId: execution }] },
      },
    ]);
    expect((await h().call('POST', '/api/subscribers/reset', { as: 'admin', body: { ids: [123456], to: 'new' } })).status).toBe(404);
    for (const body of [
      { to: 'new' },
      { ids: [], to: 'new' },
      { ids: [1], to: 'later' },
      { ids: [1], to: 'new', dueAt: '2026-12-01T09:00:00Z' },
      { status: [10], to: 'new' },
    ]) {
      const r = await h().call('POST', '/api/subscribers/reset', { as: 'admin', body });
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await h().call('POST', '/api/subscribers/reset', { as: 'supervisor', body: { ids: [1], to: 'new' } })).status).toBe(403);
    expect((await h().t.db.query('select * from table_out_call order by "Id"')).rows).toEqual(before);
  });
});

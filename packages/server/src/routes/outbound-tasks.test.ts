import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { installBundled } from '@tellflow/runtime';
import { describe, expect, it } from 'vitest';
import { spoolToFile } from '../http/raw-body.ts';
import { T0, useServer, waitingScenario, type TestUser } from '../test-support.ts';

const spring = (extra: Record<string, unknown> = {}) => ({
  id: 'spring',
  name: 'Spring campaign',
  dialogScenarioId: 'dialog',
  routingScenarioId: 'outbound-routing',
  operatorCallScenarioId: 'operator-call',
  operators: ['101'],
  ...extra,
});

/** Text in windows-1251 (Cyrillic А–я and ASCII only). */
const cp1251 = (text: string) => Uint8Array.from([...text].map((ch) => (ch >= 'А' && ch <= 'я' ? 0xc0 + ch.charCodeAt(0) - 0x410 : ch.charCodeAt(0))));

describe.each(DATABASE_KINDS)('outbound tasks API on %s', (kind) => {
  const { h, skip } = useServer(kind, { maxBodyBytes: 16 * 1024, maxImportBytes: 256 * 1024 });

  async function withTask(extra: Record<string, unknown> = {}) {
    await installBundled(h().runtime);
    const r = await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: spring(extra) });
    expect(r.status, r.text).toBe(201);
    return r;
  }
  const upload = (
    body: string | Uint8Array,
    query = '',
    { as = 'admin', type = 'text/csv', task = 'spring' }: { as?: TestUser; type?: string; task?: string } = {},
  ) => h().call('POST', `/api/outbound-tasks/${task}/subscribers${query}`, { as, body, headers: { 'content-type': type } });
  const stored = async () =>
    (await h().t.db.query<{ tel: string; first_name: string | null }>('select tel, first_name from table_out_call order by "Id"')).rows;

  it.skipIf(skip)('creates, lists, reads with progress, changes, starts and stops', async () => {
    const created = await withTask({ timeZone: 'Europe/Moscow', hours: { from: '09:00', to: '21:00', days: [1, 2, 3, 4, 5] } });
    expect(created.body.task).toEqual({
      ...spring(),
      attachCalls: true,
      afterDisconnect: 'finish',
      hours: { from: '09:00', to: '21:00', days: [1, 2, 3, 4, 5] },
      timeZone: 'Europe/Moscow',
      state: 'stopped',
      duplicatePhones: 'reject',
    });
    expect((await h().call('GET', '/api/outbound-tasks', { as: 'supervisor' })).body.tasks).toEqual([created.body.task]);
    const read = await h().call('GET', '/api/outbound-tasks/spring', { as: 'supervisor' });
    // Sunday noon in Moscow: the task, its group and its callbacks each say what keeps them from calling.
    const reasons = ['stopped', 'outside calling hours until 09:00 Europe/Moscow', 'no available operator: 101 offline', 'callback monitor disabled'];
    expect(read.body).toEqual({ task: created.body.task, progress: {}, readiness: { calling: false, callbacks: false, reasons } });

    const changed = await h().call('PATCH', '/api/outbound-tasks/spring', { as: 'admin', body: { operators: ['101', '102'], name: 'Spring' } });
    expect(changed.status).toBe(200);
    expect(changed.body.task).toMatchObject({ operators: ['101', '102'], name: 'Spring', timeZone: 'Europe/Moscow' });

    const started = await h().call('POST', '/api/outbound-tasks/spring/start', { as: 'supervisor' });
    expect([started.status, started.body.task.state]).toEqual([200, 'running']);
    // Starting enables the callback monitor; the hours and the group remain.
    expect(started.body.readiness).toEqual({
      calling: false,
      callbacks: false,
      reasons: ['outside calling hours until 09:00 Europe/Moscow', 'no available operator: 101 offline, 102 offline'],
    });
    expect((await h().runtime.serviceTasks.get('callback-monitor')).enabled).toBe(true);
    expect((await h().call('PUT', '/api/agents/me/presence', { as: 'agent2', body: { state: 'available' } })).status).toBe(200);
    expect((await h().call('GET', '/api/outbound-tasks/spring', { as: 'supervisor' })).body.readiness).toEqual({
      calling: false,
      callbacks: false,
      reasons: ['outside calling hours until 09:00 Europe/Moscow'],
    });
    h().clock.set(Date.UTC(2026, 10, 23, 6, 0)); // Monday 09:00 in Moscow (sessions have gone idle: the store answers)
    expect(await h().runtime.outboundTasks.readiness('spring')).toEqual({ calling: true, callbacks: true, reasons: [] });
    h().clock.set(T0);
    expect((await h().call('POST', '/api/outbound-tasks/spring/start', { as: 'admin' })).body.task.state).toBe('running');
    const stopped = await h().call('POST', '/api/outbound-tasks/spring/stop', { as: 'supervisor' });
    expect([stopped.status, stopped.body.task.state]).toEqual([200, 'stopped']);

    await upload('tel\n79001\n79002\n');
    await h().t.db.query("update table_out_call set status = 10, callaftermin = 5, date_call = now() where tel = '79002'");
    expect((await h().call('GET', '/api/outbound-tasks/spring', { as: 'admin' })).body.progress).toEqual({ new: 1, '10': 1 });
  });

  it.skipIf(skip)('a new task without scenarios or a name uses the bundled scenarios and its id', async () => {
    const bare = await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: { id: 'bare', operators: ['101'] } });
    expect(bare.status).toBe(400); // the bundled scenarios are not installed on this server yet
    expect(bare.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['dialogScenarioId', 'routingScenarioId', 'operatorCallScenarioId']);
    await installBundled(h().runtime);
    const made = await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: { id: 'bare', operators: ['101'] } });
    expect(made.status).toBe(201);
    expect(made.body.task).toMatchObject({
      id: 'bare',
      name: 'bare',
      dialogScenarioId: 'dialog',
      routingScenarioId: 'outbound-routing',
      operatorCallScenarioId: 'operator-call',
    });
    // A change leaves what it does not name as it was.
    const renamed = await h().call('PATCH', '/api/outbound-tasks/bare', { as: 'admin', body: { name: 'Bare' } });
    expect(renamed.body.task).toMatchObject({ name: 'Bare', dialogScenarioId: 'dialog' });
  });

  it.skipIf(skip)("reports how the task's calls ended, for all time or a range", async () => {
    await withTask();
    const row = (k: string, operator: string, at: string, outcome: string | null, answered?: string, ended?: string) =>
      h().t.db.query(
        `insert into call_history (task_id, subscriber_id, execution_id, step, kind, operator, number, started_at, outcome, answered_at, ended_at)
         values ('spring', 1, gen_random_uuid(), 1, $1, $2, '79001', $3, $4, $5, $6)`,
        [k, operator, at, outcome, answered ?? null, ended ?? null],
      );
    await row('customer', '101', '2026-11-20T10:00:00Z', 'answered', '2026-11-20T10:00:05Z', '2026-11-20T10:01:05Z');
    await row('customer', '101', '2026-11-21T10:00:00Z', 'busy');
    await row('operator', '101', '2026-11-21T09:59:00Z', 'answered', '2026-11-21T09:59:03Z'); // no end, and its execution is gone
    await row('operator', '101', '2026-11-21T09:58:00Z', 'noAnswer');
    const all = await h().call('GET', '/api/outbound-tasks/spring/stats', { as: 'supervisor' });
    expect(all.status).toBe(200);
    const customers = {
      calls: 2,
      answered: 1,
      busy: 1,
      noAnswer: 0,
      failed: 0,
      lost: 0,
      inProgress: 0,
      answerRate: 0.5,
      talk: { timed: 1, talking: 0, unknownEnd: 0, totalSeconds: 60, averageSeconds: 60 },
    };
    const operators = {
      calls: 2,
      answered: 1,
      busy: 0,
      noAnswer: 1,
      failed: 0,
      lost: 0,
      inProgress: 0,
      answerRate: 0.5,
      talk: { timed: 0, talking: 0, unknownEnd: 1, totalSeconds: 0, averageSeconds: null },
    };
    expect(all.body).toEqual({
      customers: { ...customers, subscribersCalled: 1 },
      operators,
      byOperator: [{ operator: '101', operatorCalls: operators, customerCalls: customers }],
    });
    const day = await h().call('GET', '/api/outbound-tasks/spring/stats?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z', { as: 'admin' });
    expect(day.body.customers).toMatchObject({ calls: 1, busy: 1, answerRate: 0 });
    expect((await h().call('GET', '/api/outbound-tasks/spring/stats?from=yesterday', { as: 'admin' })).status).toBe(400);
    expect((await h().call('GET', '/api/outbound-tasks/nope/stats', { as: 'admin' })).status).toBe(404);
    expect((await h().call('GET', '/api/outbound-tasks/spring/stats', { as: 'agent' })).status).toBe(403);
  });

  it.skipIf(skip)('answers 400 for bad tasks, 404 for unknown ones, 409 for a taken id or a task that cannot start', async () => {
    await installBundled(h().runtime);
    const ghost = await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: spring({ dialogScenarioId: 'ghost', routingScenarioId: 'phantom' }) });
    expect(ghost.status).toBe(400);
    expect(ghost.body.details.issues).toEqual([
      { path: 'dialogScenarioId', message: 'there is no scenario "ghost"' },
      { path: 'routingScenarioId', message: 'there is no scenario "phantom"' },
    ]);
    const bad = await h().call('POST', '/api/outbound-tasks', {
      as: 'admin',
      body: spring({ operators: 'all', hours: { from: '9am', to: '21:00', days: [] }, timeZone: 'Mars/Olympus' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['hours.days', 'hours.from', 'operators', 'timeZone']);

    expect((await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: spring() })).status).toBe(201);
    const taken = await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: spring() });
    expect([taken.status, taken.body.error]).toEqual([409, 'outbound task "spring" already exists']);
    expect((await h().call('PATCH', '/api/outbound-tasks/spring', { as: 'admin', body: { operatorCallScenarioId: 'ghost' } })).status).toBe(400);
    expect((await h().call('PATCH', '/api/outbound-tasks/spring', { as: 'admin', body: { state: 'running' } })).status).toBe(400);

    // A draft scenario is not enough to start dialing.
    await h().importScenario({ ...waitingScenario('draft-dialog'), kind: 'dialog' }, false);
    await h().call('PATCH', '/api/outbound-tasks/spring', { as: 'admin', body: { dialogScenarioId: 'draft-dialog' } });
    const cannot = await h().call('POST', '/api/outbound-tasks/spring/start', { as: 'admin' });
    expect(cannot.status).toBe(409);
    expect(cannot.body).toEqual({
      error: 'outbound task "spring" cannot start: scenario "draft-dialog" has no published version',
      details: { issues: [{ path: 'dialogScenarioId', message: 'scenario "draft-dialog" has no published version' }] },
    });
    expect((await h().call('GET', '/api/outbound-tasks/spring', { as: 'admin' })).body.task.state).toBe('stopped');

    for (const [method, path] of [
      ['GET', '/api/outbound-tasks/ghost'],
      ['PATCH', '/api/outbound-tasks/ghost'],
      ['POST', '/api/outbound-tasks/ghost/start'],
      ['POST', '/api/outbound-tasks/ghost/stop'],
      ['GET', '/api/outbound-tasks/no%20such/subscribers/1/calls'],
    ] as const) {
      const r = await h().call(method, path, { as: 'admin', ...(method === 'PATCH' ? { body: { name: 'x' } } : {}) });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
  });

  it.skipIf(skip)('imports a CSV file: 200 with the counts, headers matched by name, alias or ?map=', async () => {
    await withTask();
    const plain = await upload('Phone,First Name,Comments\n+7 (912) 345-67-89,Ivan,"first, call"\n8-800-555-35-35,Anna,\n');
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({
      imported: 2,
      added: 2,
      updated: 0,
      unchanged: 0,
      kept: 0,
      duplicates: 0,
      skipped: 0,
      rows: 2,
      errors: [],
      omittedErrors: 0,
      delimiter: ',',
      mapping: { Phone: 'tel', 'First Name': 'first_name', Comments: 'comments' },
    });

    const mapped = await upload(
      '\uFEFFКонтакт;Кто;Лишнее\r\n79001112233;Olga;x\r\n',
      `?map=${encodeURIComponent('Контакт:tel')}&map=${encodeURIComponent('Кто:first_name')}&map=${encodeURIComponent('Лишнее:')}`,
    );
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({ imported: 1, delimiter: ';', mapping: { Контакт: 'tel', Кто: 'first_name', Лишнее: null } });

    const tabs = await upload('tel|first_name\n79005|Pipe\n', '?delimiter=%7C', { type: 'application/octet-stream' });
    expect(tabs.body).toMatchObject({ imported: 1, delimiter: '|' });
    const tab = await upload('tel\tfirst_name\n79006\tTab\n', '?delimiter=tab', { type: 'text/plain; charset=utf-8' });
    expect(tab.body).toMatchObject({ imported: 1, delimiter: '\t' });
    // Without a Content-Type too (curl --data-binary @file sends one; fetch with a Blob may not).
    const untyped = await h().app.request('/api/outbound-tasks/spring/subscribers', {
      method: 'POST',
      headers: { cookie: await h().cookieFor('admin') },
      body: new Blob(['tel\n79007\n']),
    });
    expect(untyped.status).toBe(200);

    expect(await stored()).toEqual([
      { tel: '+79123456789', first_name: 'Ivan' },
      { tel: '88005553535', first_name: 'Anna' },
      { tel: '79001112233', first_name: 'Olga' },
      { tel: '79005', first_name: 'Pipe' },
      { tel: '79006', first_name: 'Tab' },
      { tel: '79007', first_name: null },
    ]);
    expect((await h().call('GET', '/api/outbound-tasks/spring', { as: 'supervisor' })).body.progress).toEqual({ new: 6 });
  });

  it.skipIf(skip)('rows with errors are a 422: all or nothing imports nothing, skip-bad-rows the good rows', async () => {
    await withTask();
    const csv = 'tel,callaftermin\n79001,5\nabc,5\n79003,0\n79004,\n';
    const none = await upload(csv);
    expect(none.status).toBe(422);
    expect(none.body).toEqual({
      error: '2 of 4 rows have errors: nothing was imported',
      imported: 0,
      added: 0,
      updated: 0,
      unchanged: 0,
      kept: 0,
      duplicates: 0,
      skipped: 2,
      rows: 4,
      errors: [
        { line: 3, column: 'tel', message: '"abc" is not a phone number' },
        { line: 4, column: 'callaftermin', message: '"0" is not a positive whole number of minutes' },
      ],
      omittedErrors: 0,
      delimiter: ',',
      mapping: { tel: 'tel', callaftermin: 'callaftermin' },
    });
    expect(await stored()).toEqual([]);

    const some = await upload(csv, '?mode=skip-bad-rows');
    expect(some.status).toBe(422);
    expect(some.body).toMatchObject({ error: '2 of 4 rows have errors and were skipped; 2 were imported', imported: 2, skipped: 2, rows: 4 });
    expect((await stored()).map((r) => r.tel)).toEqual(['79001', '79004']);
    expect((await upload(csv, '?mode=all-or-nothing')).body.imported).toBe(0);
  });

  it.skipIf(skip)("duplicate phone numbers follow the task's policy (set on create or change); the same file again changes nothing", async () => {
    await withTask();
    const twice = 'tel,first_name\n79001,Ann\n+7 900 1,Ann again\n79002,Bob\n';
    const refused = await upload(twice.replace('+7 900 1', '79001'));
    expect([refused.status, refused.body.errors]).toEqual([
      422,
      [{ line: 3, column: 'tel', message: "79001 is also on line 2 (the task's duplicatePhones policy is reject)" }],
    ]);
    expect(await stored()).toEqual([]);
    expect((await h().call('PATCH', '/api/outbound-tasks/spring', { as: 'admin', body: { duplicatePhones: 'skip' } })).body.task.duplicatePhones).toBe('skip');
    const skipped = await upload(twice.replace('+7 900 1', '79001'));
    expect([skipped.status, skipped.body]).toMatchObject([200, { imported: 2, added: 2, duplicates: 1, errors: [] }]);

    const before = (await h().t.db.query('select * from table_out_call order by "Id"')).rows;
    const again = await upload(twice.replace('+7 900 1', '79001'));
    expect([again.status, again.body]).toMatchObject([200, { imported: 2, added: 0, unchanged: 2, duplicates: 1 }]);
    expect((await h().t.db.query('select * from table_out_call order by "Id"')).rows).toEqual(before);
    const edited = await upload('tel,first_name\n79001,Anna\n79002,Bob\n');
    expect(edited.body).toMatchObject({ imported: 2, updated: 1, unchanged: 1 });

    const bad = await h().call('PATCH', '/api/outbound-tasks/spring', { as: 'admin', body: { duplicatePhones: 'sometimes' } });
    expect([bad.status, bad.body.details.issues[0].path]).toEqual([400, 'duplicatePhones']);
    const allow = await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: spring({ id: 'autumn', duplicatePhones: 'allow' }) });
    expect(allow.body.task.duplicatePhones).toBe('allow');
    expect((await upload(twice, '', { task: 'autumn' })).body).toMatchObject({ imported: 3, added: 3 });
  });

  it.skipIf(skip)('rows that could never be called are a 422 naming line and column', async () => {
    await withTask();
    const r = await upload('tel,status,operator_number,callaftermin\n79001,11,101,\n79002,10,,5\n79003,10,101,\n79004,10,101,5\n');
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { line: number; column: string }) => [e.line, e.column])).toEqual([
      [2, 'status'],
      [3, 'operator_number'],
      [4, 'callaftermin'],
    ]);
    expect(await stored()).toEqual([]);
  });

  it.skipIf(skip)('a file that is not a subscriber list is a 400 naming the line, and imports nothing', async () => {
    await withTask();
    const cases: [string | Uint8Array, string][] = [
      ['first_name\nIvan\n', 'line 1: the header: no tel column: the header must name the column with the phone numbers (tel, phone, telephone or number)'],
      ['', 'line 1: the file is empty: it needs a header row naming the columns (tel is required)'],
      ['tel,comments\n79001,ok\n79002,"never closed\n79003,x\n', 'line 3: a quoted field is never closed (a missing " ?)'],
      ['tel\n79001\n7900\u00002\n', 'line 3: the file contains NUL characters: it is not CSV text'],
      [Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]), ''],
      [Uint8Array.from([...Buffer.from('tel,first_name\n79001,'), 0xff, 0xfe, 0x41, 0x0a]), 'line 2: the file is not UTF-8 text (save it as "CSV UTF-8")'],
    ];
    for (const [body, message] of cases) {
      const r = await upload(body, '?mode=skip-bad-rows');
      expect(r.status, message).toBe(400);
      if (message) expect(r.body.error).toBe(message);
      expect(r.body.details.errors).toEqual([expect.objectContaining({ line: expect.any(Number), message: expect.any(String) })]);
    }
    expect(await stored()).toEqual([]);
  });

  it.skipIf(skip)('reads a declared charset; refuses other media types, unknown charsets, bad options and unknown tasks', async () => {
    await withTask();
    const legacy = await upload(cp1251('tel;Имя;Фамилия\n79001;Иван;Петров\n'), '', { type: 'text/csv; charset=windows-1251' });
    expect(legacy.status).toBe(200);
    expect(legacy.body.mapping).toEqual({ tel: 'tel', Имя: 'first_name', Фамилия: 'last_name' });
    expect(await stored()).toEqual([{ tel: '79001', first_name: 'Иван' }]);

    const json = await upload('{"tel": "79001"}', '', { type: 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body.error).toBe(
      'the request body must be sent as text/csv or application/csv or text/plain or application/vnd.ms-excel or application/octet-stream, not application/json',
    );
    expect((await upload('tel\n1\n', '', { type: 'multipart/form-data; boundary=x' })).status).toBe(415);
    expect((await upload('tel\n1\n', '', { type: 'text/csv; charset=klingon' })).body).toEqual({ error: 'unknown charset "klingon"' });

    for (const query of ['?mode=maybe', '?delimiter=ab', '?delimiter=%22', '?map=tel', `?map=${encodeURIComponent('Phone:phone_no')}`, '?map=:tel']) {
      const r = await upload('tel\n79009\n', query);
      expect(r.status, query).toBe(400);
      expect(r.body.error, query).toBe('the request query is not valid');
    }
    const reserved = await upload('tel,x\n79009,1\n', `?map=${encodeURIComponent('x:due_at')}`);
    expect(reserved.status).toBe(400);
    const unknownTask = await upload('tel\n79009\n', '', { task: 'ghost' });
    expect([unknownTask.status, unknownTask.body.error]).toEqual([404, 'outbound task "ghost" not found']);
    expect(await stored()).toHaveLength(1);
  });

  it.skipIf(skip)('streams a file larger than the JSON limit; past the import limit it is a 413, with or without Content-Length', async () => {
    await withTask();
    const lines = (n: number) => ['tel,comments', ...Array.from({ length: n }, (_, i) => `7900${String(i).padStart(6, '0')},${'x'.repeat(40)}`)].join('\n');
    const big = lines(2000); // ~100 KiB: over the 16 KiB JSON limit, under the 256 KiB import limit
    const r = await upload(big);
    expect(r.status, r.text).toBe(200);
    expect(r.body.imported).toBe(2000);

    const huge = lines(6000); // ~300 KiB
    const declared = await upload(huge);
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({ error: 'the request body is larger than 262144 bytes', details: { maxBytes: 262144 } });
    // The rest of the body is not read: the connection cannot carry another request.
    expect(declared.headers.get('connection')).toBe('close');
    const streamed = await h().app.request('/api/outbound-tasks/spring/subscribers', {
      method: 'POST',
      headers: { cookie: await h().cookieFor('admin'), 'content-type': 'text/csv' },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: string }).error).toBe('the request body is larger than 262144 bytes');
    expect((await h().call('GET', '/api/outbound-tasks/spring', { as: 'admin' })).body.progress).toEqual({ new: 2000 });
    // The JSON routes keep their own limit.
    const json = await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: spring({ id: 'other', name: 'x'.repeat(20_000) }) });
    expect(json.status).toBe(413);
  });

  it.skipIf(skip)('the call history of a subscriber: every signed-in role reads it; unknown tasks and subscribers are 404', async () => {
    await withTask();
    await h().call('POST', '/api/outbound-tasks', { as: 'admin', body: spring({ id: 'autumn' }) });
    await upload('tel\n79001\n');
    for (const as of ['admin', 'supervisor', 'agent'] as const) {
      const r = await h().call('GET', '/api/outbound-tasks/spring/subscribers/1/calls', { as });
      expect([r.status, r.body], as).toEqual([200, { calls: [] }]);
    }
    for (const path of [
      '/api/outbound-tasks/autumn/subscribers/1/calls',
      '/api/outbound-tasks/spring/subscribers/2/calls',
      '/api/outbound-tasks/spring/subscribers/0/calls',
      '/api/outbound-tasks/spring/subscribers/x/calls',
      '/api/outbound-tasks/spring/subscribers/99999999999/calls',
      '/api/outbound-tasks/ghost/subscribers/1/calls',
    ]) {
      expect((await h().call('GET', path, { as: 'agent' })).status, path).toBe(404);
    }
    expect((await h().call('GET', '/api/outbound-tasks/spring/subscribers/1/calls')).status).toBe(401);
  });

  it.skipIf(skip)('supervisors read, start and stop; only admins create, change and import; agents see no tasks', async () => {
    await withTask();
    expect((await h().call('POST', '/api/outbound-tasks', { as: 'supervisor', body: spring({ id: 'mine' }) })).status).toBe(403);
    expect((await h().call('PATCH', '/api/outbound-tasks/spring', { as: 'supervisor', body: { name: 'x' } })).status).toBe(403);
    expect((await upload('tel\n79001\n', '', { as: 'supervisor' })).status).toBe(403);
    expect((await h().call('POST', '/api/outbound-tasks/spring/start', { as: 'supervisor' })).status).toBe(200);
    expect((await h().call('POST', '/api/outbound-tasks/spring/stop', { as: 'supervisor' })).status).toBe(200);
    for (const path of ['/api/outbound-tasks', '/api/outbound-tasks/spring']) expect((await h().call('GET', path, { as: 'agent' })).status).toBe(403);
    expect((await h().call('POST', '/api/outbound-tasks/spring/start', { as: 'agent' })).status).toBe(403);
    expect((await upload('tel\n79001\n', '', { as: 'agent' })).status).toBe(403);
    expect(await stored()).toEqual([]);
  });
});

describe('spooling an upload to a temporary file', () => {
  const leftovers = (prefix: string) => readdirSync(tmpdir()).filter((f) => f.startsWith(prefix));

  it('writes every chunk, and removes the file on request', async () => {
    const prefix = `tellflow-spool-test-${process.pid}-a-`;
    const file = await spoolToFile(
      (async function* () {
        yield new TextEncoder().encode('tel\n');
        yield new TextEncoder().encode('79001\n');
      })(),
      prefix,
    );
    expect(file.bytes).toBe(10);
    expect(leftovers(prefix)).toHaveLength(1);
    await file.remove();
    await file.remove();
    expect(leftovers(prefix)).toEqual([]);
  });

  it('leaves nothing behind when the body fails midway', async () => {
    const prefix = `tellflow-spool-test-${process.pid}-b-`;
    const failing = (async function* () {
      yield new Uint8Array(10);
      throw new Error('the client went away');
    })();
    await expect(spoolToFile(failing, prefix)).rejects.toThrow('the client went away');
    expect(leftovers(prefix)).toEqual([]);
  });
});

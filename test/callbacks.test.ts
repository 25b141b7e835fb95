/**
 * domain.md §1 end to end, on both databases, with the telephony simulator
 * and an injected clock: a failed first call, callbacks through the monitor,
 * a busy operator retried, a callback requested from Form 1, and success.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createDatabase } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { importSubscribers, installBundled, Runtime, type PendingForm } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { T0, useHarness, type Harness } from '../packages/runtime/src/test-support.ts';

const TEL = '+79000000001';
const MIN = 60_000;

describe.each(DATABASE_KINDS)('outbound callbacks on %s', (kind) => {
  const { h: current, skip } = useHarness(
    kind,
    { rules: [{ match: TEL, sequence: ['failed', 'answered', 'answered'], afterMs: 2000 }], default: 'answered' },
    { rules: [{ match: '101', sequence: ['answered', 'busy', 'answered', 'answered'], afterMs: 1000 }], default: 'answered' },
  );
  let h: Harness;

  beforeEach(async () => {
    h = current();
    await installBundled(h.runtime);
    await h.runtime.outboundTasks.create({
      id: 'demo',
      name: 'Demo',
      dialogScenarioId: 'dialog',
      routingScenarioId: 'outbound-routing',
      operatorCallScenarioId: 'operator-call',
      operators: ['101'],
      timeZone: 'Europe/Moscow',
    });
    await h.runtime.serviceTasks.update('callback-monitor', { enabled: true });
  });

  /** One second of the world: timers and calls, the monitor and dialer, then every due step. */
  async function second(): Promise<void> {
    await h.clock.advance(1000);
    await h.sim.settled();
    await h.runtime.tick();
    await h.runtime.drain();
  }
  async function until<T>(what: string, check: () => Promise<T | undefined | false>, seconds = 120): Promise<T> {
    for (let i = 0; i < seconds; i++) {
      const v = await check();
      if (v) return v;
      await second();
    }
    throw new Error(`after ${seconds} s still waiting until ${what}`);
  }
  const row = async (id: number) =>
    (
      await h.t.db.query<{ status: number | null; callaftermin: number | null; date_callback: string | null; due_at: Date | null; date_call: Date | null }>(
        `select status, callaftermin, to_char(date_callback, 'YYYY-MM-DD') as date_callback, due_at, date_call from table_out_call where "Id" = $1`,
        [id],
      )
    ).rows[0]!;
  const history = async (id: number) => (await h.runtime.callHistory(id, 'demo')).map((c) => `${c.kind} ${c.outcome}`);
  const addSubscriber = async (tel: string, name = 'Anna') =>
    (
      await h.t.db.query<{ Id: number }>(`insert into table_out_call (tel, first_name, last_name, task_id) values ($1, $2, 'Petrova', 'demo') returning "Id"`, [
        tel,
        name,
      ])
    ).rows[0]!.Id;
  const formFor = async (): Promise<PendingForm | undefined> => (await h.runtime.pendingForms(['101'])).find((f) => f.scenarioId === 'dialog');
  /** Jumps to just before a time (nothing is in flight while waiting for a callback). */
  const jumpBefore = (at: number) => h.clock.set(at - 2000);

  it.skipIf(skip)('drives the whole story: fail → 10 → monitor 11 → busy → retry → form callback in 30 → success 12', async () => {
    const id = await addSubscriber(TEL);
    await h.runtime.outboundTasks.setState('demo', 'running');

    // 1. The dialer calls the free operator; the operator answers; the customer's line fails → status 10, due in 5 minutes.
    let r = await until('the failed first call is scheduled for a callback', async () => ((await row(id)).status === 10 ? row(id) : undefined));
    expect(r.callaftermin).toBe(5);
    expect(r.due_at!.getTime() - r.date_call!.getTime()).toBe(5 * MIN);
    expect(await history(id)).toEqual(['operator answered', 'customer failed']);

    // 2. Five minutes later the monitor picks it up (11); the operator is busy → retried 5 minutes later.
    const firstDue = r.due_at!.getTime();
    jumpBefore(firstDue);
    await until('the monitor marks the row as being served', async () => (await row(id)).status === 11);
    expect(h.clock.now()).toBeGreaterThanOrEqual(firstDue);
    r = await until('the busy operator is retried', async () => ((await row(id)).status === 10 ? row(id) : undefined));
    expect(r.due_at!.getTime() - r.date_call!.getTime()).toBe(5 * MIN);
    expect(await history(id)).toEqual(['operator answered', 'customer failed', 'operator busy']);

    // 3. The operator answers, the customer answers, Form 1 shows the previous call; the operator asks for a callback in 30 minutes.
    jumpBefore(r.due_at!.getTime());
    let form = await until('Form 1 is on the operator screen', formFor);
    const field = (name: string) => form.form.fields.find((f) => f.name === name)?.value;
    expect(field('customer')).toBe('Anna Petrova');
    expect(field('tel')).toBe(TEL);
    expect(field('previousCall')).toMatch(/ UTC, failed$/);
    expect(await history(id)).toEqual(['operator answered', 'customer failed', 'operator busy', 'operator answered', 'customer answered']);
    await h.runtime.submitForm(form.executionId, form.step, { callbackMinutes: 30, comments: 'call after lunch' }, { operators: ['101'] });
    r = await until('the callback in 30 minutes is scheduled', async () => ((await row(id)).status === 10 ? row(id) : undefined));
    expect(r.callaftermin).toBe(30);
    expect(r.due_at!.getTime() - h.clock.now()).toBeGreaterThan(29 * MIN);

    // 4. Thirty minutes later the callback succeeds → 12.
    jumpBefore(r.due_at!.getTime());
    form = await until('Form 1 is shown for the callback', formFor);
    expect(form.form.fields.find((f) => f.name === 'previousCall')?.value).toMatch(/ UTC, answered$/);
    expect(form.form.fields.find((f) => f.name === 'comments')?.value).toBe('call after lunch');
    await h.runtime.submitForm(form.executionId, form.step, {}, { operators: ['101'] });
    await until('the callback is recorded as a success', async () => (await row(id)).status === 12);
    expect(await history(id)).toEqual([
      'operator answered',
      'customer failed',
      'operator busy',
      'operator answered',
      'customer answered',
      'operator answered',
      'customer answered',
    ]);
    await until('every execution has ended', async () => (await h.runtime.executions({ status: 'waiting' })).length === 0);
    const failed = await h.runtime.executions({ status: 'failed' });
    expect(failed.map((x) => `${x.scenarioId}: ${x.error}`)).toEqual([]);
  });

  it.skipIf(skip)('"call back in N minutes" wins over a date; a date alone is read in the task time zone', async () => {
    const a = await addSubscriber('+79000000002');
    const b = await addSubscriber('+79000000003', 'Boris');
    await h.runtime.outboundTasks.update('demo', { operators: ['102'] }); // 102 always answers
    await h.runtime.outboundTasks.setState('demo', 'running');
    for (const [id, values] of [
      [a, { callbackMinutes: 15, callbackDate: '2026-12-01', callbackTime: '10:30' }],
      [b, { callbackDate: '2026-12-01', callbackTime: '10:30' }],
    ] as const) {
      const tel = id === a ? '+79000000002' : '+79000000003';
      const form = await until('Form 1', async () =>
        (await h.runtime.pendingForms(['102'])).find((f) => f.form.fields.find((x) => x.name === 'tel')?.value === tel),
      );
      await h.runtime.submitForm(form.executionId, form.step, values, { operators: ['102'] });
      await until('the callback is stored', async () => (await row(id)).status === 10);
    }
    const ra = await row(a);
    expect(ra).toMatchObject({ callaftermin: 15, date_callback: null });
    expect(ra.due_at!.getTime() - ra.date_call!.getTime()).toBe(15 * MIN);
    const rb = await row(b);
    expect(rb).toMatchObject({ callaftermin: null, date_callback: '2026-12-01' });
    expect(rb.due_at!.toISOString()).toBe('2026-12-01T07:30:00.000Z'); // 10:30 in Moscow
  });

  /** A subscriber whose callback (to `operator`) was due two minutes ago. */
  const addDue = async (tel: string, operator: string) =>
    (
      await h.t.db.query<{ Id: number }>(
        `insert into table_out_call (tel, first_name, last_name, task_id, status, callaftermin, date_call, operator_number)
         values ($1, 'Ivan', 'Sidorov', 'demo', 10, 1, $2, $3) returning "Id"`,
        [tel, new Date(T0 - 3 * MIN), operator],
      )
    ).rows[0]!.Id;

  it.skipIf(skip)('an operator in a call is not given a second customer: the second callback meets busy and comes back in 5 minutes', async () => {
    const a = await addDue('+79000000021', '102');
    const b = await addDue('+79000000022', '102');
    await h.runtime.outboundTasks.setState('demo', 'running');
    const formsFor102 = async () => (await h.runtime.pendingForms(['102'])).filter((f) => f.scenarioId === 'dialog');
    const form = await until('Form 1 is on the screen of 102', async () => (await formsFor102())[0]);
    // The other callback met a busy operator (never rung: the telephony layer answered for the agent) and waits 5 minutes.
    const [served, waiting] = form.form.fields.find((f) => f.name === 'tel')?.value === '+79000000021' ? [a, b] : [b, a];
    const w = await until('the other callback is rescheduled', async () => ((await row(waiting)).status === 10 ? row(waiting) : undefined));
    expect(w.due_at!.getTime() - w.date_call!.getTime()).toBe(5 * MIN);
    expect(await history(waiting)).toEqual(['operator busy']);
    expect(await history(served)).toEqual(['operator answered', 'customer answered']);
    const rung = (await h.sim.callLog()).filter((c) => c.kind === 'operator' && c.to === '102');
    expect(rung).toHaveLength(1);

    // While the operator fills in Form 1, nothing else reaches 102, however long it takes.
    for (let i = 0; i < 6; i++) await second();
    expect(await formsFor102()).toHaveLength(1);
    await h.runtime.submitForm(form.executionId, form.step, {}, { operators: ['102'] });
    await until('the served callback succeeds', async () => (await row(served)).status === 12);

    // Five minutes after the busy answer, the waiting callback reaches the now free operator.
    jumpBefore(w.due_at!.getTime());
    const next = await until('Form 1 for the waiting callback', async () => (await formsFor102())[0]);
    expect(next.form.fields.find((f) => f.name === 'tel')?.value).toBe(waiting === a ? '+79000000021' : '+79000000022');
    expect(await history(waiting)).toEqual(['operator busy', 'operator answered', 'customer answered']);
  });

  it.skipIf(skip)("a stopped task's callbacks wait, due, and are made once it starts", async () => {
    const id = await addDue('+79000000031', '101');
    for (let i = 0; i < 10; i++) await second();
    expect((await row(id)).status).toBe(10);
    expect(await history(id)).toEqual([]);
    const readiness = await h.runtime.outboundTasks.readiness('demo');
    expect(readiness).toEqual({ calling: false, callbacks: false, reasons: ['stopped'] });
    await h.runtime.outboundTasks.setState('demo', 'running');
    await until('the callback is made', async () => (await row(id)).status === 11);
    await until('Form 1 is on the screen', formFor);
  });

  it.skipIf(skip)('a callback outside the calling hours waits for them', async () => {
    // Sunday 12:00 in Moscow; the task calls on weekdays from 09:00.
    await h.runtime.outboundTasks.update('demo', { hours: { from: '09:00', to: '21:00', days: [1, 2, 3, 4, 5] } });
    await h.runtime.outboundTasks.setState('demo', 'running');
    const id = await addDue('+79000000041', '101');
    for (let i = 0; i < 5; i++) await second();
    expect((await row(id)).status).toBe(10);
    expect((await h.runtime.outboundTasks.readiness('demo')).reasons).toEqual(['outside calling hours until 09:00 Europe/Moscow']);
    h.clock.set(Date.UTC(2026, 10, 23, 6, 0) - 1000); // Monday, a second before 09:00 in Moscow
    await until('the callback is made at 09:00', async () => (await row(id)).status === 11);
    expect(h.clock.now()).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 23, 6, 0));
  });

  it.skipIf(skip)('a cancelled dialog leaves its row in a defined status: back to 10 in 5 minutes, with the reason', async () => {
    const id = await addDue('+79000000051', '101');
    await h.runtime.outboundTasks.setState('demo', 'running');
    const form = await until('Form 1 is on the screen', formFor);
    await h.runtime.cancel(form.executionId);
    const r = await until('the row is released', async () => ((await row(id)).status === 10 ? row(id) : undefined));
    expect(r.due_at!.getTime() - r.date_call!.getTime()).toBe(5 * MIN);
    const { rows } = await h.t.db.query<{ status_reason: string }>('select status_reason from table_out_call where "Id" = $1', [id]);
    expect(rows[0]!.status_reason).toMatch(/^execution [0-9a-f-]{36} of "operator-call" (failed|completed) without setting a status$/);
    expect(await h.runtime.executions({ status: 'running' })).toEqual([]);
  });

  it.skipIf(skip)(
    'importing the same file again changes nothing; duplicate numbers follow the task policy, and one number is never served twice at once',
    async () => {
      const file = 'tel,first_name\n+79000000061,Anna\n+79000000062,Boris\n+79000000061,Anna again\n';
      // reject (the default): the repeated number is an error naming the other line, and nothing is imported.
      const rejected = await importSubscribers(h.t.db, { taskId: 'demo', source: file });
      expect(rejected).toMatchObject({ imported: 0, errors: [expect.objectContaining({ line: 4 })] });
      await h.runtime.outboundTasks.update('demo', { duplicatePhones: 'allow' });
      expect(await importSubscribers(h.t.db, { taskId: 'demo', source: file })).toMatchObject({ added: 3 });
      const table = async () => (await h.t.db.query('select * from table_out_call order by "Id"')).rows;
      const before = await table();
      expect(await importSubscribers(h.t.db, { taskId: 'demo', source: file })).toMatchObject({ added: 0, unchanged: 3 });
      expect(await table()).toEqual(before);

      // Two operators, three rows, two of them one number: that number is served by one operator at a time.
      await h.runtime.outboundTasks.update('demo', { operators: ['101', '102'] });
      await h.runtime.outboundTasks.setState('demo', 'running');
      await second();
      const serving = (await h.t.db.query<{ tel: string }>('select tel from table_out_call where status = 11 order by tel')).rows.map((r) => r.tel);
      expect(serving).toEqual(['+79000000061', '+79000000062']);
    },
  );

  it.skipIf(skip)('never serves a row twice when two processes run the monitor at once', async () => {
    const n = 40;
    for (let i = 0; i < n; i++) {
      await h.t.db.query(`insert into table_out_call (tel, task_id, status, callaftermin, date_call, operator_number) values ($1, 'demo', 10, 1, $2, $3)`, [
        `+7901${String(i).padStart(7, '0')}`,
        new Date(T0 - 2 * MIN),
        `op${i}`,
      ]);
    }
    // A second process: its own connections to the same database, its own runtime.
    await h.runtime.outboundTasks.setState('demo', 'running'); // a stopped task's callbacks wait
    const other = h.t.url ? await createDatabase({ url: h.t.url }) : h.t.db;
    const sim2 = new TelephonySimulator({ clock: h.clock, rules: {} });
    const runtime2 = new Runtime({ db: other, telephony: sim2, clock: h.clock, leaseMs: 5_000 });
    try {
      await Promise.all([h.runtime.start('callback-monitor'), runtime2.start('callback-monitor'), h.runtime.start('callback-monitor')]);
      await Promise.all([h.runtime.drain(), runtime2.drain()]);
      const { rows } = await h.t.db.query<{ subscriber_id: number; n: number }>(
        `select subscriber_id, count(*)::int as n from executions where scenario_id = 'operator-call' group by subscriber_id`,
      );
      expect(rows).toHaveLength(n);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      expect((await h.t.db.query<{ n: number }>('select count(*)::int as n from table_out_call where status = 10')).rows[0]!.n).toBe(0);
    } finally {
      await runtime2.close();
      sim2.dispose();
      if (other !== h.t.db) await other.close();
    }
  });
});

/**
 * The outbound-callback demo: a small task of 20 subscribers and three
 * operators, run with the bundled scenarios against the telephony simulator
 * on an accelerated clock, in a throw-away in-memory database. A scripted
 * operator answers Form 1: some customers ask to be called back later.
 */
import { ManualClock } from '@tellflow/clock';
import { createDatabase, migrate } from '@tellflow/db';
import { installBundled, Runtime } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';

const FIRST = ['Anna', 'Boris', 'Vera', 'Gleb', 'Daria', 'Egor', 'Zoya', 'Ivan', 'Kira', 'Lev'];
const LAST = ['Petrova', 'Smirnov', 'Orlova', 'Volkov', 'Sokolova', 'Lebedev', 'Kozlova', 'Novikov', 'Morozova', 'Popov'];
export const OPERATORS = ['101', '102', '103'];

export interface DemoOptions {
  subscribers: number;
  /** Simulated seconds per real second; 0 = as fast as possible. */
  speed: number;
  /** Stop after this much simulated time. */
  limitMinutes: number;
  print(line: string): void;
}

export interface DemoResult {
  statuses: Record<string, number>;
  calls: number;
  simulatedMs: number;
  transitions: number;
}

const label = (s: number | null) => (s === null ? 'new' : s === 10 ? '10 call back' : s === 11 ? '11 serving' : s === 12 ? '12 done' : String(s));

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const start = Date.UTC(2026, 10, 23, 7, 0, 0); // 10:00 in Moscow, a Monday
  const clock = new ManualClock(start);
  const db = await createDatabase();
  await migrate(db);
  const n = o.subscribers;
  const tel = (i: number) => `+7900${String(1000000 + i).slice(1)}`;
  // Every fourth customer's first call fails; every fifth is busy once; operator 103 is busy on its second call.
  const customers = Array.from({ length: n }, (_, i) =>
    i % 4 === 0
      ? { match: tel(i), sequence: ['failed', 'answered'] as const, afterMs: 4000 }
      : i % 5 === 0
        ? { match: tel(i), sequence: ['busy', 'answered'] as const, afterMs: 3000 }
        : null,
  ).filter((r) => r !== null);
  const sim = new TelephonySimulator({
    clock,
    rules: { rules: customers.map((r) => ({ ...r, sequence: [...r.sequence] })), default: 'answered' },
    operatorRules: { rules: [{ match: '103', sequence: ['answered', 'busy', 'answered'], afterMs: 2000 }], default: 'answered' },
  });
  const runtime = new Runtime({ db, telephony: sim, clock });
  try {
    await installBundled(runtime);
    await runtime.outboundTasks.create({
      id: 'demo',
      name: 'Demo outbound task',
      dialogScenarioId: 'dialog',
      routingScenarioId: 'outbound-routing',
      operatorCallScenarioId: 'operator-call',
      operators: OPERATORS,
      timeZone: 'Europe/Moscow',
      hours: { from: '09:00', to: '21:00', days: [1, 2, 3, 4, 5, 6, 7] },
    });
    for (let i = 0; i < n; i++) {
      await db.query(`insert into table_out_call (tel, first_name, last_name, task_id) values ($1, $2, $3, 'demo')`, [
        tel(i),
        FIRST[i % 10],
        LAST[(i * 3) % 10],
      ]);
    }
    await runtime.serviceTasks.update('callback-monitor', { enabled: true });
    await runtime.outboundTasks.setState('demo', 'running');
    o.print(`Demo: ${n} subscribers, operators ${OPERATORS.join(', ')}, callback monitor every 5 s; simulated clock from ${new Date(start).toISOString()}.\n`);

    const seen = new Map<number, number | null>();
    const answered = new Set<string>();
    let transitions = 0;
    const limit = start + o.limitMinutes * 60_000;
    while (clock.now() < limit) {
      await clock.advance(1000);
      await sim.settled();
      await runtime.tick();
      await runtime.drain();
      // The scripted operator: every third customer asks for a callback in 10 minutes once; the rest are done.
      for (const form of await runtime.pendingForms()) {
        const key = `${form.executionId}:${form.step}`;
        if (answered.has(key)) continue;
        answered.add(key);
        const telValue = String(form.form.fields.find((f) => f.name === 'tel')?.value ?? '');
        const i = Number(telValue.slice(-6));
        const again = i % 3 === 1 && !String(form.form.fields.find((f) => f.name === 'comments')?.value ?? '').includes('callback');
        await runtime.submitForm(form.executionId, form.step, again ? { callbackMinutes: 10, comments: 'asked for a callback' } : { comments: 'done' });
      }
      await runtime.drain();
      const { rows } = await db.query<{
        Id: number;
        status: number | null;
        first_name: string;
        last_name: string;
        tel: string;
        operator_number: string | null;
        due_at: Date | null;
      }>('select "Id", status, first_name, last_name, tel, operator_number, due_at from table_out_call order by "Id"');
      for (const r of rows) {
        const before = seen.has(r.Id) ? seen.get(r.Id)! : null;
        if (seen.has(r.Id) && before === r.status) continue;
        if (!seen.has(r.Id) && r.status === null) {
          seen.set(r.Id, null);
          continue;
        }
        seen.set(r.Id, r.status);
        transitions++;
        const t = new Date(clock.now() - start).toISOString().slice(11, 19);
        const extra =
          r.status === 10 && r.due_at
            ? `, due at +${new Date(r.due_at.getTime() - start).toISOString().slice(11, 16)}`
            : r.status === 11
              ? `, operator ${r.operator_number}`
              : '';
        o.print(
          `[+${t}] #${String(r.Id).padStart(2)} ${`${r.first_name} ${r.last_name}`.padEnd(16)} ${r.tel}  ${label(before)} → ${label(r.status)}${extra}\n`,
        );
      }
      if (rows.every((r) => r.status === 12)) break;
      // Nothing in flight: skip the quiet minutes until the next callback is due.
      const busy = await db.query<{ n: number }>(`select count(*)::int as n from executions where status in ('running', 'waiting')`);
      const next = rows.filter((r) => r.status === 10 && r.due_at).map((r) => r.due_at!.getTime());
      if (busy.rows[0]!.n === 0 && next.length && Math.min(...next) - 5000 > clock.now() && o.speed === 0) {
        clock.set(Math.min(...next) - 5000);
      }
      if (o.speed > 0) await new Promise((r) => setTimeout(r, 1000 / o.speed));
    }
    const statuses: Record<string, number> = {};
    for (const s of seen.values()) statuses[label(s)] = (statuses[label(s)] ?? 0) + 1;
    const calls = (await sim.callLog()).length;
    return { statuses, calls, simulatedMs: clock.now() - start, transitions };
  } finally {
    await runtime.close();
    sim.dispose();
    await db.close();
  }
}

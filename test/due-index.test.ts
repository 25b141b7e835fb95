/**
 * The callback monitor's claim stays an index lookup on a big subscriber
 * table: with many rows loaded (1,000,000 on PostgreSQL; 200,000 on PGlite, which
 * loads them about half as fast, to keep its part near 10 s), of which 1,000
 * are due, the planner
 * answers the monitor's inner select from the partial index
 * `table_out_call_due_idx` (due_at where status = 10), never by reading the
 * table. Also checks that the `due_at` trigger filled the column as
 * domain.md §1 says: "call back in N minutes" wins over a date and time, and a
 * date and time are read in the outbound task's time zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASE_KINDS, loadSubscribers, postgresAvailable, type DatabaseKind, type TestDatabase } from '@tellflow/db/testing';

const T0 = new Date(Date.UTC(2026, 10, 22, 9, 0, 0));
const MIN = 60_000;
const ROWS: Record<DatabaseKind, number> = { postgres: 1_000_000, pglite: 200_000 };
const DUE = 1_000;
const hasPostgres = await postgresAvailable();

/**
 * The monitor's inner select: one row (its first design) or a batch (what
 * scenarios/callback-monitor.json claims now, `limit :batch`).
 */
const CLAIM_ONE = `select "Id" from table_out_call where status = 10 and due_at <= $1 order by due_at limit 1 for update skip locked`;
const CLAIM_BATCH = `select "Id" from table_out_call where status = 10 and due_at <= $1 order by due_at limit $2 for update skip locked`;

/**
 * Every `every`-th row is due (status 10, called 10 minutes ago with "call
 * back in 5 minutes"); of the rest, 1 in 20 has a callback date in 2027
 * (status 10, not due), 9 in 20 succeeded (12) and the others are new (null).
 */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

async function explain(t: TestDatabase, text: string, params: unknown[]): Promise<PlanNode[]> {
  const { rows } = await t.db.query<Record<string, unknown>>(`explain (format json) ${text}`, params);
  const raw = Object.values(rows[0]!)[0];
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return planNodes(doc[0]!.Plan);
}

const describe_ = (p: PlanNode) =>
  `${p['Node Type']}${p['Relation Name'] ? ` on ${p['Relation Name']}` : ''}${p['Index Name'] ? ` using ${p['Index Name']}` : ''}`;

/**
 * One row: an (ordered) Index Scan of the due index under the Limit, nothing
 * sorted. A batch may also be a bitmap scan of the due index and a sort of the
 * due rows (cheap: only the due rows are read). Never a Seq Scan.
 */
function expectDueIndexPlan(nodes: PlanNode[], mode: 'one' | 'batch'): void {
  const shape = nodes.map(describe_).join(' → ');
  expect(
    nodes.some((n) => n['Node Type'] === 'Seq Scan'),
    shape,
  ).toBe(false);
  const indexScans = nodes.filter((n) => n['Index Name'] !== undefined);
  expect(
    indexScans.map((n) => n['Index Name']),
    shape,
  ).toEqual(['table_out_call_due_idx']);
  const allowed = mode === 'one' ? ['Index Scan', 'Index Only Scan'] : ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan'];
  expect(allowed, shape).toContain(indexScans[0]!['Node Type']);
  if (mode === 'one')
    expect(
      nodes.map((n) => n['Node Type']),
      shape,
    ).not.toContain('Sort');
}

for (const kind of DATABASE_KINDS) {
  const rows = ROWS[kind];
  const skip = kind === 'postgres' && !hasPostgres;

  describe.skipIf(skip)(`table_out_call_due_idx on ${kind} with ${rows.toLocaleString('en-US')} rows, ${DUE.toLocaleString('en-US')} due`, () => {
    let t: TestDatabase;

    beforeAll(async () => {
      t = await createTestDatabase(kind);
      for (const [id, tz] of [
        ['bulk', 'UTC'],
        ['msk', 'Europe/Moscow'],
      ]) {
        await t.db.query(
          `insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, hours, time_zone)
           values ($1, $1, 'dialog', 'outbound-routing', 'operator-call', '{"from": "09:00", "to": "21:00", "days": [1, 2, 3, 4, 5]}', $2)`,
          [id, tz],
        );
      }
      const r = await loadSubscribers(t.db, { now: T0, every: rows / DUE, rows });
      expect(r.rowCount).toBe(rows);
      await t.db.query('analyze table_out_call');
    }, 180_000);

    afterAll(async () => {
      await t?.drop();
    });

    it('has the expected mix of rows', async () => {
      const {
        rows: [c],
      } = await t.db.query<{ all: number; due: number; waiting: number; done: number; fresh: number }>(
        `select count(*)::int as all,
           count(*) filter (where status = 10 and due_at <= $1)::int as due,
           count(*) filter (where status = 10 and due_at > $1)::int as waiting,
           count(*) filter (where status = 12)::int as done,
           count(*) filter (where status is null)::int as fresh
         from table_out_call`,
        [T0],
      );
      expect(c).toMatchObject({ all: rows, due: DUE });
      expect(c!.waiting).toBeGreaterThan(rows / 25);
      expect(c!.done + c!.fresh + c!.waiting + c!.due).toBe(rows);
    });

    it("plans the monitor's claim (one row, and a batch) as a scan of table_out_call_due_idx", async () => {
      expectDueIndexPlan(await explain(t, CLAIM_ONE, [T0]), 'one');
      expectDueIndexPlan(await explain(t, CLAIM_BATCH, [T0, 500]), 'batch');
      // And the query finds the earliest due row.
      const { rows: found } = await t.db.query<{ Id: number }>(CLAIM_ONE, [T0]);
      expect(found).toHaveLength(1);
      const {
        rows: [first],
      } = await t.db.query<{ Id: number }>(`select "Id" from table_out_call where status = 10 and due_at <= $1 order by due_at, "Id" limit 1`, [T0]);
      const dueAt = async (id: number) =>
        (await t.db.query<{ due_at: Date }>('select due_at from table_out_call where "Id" = $1', [id])).rows[0]!.due_at.getTime();
      expect(await dueAt(found[0]!.Id)).toBe(await dueAt(first!.Id));
    });

    it('computed due_at with the trigger: minutes win over a date, a date is read in the task time zone', async () => {
      // From the bulk load: a due row (called at T0 - 10 min, back in 5), a dated row (task in UTC), a new row, a finished row.
      const every = rows / DUE;
      const bulk = async (id: number) =>
        (await t.db.query<{ status: number | null; due_at: Date | null }>('select status, due_at from table_out_call where "Id" = $1', [id])).rows[0]!;
      expect(await bulk(every)).toEqual({ status: 10, due_at: new Date(T0.getTime() - 5 * MIN) });
      expect(await bulk(21)).toEqual({ status: 10, due_at: new Date('2027-01-22T10:30:00Z') }); // date '2027-01-01' + 21
      expect(await bulk(3)).toEqual({ status: null, due_at: null });
      expect(await bulk(2)).toEqual({ status: 12, due_at: null });

      // Rows of a task in Moscow (UTC+3).
      const add = async (values: { callaftermin?: number | null; date_callback?: string | null; time_callback?: string | null; date_call?: Date | null }) =>
        (
          await t.db.query<{ Id: number; due_at: Date | null }>(
            `insert into table_out_call (tel, task_id, status, callaftermin, date_callback, time_callback, date_call)
           values ('+79990000000', 'msk', 10, $1, $2, $3, $4) returning "Id", due_at`,
            [values.callaftermin ?? null, values.date_callback ?? null, values.time_callback ?? null, values.date_call ?? null],
          )
        ).rows[0]!;
      const called = new Date(T0.getTime() + 24 * 60 * MIN); // tomorrow: none of these rows is due now
      const both = await add({ callaftermin: 15, date_callback: '2026-12-01', time_callback: '10:30', date_call: called });
      expect(both.due_at).toEqual(new Date(called.getTime() + 15 * MIN));
      const dated = await add({ date_callback: '2026-12-01', time_callback: '10:30', date_call: called });
      expect(dated.due_at!.toISOString()).toBe('2026-12-01T07:30:00.000Z'); // 10:30 in Moscow
      const dateOnly = await add({ date_callback: '2026-12-01' });
      expect(dateOnly.due_at!.toISOString()).toBe('2026-11-30T21:00:00.000Z'); // midnight in Moscow
      const zeroMinutes = await add({ callaftermin: 0, date_callback: '2026-12-01', time_callback: '10:30', date_call: called });
      expect(zeroMinutes.due_at!.toISOString()).toBe('2026-12-01T07:30:00.000Z'); // 0 minutes: the date counts

      // Claiming (11) clears due_at, so the row leaves the index; back to 10 recomputes it.
      const status = async (id: number, s: number) =>
        (await t.db.query<{ due_at: Date | null }>('update table_out_call set status = $2 where "Id" = $1 returning due_at', [id, s])).rows[0]!.due_at;
      expect(await status(dated.Id, 11)).toBeNull();
      expect((await status(dated.Id, 10))!.toISOString()).toBe('2026-12-01T07:30:00.000Z');
    });
  });
}

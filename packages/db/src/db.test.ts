import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exclusively } from './exclusive.ts';
import { migrate } from './migrate.ts';
import { createEmptyTestDatabase, DATABASE_KINDS, postgresAvailable, type TestDatabase } from './testing.ts';

const hasPostgres = await postgresAvailable();

describe.each(DATABASE_KINDS)('database on %s', (kind) => {
  const skip = kind === 'postgres' && !hasPostgres;
  let t: TestDatabase;
  beforeAll(async () => {
    if (!skip) t = await createEmptyTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it.skipIf(skip)('applies the migrations once, also when two runs race', async () => {
    const [a, b] = await Promise.all([migrate(t.db), migrate(t.db)]);
    expect(a.applied + b.applied).toBeGreaterThan(0);
    expect(Math.min(a.applied, b.applied)).toBe(0);
    expect((await migrate(t.db)).applied).toBe(0);
    const tables = await t.db.query<{ n: string }>("select table_name as n from information_schema.tables where table_schema = 'public' order by 1");
    expect(tables.rows.map((r) => r.n)).toEqual(
      expect.arrayContaining(['effects', 'execution_steps', 'executions', 'scenario_versions', 'scenarios', 'sessions', 'users']),
    );
  });

  it.skipIf(skip)('runs work under one name one caller at a time, and frees the lock when the work fails', async () => {
    const log: string[] = [];
    const job =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name} in`);
        await t.db.query('select pg_sleep(0.02)');
        log.push(`${name} out`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      };
    const results = await Promise.allSettled([exclusively(t.db, 'x', job('a', true)), exclusively(t.db, 'x', job('b')), exclusively(t.db, 'x', job('c'))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a failed', 'b', 'c']);
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]!.replace(' in', ' out'));
    // Other names do not wait.
    expect(await exclusively(t.db, 'y', async () => exclusively(t.db, 'z', async () => 'nested'))).toBe('nested');
  });

  it.skipIf(skip)('binds values instead of splicing them into the text', async () => {
    const evil = "'; drop table users; --";
    const r = await t.db.query<{ v: string }>('select $1::text as v', [evil]);
    expect(r.rows[0]!.v).toBe(evil);
    expect((await t.db.query('select count(*)::int as n from users')).rows[0]).toEqual({ n: 0 });
  });

  it.skipIf(skip)('rolls back a failed transaction and reports row counts', async () => {
    await t.db.query('create table tx_probe (id int primary key)');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('insert into tx_probe values (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await t.db.query('select * from tx_probe')).rows).toEqual([]);
    const ins = await t.db.query('insert into tx_probe values (1), (2)');
    expect(ins.rowCount).toBe(2);
    const upd = await t.db.query('update tx_probe set id = id + 10 where id > $1', [1]);
    expect(upd.rowCount).toBe(1);
    // The same count on both databases for rows returned (PostgreSQL's command tag), changed, or both.
    expect((await t.db.query('select * from tx_probe')).rowCount).toBe(2);
    expect((await t.db.query('update tx_probe set id = id + 1 returning id')).rowCount).toBe(2);
    expect((await t.db.query('delete from tx_probe where id < 0')).rowCount).toBe(0);
  });

  it.skipIf(skip)('delivers NOTIFY to listeners', async () => {
    const got: string[] = [];
    const stop = await t.db.listen('probe_channel', (p) => got.push(p));
    await t.db.notify('probe_channel', 'hello');
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await stop();
    expect(got).toEqual(['hello']);
  });
});

/**
 * The scenarios' role as the migrations leave it (0009): what it may touch,
 * and every attack of issue 10 point 4 tried as the role itself, without
 * the runtime's checks of the text in front of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_ROLE, grantToScenarios, type Transaction } from './index.ts';
import { migrate } from './migrate.ts';
import { createTestDatabase, DATABASE_KINDS, postgresAvailable, type TestDatabase } from './testing.ts';

const hasPostgres = await postgresAvailable();

/** Runs `text` as the scenarios' role under a savepoint; the error's SQLSTATE and message, or 'ok'. */
async function asScenario(tx: Transaction, text: string): Promise<string> {
  return tx
    .savepoint(async (sp) => {
      await sp.query(`select set_config('role', '${SCENARIO_ROLE}', true)`);
      await sp.query(text);
      return 'ok';
    })
    .catch((e: { code?: string; message?: string }) => `${e.code}: ${e.message}`);
}

describe.each(DATABASE_KINDS)('the scenarios role on %s', (kind) => {
  const skip = kind === 'postgres' && !hasPostgres;
  let t: TestDatabase;
  beforeAll(async () => {
    if (!skip) t = await createTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });

  it.skipIf(skip)("may use the business tables and none of Tellflow's own", async () => {
    const { rows: role } = await t.db.query<{ login: boolean; member: boolean }>(
      `select rolcanlogin as login, pg_has_role(current_user, rolname, 'MEMBER') as member from pg_roles where rolname = $1`,
      [SCENARIO_ROLE],
    );
    expect(role).toEqual([{ login: false, member: true }]);
    // Every table, so a table a later migration adds is seen here too.
    const { rows } = await t.db.query<{ name: string; rights: string[] }>(
      `select tablename as name, array(
         select p from unnest(array['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger']) p
         where has_table_privilege($1, quote_ident(tablename), p)) as rights
       from pg_tables where schemaname = 'public' order by tablename`,
      [SCENARIO_ROLE],
    );
    expect(rows.filter((r) => r.rights.length)).toEqual([
      { name: 'call_history', rights: ['select'] },
      { name: 'table_out_call', rights: ['select', 'insert', 'update', 'delete'] },
    ]);
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['users', 'sessions', 'executions', 'effects', 'scenarios', 'scenario_versions']));
    const { rows: other } = await t.db.query(
      `select has_schema_privilege($1, 'public', 'create') as create_in_public,
         has_database_privilege($1, current_database(), 'temporary') as temp,
         has_language_privilege($1, 'plpgsql', 'usage') as plpgsql,
         has_function_privilege($1, 'pg_read_file(text)', 'execute') as read_file,
         has_function_privilege($1, 'query_to_xml(text, boolean, boolean, text)', 'execute') as query_to_xml,
         has_function_privilege($1, 'ts_stat(text)', 'execute') as ts_stat`,
      [SCENARIO_ROLE],
    );
    expect(other).toEqual([{ create_in_public: false, temp: false, plpgsql: false, read_file: false, query_to_xml: false, ts_stat: false }]);
  });

  it.skipIf(skip)('is refused every attack of the issue, by the database itself', async () => {
    await t.db.query(`insert into users (username, password_hash, role) values ('agent1', 'scrypt$x', 'agent') on conflict do nothing`);
    const attacks = [
      'select password_hash from users',
      'select * from sessions',
      'select secret from token_signing_keys',
      'select secret_hash from api_keys',
      "update users set role = 'admin' where username = 'agent1'",
      "select pg_read_file('/etc/passwd')",
      "select pg_ls_dir('.')",
      "select lo_import('/etc/hosts')",
      "copy users to '/tmp/tellflow-sandbox-copy'",
      "copy (select 1) to program 'id'",
      `do $$ begin execute 'copy (select 1) to ''/tmp/tellflow-sandbox-do'''; end $$`,
      "select query_to_xml('select set_config(''role'', ''none'', true)', true, false, '')",
      "select ts_stat('select set_config(''role'', ''none'', true)::tsvector')",
      'create table mine (a int)',
      'create temp table mine (a int)',
      'create function mine() returns int language sql as $$ select 1 $$',
    ];
    const results = await t.db.transaction(async (tx) => {
      const out: string[] = [];
      for (const a of attacks) out.push(await asScenario(tx, a)); // one savepoint after the other
      return out;
    });
    for (const [i, r] of results.entries())
      expect(r, attacks[i]).toMatch(/^42501: (permission denied|must be superuser|.*pg_read_server_files|.*pg_write_server_files|.*pg_execute_server_program)/);
    expect((await t.db.query(`select role from users where username = 'agent1'`)).rows).toEqual([{ role: 'agent' }]);
  });

  it.skipIf(skip)("runs the subscribers' due_at trigger as its owner, which reads outbound_tasks for it", async () => {
    await t.db.query(`insert into outbound_tasks (id, name, dialog_scenario_id, routing_scenario_id, operator_call_scenario_id, hours, time_zone)
      values ('t', 't', 'd', 'r', 'o', '{}', 'Europe/Moscow') on conflict do nothing`);
    const r = await t.db.transaction(async (tx) =>
      asScenario(tx, `insert into table_out_call (tel, task_id, status, date_callback, time_callback) values ('+7', 't', 10, '2030-01-02', '10:00')`),
    );
    expect(r).toBe('ok');
    const { rows } = await t.db.query<{ due: Date }>(`select due_at as due from table_out_call where tel = '+7'`);
    expect(rows[0]!.due.toISOString()).toBe('2030-01-02T07:00:00.000Z');
  });

  it.skipIf(skip)('is given a new business table, with its sequence, by grantToScenarios', async () => {
    await t.db.query('create table customers (id serial primary key, name text)');
    const before = await t.db.transaction((tx) => asScenario(tx, `insert into customers (name) values ('a')`));
    expect(before).toMatch(/^42501: permission denied for table customers/);
    await grantToScenarios(t.db, 'customers');
    expect(await t.db.transaction((tx) => asScenario(tx, `insert into customers (name) values ('a')`))).toBe('ok');
    await expect(grantToScenarios(t.db, 'customers', 'select; drop table users')).rejects.toThrow('not a list of table privileges');
  });

  it.skipIf(skip || kind === 'pglite')('is created once per cluster while several databases migrate at once', async () => {
    const more = await Promise.all([1, 2, 3].map(() => createTestDatabase(kind)));
    try {
      expect(await Promise.all(more.map((m) => migrate(m.db)))).toEqual([{ applied: 0 }, { applied: 0 }, { applied: 0 }]);
    } finally {
      await Promise.all(more.map((m) => m.drop()));
    }
  });
});

/**
 * Issue 10, points 4 and 5: a scenario's SQL as an attacker would write it.
 * It runs as the restricted role (migration 0009): Tellflow's tables, files
 * and programs are out of reach; what validation would refuse is refused at
 * run time too (a version written straight into scenario_versions); and a
 * statement that leaves its role or changes the settings the transaction
 * relies on, however it was written, is refused and undone by the runtime's
 * check, leaving every pooled connection as it was.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SCENARIO_ROLE, type Database } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import type { Json } from '@tellflow/engine';
import { guarded, type Sandbox } from './effects/statement.ts';
import type { StepCommit } from './sql/commit-step.ts';
import { insertExecution } from './sql/executions.ts';
import { doc, T0, useHarness, type Harness, startEnd } from './test-support.ts';
import { TransactionQueue, type InTransactionStep } from './transaction-queue.ts';

/** start → the sql node → `ok` / `empty` end with the rows, `error` end with lastError. */
const probe = (query: string) =>
  doc(
    'probe',
    [
      { id: 'start', type: 'start' },
      { id: 'q', type: 'sql', params: { query, result: 'rows', into: 'rows' } },
      { id: 'done', type: 'end', params: { result: { var: 'rows' } } },
      { id: 'failed', type: 'end', params: { result: { var: 'lastError' } } },
    ],
    [
      ['start:next', 'q'],
      ['q:ok', 'done'],
      ['q:empty', 'done'],
      ['q:error', 'failed'],
    ],
  );

/** The session's own search_path (PostgreSQL's default differs from PGlite's). */
async function defaultPath(db: Database): Promise<string> {
  return (await db.query<{ path: string }>(`select current_setting('search_path') as path`)).rows[0]!.path;
}

/**
 * What every pooled connection shows in a transaction of its own: the
 * server's role, default settings. The `n` transactions wait for each other
 * before they end, so they hold `n` connections at once (the pool's size).
 */
async function connections(db: Database, n: number) {
  let arrived = 0;
  let all!: () => void;
  const together = new Promise<void>((resolve) => (all = resolve));
  const seen = await Promise.all(
    Array.from({ length: n }, () =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number; role: string; session: string; timeout: string; path: string }>(
          `select pg_backend_pid() as pid, current_user::text as role, session_user::text as session,
             current_setting('statement_timeout') as timeout, current_setting('search_path') as path`,
        );
        if (++arrived === n) all();
        await together;
        return rows[0]!;
      }),
    ),
  );
  return {
    pids: new Set(seen.map((s) => s.pid)).size,
    states: [...new Set(seen.map(({ role, session, timeout, path }) => JSON.stringify({ role, session, timeout, path })))],
  };
}

describe.each(DATABASE_KINDS)('scenario SQL in its sandbox on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  let agent: string;
  beforeEach(async () => {
    h = current();
    const { rows } = await h.t.db.query<{ id: string }>(
      `insert into users (username, password_hash, role) values ('agent1', 'scrypt$secret', 'agent') returning id`,
    );
    agent = rows[0]!.id;
    await h.t.db.query(`insert into sessions (token_hash, user_id, expires_at) values ('token-hash', $1, now() + interval '1 day')`, [agent]);
  });

  /** Publishes the probe with `query` (validated as usual) and runs it to its end. */
  const run = async (query: string) => {
    await h.publish(probe(query));
    return finish();
  };

  /** Publishes a harmless probe, then writes `query` into that version straight, around validation (an old or tampered row). */
  const runStored = async (query: string) => {
    await h.publish(probe('select 1 as one'));
    await h.t.db.query(`update scenario_versions set document = $1 where scenario_id = 'probe'`, [JSON.stringify(probe(query))]);
    return finish();
  };

  const finish = async () => {
    const id = await h.runtime.start('probe');
    await h.runtime.drain();
    const x = await h.runtime.execution(id);
    return { status: x.status, result: x.result as Json, path: x.trace.map((t) => `${t.nodeId}:${t.outcome}`).join(' ') };
  };

  const clean = async () => {
    const n = kind === 'postgres' ? 10 : 1; // the harness's pool; PGlite is one connection
    const { pids, states } = await connections(h.t.db, n);
    expect(pids).toBe(n);
    // The server connects as postgres in tests (PGlite's only user too).
    expect(states.map((s) => JSON.parse(s))).toEqual([{ role: 'postgres', session: 'postgres', timeout: '0', path: await defaultPath(h.t.db) }]);
  };

  it.skipIf(skip)("cannot read or change Tellflow's own tables: users, sessions, executions; the business tables work", async () => {
    const denied = [
      ['select username, password_hash from users', 'users'],
      ['select token_hash, user_id from sessions', 'sessions'],
      ["update users set role = 'admin' where username = 'agent1'", 'users'],
      ["update executions set status = 'completed'", 'executions'],
      ['select document from scenario_versions', 'scenario_versions'],
      ['delete from effects', 'effects'],
    ] as const;
    for (const [query, table] of denied) {
      const x = await run(query);
      expect(x, query).toEqual({ status: 'completed', result: `permission denied for table ${table}`, path: 'start:next q:error failed:null' });
    }
    expect((await h.t.db.query(`select role, password_hash from users where username = 'agent1'`)).rows).toEqual([
      { role: 'agent', password_hash: 'scrypt$secret' },
    ]);
    // setStatus names its table in the scenario: the same rights apply.
    await h.publish(
      doc(
        'status',
        [
          { id: 'start', type: 'start' },
          { id: 's', type: 'setStatus', params: { table: 'executions', idColumn: 'scenario_id', id: 'probe', status: 1 } },
          { id: 'done', type: 'end' },
          { id: 'failed', type: 'end', params: { result: { var: 'lastError' } } },
        ],
        [
          ['start:next', 's'],
          ['s:next', 'done'],
          ['s:error', 'failed'],
        ],
      ),
    );
    const s = await h.runtime.start('status');
    await h.runtime.drain();
    expect((await h.runtime.execution(s)).result).toBe('permission denied for table executions');

    await h.t.db.query(`insert into table_out_call (tel, status) values ('+7000', 10)`);
    expect(await run(`update table_out_call set status = 11 where tel = '+7000' returning tel, status`)).toMatchObject({
      result: [{ tel: '+7000', status: 11 }],
    });
    expect(await run(`insert into table_out_call (tel) values ('+7001') returning tel`)).toMatchObject({ result: [{ tel: '+7001' }] });
    expect(await run('select count(*)::int as n from call_history')).toMatchObject({ result: [{ n: 0 }] });
    await clean();
  });

  it.skipIf(skip)('a stored version that validation would refuse fails at its node, and leaves every connection as it was', async () => {
    const refused: [string, RegExp][] = [
      ["select set_config('statement_timeout', '1', false)", /call set_config\(\) for the session/],
      // A quoted name is the same function: neither validation nor the run-time check of the text was fooled before.
      [`select "set_config"('statement_timeout', '1', false)`, /call set_config\(\) for the session/],
      ["select pg_catalog.set_config('search_path', 'pg_catalog', true)", /call set_config\('search_path', …\)/],
      ["select set_config('role', 'none', true)", /call set_config\('role', …\)/],
      ["select set_config(x, 'none', true) from (values ('role')) v(x)", /with a name that is not a literal string/],
      ['reset role', /must not be a RESET statement/],
      [`do $$ begin execute 'copy (select 1) to ''/tmp/tellflow-sandbox-escape'''; end $$`, /must not be a DO statement/],
      ["select pg_read_file('/etc/passwd')", /call pg_read_file\(\)/],
      [`select query_to_xml('select set_config(''role'', ''none'', true)', true, false, '')`, /call query_to_xml\(\)/],
      [`select ts_stat('select set_config(''role'', ''none'', true)::tsvector')`, /call ts_stat\(\)/],
      [`select U&"\\0073et_config"('work_mem', '1MB', false)`, /must not use U&"…" identifiers/],
      ['declare c cursor with hold for select 1', /must not be a DECLARE statement/],
    ];
    for (const [query, error] of refused) {
      const x = await runStored(query);
      expect(x.status, query).toBe('completed');
      expect(x.path, query).toBe('start:next q:error failed:null');
      expect(x.result, query).toMatch(/^the query must not /);
      expect(x.result, query).toMatch(error);
    }
    await clean();
  });
});

describe.each(DATABASE_KINDS)("the sandbox's run-time check on %s", (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(async () => {
    h = current();
    await h.publish(startEnd('x'));
  });

  /** A step that runs `text` raw, through `guarded` only (no check of its text), and records who ran the statement after it. */
  const raw = (id: string, text: string): InTransactionStep & { result?: Json } => {
    const s: InTransactionStep & { result?: Json } = {
      executionId: id,
      timeoutMs: 5_000,
      perform: async (tx, sandbox: Sandbox) => {
        const r = await guarded(tx, sandbox, text, [], () => ({ ok: true }));
        const after = await tx.query<{ role: string; timeout: string; path: string }>(
          `select current_user::text as role, current_setting('statement_timeout') as timeout, current_setting('search_path') as path`,
        );
        return { ...r, after: after.rows[0]! } as Json;
      },
      next: (result): StepCommit => {
        s.result = result;
        return { id, owner: 'me', state: { status: 'completed', vars: {}, steps: 1, startedAt: T0, endedAt: T0 }, now: T0, trace: [], effects: [] };
      },
    };
    return s;
  };

  it.skipIf(skip)('refuses and undoes a statement that leaves the role or changes a kept setting, whatever its text', async () => {
    const escapes: [string, RegExp][] = [
      ['reset role', /left its database role \(it ran on as "postgres"\)/],
      ['set role none', /left its database role/],
      ["select set_config('role', 'none', true)", /left its database role/],
      ["select set_config('role', 'none', false)", /left its database role/],
      ['set session authorization default', /left its database role/],
      ["select set_config('statement_timeout', '1', false)", /changed statement_timeout \(to "1ms"\)/],
      ["select set_config('search_path', 'pg_catalog', false)", /changed search_path \(to "pg_catalog"\)/],
      ["select set_config('search_path', 'pg_catalog', true)", /changed search_path/],
    ];
    const ids = await Promise.all(
      [...escapes, ['select 1', /./] as const].map(() =>
        insertExecution(h.t.db, { scenarioId: 'x', version: 1, input: {}, now: T0, lease: { owner: 'me', until: T0 + 60_000 } }),
      ),
    );
    const steps = [...escapes.map(([text], i) => raw(ids[i]!, text)), raw(ids[escapes.length]!, 'select 1')];
    // All in one transaction, one after the other: each escape is undone before the next step runs.
    const queue = new TransactionQueue(h.t.db, 'me', { maxInFlight: 1, maxBatch: 64 });
    const outcomes = await Promise.all(steps.map((s) => queue.run(s)));
    expect(outcomes.every((o) => o?.committed)).toBe(true);
    for (const [i, [text, error]] of escapes.entries()) {
      const r = steps[i]!.result as { ok: boolean; error: string; after: Record<string, string> };
      expect(r.ok, text).toBe(false);
      expect(r.error, text).toMatch(error);
      expect(r.error, text).toMatch(/: refused and undone \(scenario SQL runs as tellflow_scenario/);
      expect(r.after, text).toEqual({ role: SCENARIO_ROLE, timeout: '5s', path: await defaultPath(h.t.db) });
    }
    expect(steps.at(-1)!.result).toMatchObject({ ok: true, after: { role: SCENARIO_ROLE } });
    const { rows } = await h.t.db.query<{ status: string }>('select distinct status from executions where id = any($1::uuid[])', [ids]);
    expect(rows).toEqual([{ status: 'completed' }]);
    const n = kind === 'postgres' ? 10 : 1;
    const { pids, states } = await connections(h.t.db, n);
    expect(pids).toBe(n);
    expect(states.map((s) => JSON.parse(s))).toEqual([{ role: 'postgres', session: 'postgres', timeout: '0', path: await defaultPath(h.t.db) }]);
  });
});

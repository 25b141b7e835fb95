/**
 * Crash safety on real PostgreSQL: executions that dial, wait and write rows
 * survive a kill -9 of the server mid-run and a restart; and two servers on
 * one database share the work with every step done once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, truncateAll, type TestDatabase } from '@tellflow/db/testing';
import { grantToScenarios } from '@tellflow/db';
import { SCENARIO_FORMAT } from '@tellflow/engine';
import { Runtime } from '@tellflow/runtime';
import { TelephonySimulator } from '@tellflow/telephony';
import { systemClock } from '@tellflow/clock';
import { startServer, type ServerProcess } from './support/server-process.ts';

const hasPostgres = await postgresAvailable();
const EXECUTIONS = 200;

/** start → write "before" → dial → wait 1 s → write "after" → end; every dial outcome carries on. */
const scenario = {
  format: SCENARIO_FORMAT,
  id: 'crash-probe',
  name: 'Crash probe',
  kind: 'service',
  nodes: [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'k', type: 'number', required: true }] } },
    { id: 'before', type: 'sql', params: { query: "insert into crash_log (k, phase) values (:k, 'before')", params: { k: { var: 'k' } }, result: 'none' } },
    // A dial ringing when the server is killed has no outcome (the simulator's leg died with it): the next process takes
    // it over once the dead one stops beating and ends it as lost; an outcome the dead one had logged is handed on.
    { id: 'dial', type: 'dialCustomer', params: { number: { cat: ['+7900', { var: 'k' }] }, into: 'call', timeoutSec: 10 } },
    { id: 'pause', type: 'wait', params: { seconds: 1 } },
    { id: 'after', type: 'sql', params: { query: "insert into crash_log (k, phase) values (:k, 'after')", params: { k: { var: 'k' } }, result: 'none' } },
    { id: 'end', type: 'end', params: { result: { var: 'call.outcome' } } },
  ],
  edges: [
    { source: 'start', sourceHandle: 'next', target: 'before' },
    { source: 'before', sourceHandle: 'ok', target: 'dial' },
    ...['answered', 'busy', 'noAnswer', 'failed'].map((o) => ({ source: 'dial', sourceHandle: o, target: 'pause' })),
    { source: 'pause', sourceHandle: 'next', target: 'after' },
    { source: 'after', sourceHandle: 'ok', target: 'end' },
  ],
};

describe.skipIf(!hasPostgres)('crash safety on real PostgreSQL', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'tellflow-crash-'));
    const rules = join(dir, 'sim.json');
    writeFileSync(rules, JSON.stringify({ customers: { rules: [{ match: '*', outcome: 'answered', afterMs: 300 }] } }));
    env = {
      DATABASE_URL: t.url!,
      TELLFLOW_SIM_RULES: rules,
      TELLFLOW_LEASE_MS: '2000',
      TELLFLOW_POLL_MS: '100',
      TELLFLOW_ADMIN_PASSWORD: 'crash-test-password',
      TELLFLOW_DATA_DIR: dir,
    };
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => {});
    await t?.drop();
  });

  /** Imports the probe and starts the executions straight through the database (no server needed for that). */
  async function startExecutions(): Promise<void> {
    await truncateAll(t.db);
    await t.db.query('create table if not exists crash_log (k int not null, phase text not null)');
    await grantToScenarios(t.db, 'crash_log');
    await t.db.query('truncate crash_log');
    const sim = new TelephonySimulator({ clock: systemClock, rules: {} });
    const runtime = new Runtime({ db: t.db, telephony: sim });
    const { version } = await runtime.scenarios.save(scenario);
    await runtime.scenarios.publish(version.scenarioId, version.version);
    for (let k = 1; k <= EXECUTIONS; k++) await runtime.start('crash-probe', { input: { k } });
    await runtime.close();
    sim.dispose();
  }

  async function count(sql: string): Promise<number> {
    return (await t.db.query<{ n: number }>(sql)).rows[0]!.n;
  }

  async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function expectEverythingOnce(): Promise<void> {
    await waitUntil(
      'every execution has ended',
      async () => (await count("select count(*)::int as n from executions where status in ('running', 'waiting')")) === 0,
    );
    expect(await count("select count(*)::int as n from executions where status = 'completed'")).toBe(EXECUTIONS);
    // Each SQL write happened exactly once per execution.
    const perPhase = await t.db.query<{ phase: string; rows: number; keys: number }>(
      'select phase, count(*)::int as rows, count(distinct k)::int as keys from crash_log group by phase order by phase',
    );
    expect(perPhase.rows).toEqual([
      { phase: 'after', rows: EXECUTIONS, keys: EXECUTIONS },
      { phase: 'before', rows: EXECUTIONS, keys: EXECUTIONS },
    ]);
    // One call per execution: the simulator's log holds one attempt per (execution, step) key and no second attempt to any number.
    expect(await count('select count(*)::int as n from sim_calls')).toBe(EXECUTIONS);
    expect(await count('select count(distinct "to")::int as n from sim_calls')).toBe(EXECUTIONS);
    expect(await count('select max(attempt)::int as n from sim_calls')).toBe(1);
    // Every trace has all six steps, none twice (the primary key forbids it; the count proves none is missing).
    expect(await count('select count(*)::int as n from execution_steps')).toBe(EXECUTIONS * 6);
    // Every call has its outcome in the log, and no execution whose call the log says was answered went on as failed.
    expect(await count('select count(*)::int as n from sim_calls where outcome is null')).toBe(0);
    expect(
      await count(`select count(*)::int as n from executions x join sim_calls s on s.key like x.id::text || ':%'
                   where s.outcome = 'answered' and x.result #>> '{}' <> 'answered'`),
    ).toBe(0);
  }

  /** What became of the calls, for the report. */
  async function figures(label: string): Promise<void> {
    const { rows } = await t.db.query<{ outcome: string | null; lost: boolean; n: number }>(
      'select outcome, lost, count(*)::int as n from sim_calls group by outcome, lost order by outcome, lost',
    );
    const failed = await count("select count(*)::int as n from executions where result #>> '{}' = 'failed'");
    console.log(`[crash-safety] ${label}: ${EXECUTIONS} executions, ${failed} ended failed; calls ${JSON.stringify(rows)}`);
  }

  it('finishes every execution exactly once across a kill -9 and restart', async () => {
    await startExecutions();
    const first = await startServer(env);
    servers.push(first);
    await waitUntil(
      'some executions are past their dial',
      async () => (await count("select count(*)::int as n from crash_log where phase = 'before'")) >= EXECUTIONS / 2,
      60_000,
    );
    await first.kill9();
    const unfinished = await count("select count(*)::int as n from executions where status in ('running', 'waiting')");
    expect(unfinished).toBeGreaterThan(0);

    const second = await startServer(env);
    servers.push(second);
    const restarted = Date.now();
    await expectEverythingOnce();
    await figures(`kill -9, all ended ${Date.now() - restarted} ms after the restart`);
    await second.stop();
    expect(second.output()).not.toMatch(/CONNECTION_ENDED|shutdown step failed/);
  }, 180_000);

  it('stops gracefully mid-run with the call log written out before the database closes, and the next start finishes the work', async () => {
    await startExecutions();
    const first = await startServer(env);
    servers.push(first);
    await waitUntil(
      'calls are being placed and answered',
      async () => (await count('select count(*)::int as n from sim_calls where outcome is not null')) >= EXECUTIONS / 4,
      60_000,
    );
    await first.stop();
    expect(first.output()).not.toMatch(/CONNECTION_ENDED|shutdown step failed|could not be written/);
    // Every outcome an execution was given is in the log: it was written before it was handed on, and before the database closed.
    expect(
      await count(`select count(*)::int as n from effects e join sim_calls s on s.key = e.execution_id::text || ':' || e.step
                   where e.kind = 'dial' and e.status = 'done' and s.outcome is null`),
    ).toBe(0);
    // The stopped process claims no call: the next one takes its open calls at once.
    expect(await count("select count(*)::int as n from sim_owners where seen_at > '-infinity'")).toBe(0);

    const second = await startServer(env);
    servers.push(second);
    await expectEverythingOnce();
    await figures('graceful stop');
    await second.stop();
  }, 180_000);

  it('shares the work between two servers on one database, each step and each service task period once', async () => {
    await startExecutions();
    // A service task every second, enabled while both servers run: each period must start one execution.
    await t.db.query(
      `insert into service_tasks (id, name, scenario_id, schedule, enabled, overlap, last_period, updated_at)
       values ('tick', 'Every second', 'crash-probe', '* * * * * *', true, 'allow', now(), now())`,
    );
    await t.db.query(`update service_tasks set input = '{"k": 0}'::jsonb where id = 'tick'`);
    const [a, b] = await Promise.all([startServer(env), startServer(env)]);
    servers.push(a!, b!);
    await waitUntil('a few periods have run', async () => (await count("select count(*)::int as n from service_task_runs where task_id = 'tick'")) >= 4);
    await t.db.query(`update service_tasks set enabled = false where id = 'tick'`);
    await waitUntil(
      'every execution has ended',
      async () => (await count("select count(*)::int as n from executions where status in ('running', 'waiting')")) === 0,
    );
    const runs = await t.db.query<{ n: number; periods: number; started: number }>(
      `select count(*)::int as n, count(distinct scheduled_for)::int as periods, count(*) filter (where outcome = 'started')::int as started
       from service_task_runs where task_id = 'tick'`,
    );
    const ticks = await count("select count(*)::int as n from executions where input->>'k' = '0'");
    expect(runs.rows[0]!.n).toBe(runs.rows[0]!.periods);
    expect(ticks).toBe(runs.rows[0]!.started);
    // The probe executions started by the task write with k = 0; take them out before the exact-once checks.
    await t.db.query('delete from crash_log where k = 0');
    await t.db.query(`delete from sim_calls where "to" = '+79000'`);
    await t.db.query(`delete from executions where input->>'k' = '0'`);
    await expectEverythingOnce();
    await Promise.all([a!.stop(), b!.stop()]);
  }, 180_000);
});

/**
 * The dispatcher with several processes on one real PostgreSQL: two and four
 * Runtime instances, each with its own connection pool, running their
 * workers and background jobs (the dispatcher woken by NOTIFY and every
 * 200 ms) on the system clock, while 1,000 callers (executions of a `queue`
 * node) join, some leave or hang up, and 200 agents accept, reject, let
 * offers time out, toggle DND, stop and restart serving queues and are tried
 * for outbound calls (holdAgent, what the call effect does) at random.
 *
 * Sampled during the run (one statement, one snapshot): no agent with two
 * pending offers, two assigned customers, an offer and a customer, or either
 * of those and a live call. Afterwards: no customer assigned twice, every
 * entry in a defined state consistent with its offers, every offer and state
 * change in the log, and the order within each queue: no entry was first
 * offered while an older one that had never been offered surely waited in
 * the same queue (the checks are in invariants-testing.ts, shared with the
 * test of real server processes, test/queue-processes.test.ts).
 */
import { systemClock } from '@tellflow/clock';
import { createDatabase, type Database } from '@tellflow/db';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '@tellflow/db/testing';
import { TelephonySimulator } from '@tellflow/telephony';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdAgent } from '../agents/availability.ts';
import { Runtime } from '../runtime.ts';
import { doc } from '../test-support.ts';
import { leaveQueue } from './entries.ts';
import { doubleBookedNow, entryStates, queueInvariantProblems, seededRandom } from './invariants-testing.ts';

const hasPostgres = await postgresAvailable();

const AGENTS = 200;
const CUSTOMERS = 1000;
const CHURN_MS = 9_000;
const QUEUES = [
  { id: 'vip', priority: 2 },
  { id: 'sales', priority: 1 },
  { id: 'support', priority: 0 },
  { id: 'billing', priority: 0 },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const agentId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

describe.skipIf(!hasPostgres)('dispatcher with several processes on real PostgreSQL', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });

  async function setUp(db: Database): Promise<void> {
    await db.query(`truncate queues, queue_members, queue_entries, queue_offers, queue_events, agent_presence, agent_holds, agent_extensions, users,
      executions, execution_steps, effects cascade`);
    for (const q of QUEUES) {
      await db.query(
        `insert into queues (id, name, priority, offer_timeout_sec, max_wait_sec, wrap_up_sec, reoffer_delay_sec, consecutive_timeouts_to_dnd, created_at, updated_at)
         values ($1, $1, $2, 2, 8, 1, 1, 3, now(), now())`,
        [q.id, q.priority],
      );
    }
    await db.query(
      `insert into users (id, username, password_hash, role)
       select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'agent' || i, 'test$none', 'agent' from generate_series(1, $1::int) i`,
      [AGENTS],
    );
    await db.query(
      `insert into agent_extensions (extension, user_id) select (1000 + i)::text, ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid
       from generate_series(1, $1::int) i`,
      [AGENTS],
    );
    await db.query(
      `insert into agent_presence (user_id, state, since) select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'available', now()
       from generate_series(1, $1::int) i`,
      [AGENTS],
    );
  }

  async function run(processes: number, seed: number): Promise<void> {
    await setUp(t.db);
    const rnd = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const pools = await Promise.all(Array.from({ length: processes }, () => createDatabase({ url: t.url!, max: 4 })));
    const sims = pools.map(() => new TelephonySimulator({ clock: systemClock, rules: {} }));
    const runtimes = pools.map((db, i) => new Runtime({ db, telephony: sims[i]!, clock: systemClock, scheduleMs: 200, pollMs: 200, leaseMs: 10_000 }));
    const rt = () => pick(runtimes);
    const problems: string[] = [];
    const counts = { accepted: 0, rejected: 0, ignored: 0, gone: 0, left: 0, hungUp: 0, dnd: 0, stopped: 0, callsHeld: 0, callsRefused: 0, samples: 0 };
    try {
      const r0 = runtimes[0]!;
      for (const s of [
        doc(
          'caller',
          [
            {
              id: 'start',
              type: 'start',
              params: {
                inputs: [
                  { name: 'queue', type: 'string', required: true },
                  { name: 'customer', type: 'string', required: true },
                ],
              },
            },
            { id: 'q', type: 'queue', params: { queue: { var: 'queue' }, customer: { var: 'customer' }, into: 'r' } },
            { id: 'talk', type: 'wait', params: { seconds: 1 } },
            { id: 'end', type: 'end', params: { result: { var: 'r.outcome' } } },
          ],
          [
            ['start:next', 'q'],
            ['q:assigned', 'talk'],
            ['q:timeout', 'end'],
            ['q:left', 'end'],
            ['talk:next', 'end'],
          ],
        ),
        doc(
          'outcall',
          [
            { id: 'start', type: 'start' },
            { id: 'talk', type: 'wait', params: { seconds: 1 } },
            { id: 'end', type: 'end' },
          ],
          [
            ['start:next', 'talk'],
            ['talk:next', 'end'],
          ],
        ),
      ]) {
        const { version } = await r0.scenarios.save(s);
        await r0.scenarios.publish(version.scenarioId, version.version);
      }
      for (let i = 1; i <= AGENTS; i++) {
        const serves = [...new Set([pick(QUEUES), pick(QUEUES), pick(QUEUES)].slice(0, 1 + Math.floor(rnd() * 3)))];
        for (const q of serves) await pick(runtimes).queues.startService(agentId(i), q.id, Math.floor(rnd() * 3));
      }
      for (const r of runtimes) await r.run();

      const executions = new Map<string, string>(); // customer → execution
      const stopAt = Date.now() + CHURN_MS;
      const customers = (async () => {
        for (let i = 0; i < CUSTOMERS; i++) {
          const customer = `customer-${i}`;
          executions.set(customer, await rt().start('caller', { input: { queue: pick(QUEUES).id, customer } }));
          await sleep(((CHURN_MS * 0.7) / CUSTOMERS) * rnd() * 2);
          if (rnd() < 0.25) {
            const who = `customer-${Math.floor(rnd() * (i + 1))}`;
            const r = rt();
            if (rnd() < 0.5) {
              // stopQueuing: the customer leaves through the API.
              await r.db
                .transaction((tx) => leaveQueue(tx, who, Date.now()))
                .then(
                  () => counts.left++,
                  () => {},
                );
            } else {
              await r.cancel(executions.get(who)!, 'hung up').then(
                () => counts.hungUp++,
                () => {},
              );
            }
          }
        }
      })();
      const restarts: { agent: string; queueId: string; at: number }[] = [];
      const agents = (async () => {
        while (Date.now() < stopAt) {
          // Agents who stopped serving a queue start again half a second later (with another priority).
          for (const x of restarts.filter((x) => x.at <= Date.now())) {
            restarts.splice(restarts.indexOf(x), 1);
            await rt().queues.startService(x.agent, x.queueId, Math.floor(rnd() * 3));
          }
          const { rows } = await t.db.query<{ agent_id: string }>(`select agent_id from queue_offers where state = 'pending'`);
          await Promise.all(
            rows.map(async ({ agent_id: agent }) => {
              const x = rnd();
              const d = rt().dispatcher;
              // "no pending offer" (it timed out, the customer left, the agent stopped serving) is a fine answer under churn.
              const gone = (e: unknown) => {
                if ((e as { status?: number }).status === 409) counts.gone++;
                else problems.push(`agent ${agent}: ${String(e)}`);
              };
              if (x < 0.6) await d.accept(agent).then(() => counts.accepted++, gone);
              else if (x < 0.85) await d.reject(agent, 'busy with something else').then(() => counts.rejected++, gone);
              else counts.ignored++;
            }),
          );
          for (let k = 0; k < 6; k++) {
            const i = 1 + Math.floor(rnd() * AGENTS);
            const agent = agentId(i);
            const r = rt();
            const x = rnd();
            if (x < 0.3) {
              await r.agents.setPresence(agent, pick(['dnd', 'available', 'available'] as const));
              counts.dnd++;
            } else if (x < 0.45) {
              const serving = await r.queues.serving(agent);
              if (serving.length > 0) {
                const q = pick(serving).queueId;
                await r.dispatcher.stopService(agent, q);
                counts.stopped++;
                restarts.push({ agent, queueId: q, at: Date.now() + 500 });
              }
            } else if (x < 0.75) {
              // An outbound call for this agent, as the call effect wins it: the availability rule under the agent's lock.
              const call = await r.start('outcall');
              const won = await holdAgent(r.db, String(1000 + i), call, Date.now());
              if (won.held) counts.callsHeld++;
              else counts.callsRefused++;
            } else {
              await r.agents.setPresence(agent, 'available');
            }
          }
          await sleep(40);
        }
      })();
      const sampler = (async () => {
        while (Date.now() < stopAt) {
          problems.push(...(await doubleBookedNow(t.db)));
          counts.samples++;
          await sleep(100);
        }
      })();
      await Promise.all([customers, agents, sampler]);

      // With the dispatchers still running, an agent holding an offer is not rung: the call effect's rule says busy.
      const { rows: held } = await t.db.query<{ agent_id: string; extension: string }>(
        `select o.agent_id, e.extension from queue_offers o join agent_extensions e on e.user_id = o.agent_id where o.state = 'pending' limit 1`,
      );
      for (const r of runtimes) await r.close();
      if (held[0]) {
        const call = await r0.start('outcall');
        const pending = await t.db.query(`select 1 from queue_offers where agent_id = $1 and state = 'pending'`, [held[0].agent_id]);
        if (pending.rows.length) {
          const won = await holdAgent(t.db, held[0].extension, call, Date.now());
          expect(won).toMatchObject({ held: false, availability: { state: 'busy' } });
        }
        await r0.cancel(call);
      }
    } finally {
      for (const r of runtimes) await r.close();
      for (const s of sims) s.dispose();
      for (const p of pools) await p.close();
    }

    console.log(`[dispatcher-concurrency] ${processes} processes: ${JSON.stringify(counts)}`);
    expect(problems).toEqual([]);
    expect(counts.samples).toBeGreaterThan(10);
    expect(counts.accepted).toBeGreaterThan(50);
    expect(counts.rejected).toBeGreaterThan(10);
    expect(counts.callsHeld).toBeGreaterThan(0);
    await checkAfterwards(t.db);
  }

  async function checkAfterwards(db: Database): Promise<void> {
    const states = await entryStates(db);
    console.log(`[dispatcher-concurrency] entries: ${JSON.stringify(states)}`);
    // Every caller that reached its queue node has its entry (some hang up before they get there).
    expect(Object.values(states).reduce((n, x) => n + x, 0)).toBeGreaterThan(CUSTOMERS * 0.9);
    expect(await queueInvariantProblems(db)).toEqual([]);
  }

  it('two processes: nobody double-booked, no entry lost, every change logged, each queue in order', async () => {
    await run(2, 12);
  }, 60_000);

  it('four processes: the same', async () => {
    await run(4, 34);
  }, 60_000);
});

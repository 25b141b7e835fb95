/**
 * A call's outcome outlives the process that placed it: two "processes"
 * (runtime + simulator, the call log in the database) on one database; the
 * one that placed a call dies; the other hands on the outcome the log holds,
 * or ends the call as lost — long before the call's deadline.
 */
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { LOST_WITH_PROCESS, TelephonySimulator, type SimRuleSetInput } from '@tellflow/telephony';
import { LOST_AT_DEADLINE } from './effects/phone-call.ts';
import { Runtime } from './runtime.ts';
import { SqlCallLogStore } from './sim-call-log.ts';
import { doc, T0, useHarness, type Harness } from './test-support.ts';

const dialer = doc(
  'dialer',
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'tel', required: true }] } },
    { id: 'dial', type: 'dialCustomer', params: { number: { var: 'tel' }, into: 'call', timeoutSec: 10 } },
    { id: 'end', type: 'end', params: { result: { var: 'call.outcome' } } },
  ],
  ['answered', 'busy', 'noAnswer', 'failed'].map((o) => [`dial:${o}`, 'end'] as [string, string]).concat([['start:next', 'dial']]),
);

/** The call's deadline: ring timeout 10 s + the 30 s grace. */
const DEADLINE_MS = 40_000;

describe.each(DATABASE_KINDS)('call outcomes across processes on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  function proc(name: string, rules: SimRuleSetInput) {
    const { t, clock } = h();
    const sim = new TelephonySimulator({ clock, rules, log: new SqlCallLogStore(t.db), instanceId: name, heartbeatMs: 1_000, ownerTimeoutMs: 5_000 });
    const runtime = new Runtime({ db: t.db, telephony: sim, clock, leaseMs: 5_000, owner: name });
    return { sim, runtime };
  }

  /** Process `a` places the call, then dies with it: its runtime stops listening first, so `beforeDeath` happens unheard. */
  async function placeThenDie(x: Harness, a: ReturnType<typeof proc>, beforeDeath: () => Promise<void>): Promise<string> {
    await x.publish(dialer);
    const id = await a.runtime.start('dialer', { input: { tel: '+7001' } });
    await a.runtime.drain();
    expect((await x.t.db.query('select started_at from effects where execution_id = $1 and step = 1', [id])).rows[0]?.started_at).not.toBeNull();
    await a.runtime.close();
    await beforeDeath();
    a.sim.dispose(); // kill -9: no timer, no write, no beat any more
    return id;
  }

  async function effectResult(x: Harness, id: string) {
    const { rows } = await x.t.db.query<{ result: Record<string, unknown> }>("select result from effects where execution_id = $1 and kind = 'dial'", [id]);
    return rows[0]?.result;
  }

  async function historyOutcome(x: Harness, id: string) {
    const { rows } = await x.t.db.query<{ outcome: string | null }>('select outcome from call_history where execution_id = $1', [id]);
    return rows[0]?.outcome;
  }

  it.skipIf(skip)('an outcome the dead process had logged reaches the execution through another process, before the deadline', async () => {
    const x = h();
    const rules: SimRuleSetInput = { rules: [{ match: '*', outcome: 'answered', afterMs: 100 }] };
    const a = proc('a', rules);
    const b = proc('b', rules);
    const id = await placeThenDie(x, a, async () => {
      await x.clock.advance(100); // answered: a writes it to the log, nobody hears it
      await a.sim.settled();
    });
    expect((await new SqlCallLogStore(x.t.db).list())[0]).toMatchObject({ outcome: 'answered', owner: 'a' });

    await x.clock.advance(6_000); // a has not beaten for 5 s: b's sweep (every second; here at once, as database round trips outlast the manual clock's turns) takes its call over
    await b.sim.sweep();
    await b.sim.settled();
    await b.runtime.drain();
    const done = await b.runtime.execution(id);
    expect(done).toMatchObject({ status: 'completed', result: 'answered' });
    expect(x.clock.now() - T0).toBeLessThan(DEADLINE_MS);
    expect(await effectResult(x, id)).toMatchObject({ outcome: 'answered' });
    expect(await historyOutcome(x, id)).toBe('answered');
    await b.runtime.close();
    await b.sim.close();
  });

  it.skipIf(skip)('a call ringing when its process died ends as lost (failed, with why), before the deadline', async () => {
    const x = h();
    const rules: SimRuleSetInput = { rules: [{ match: '*', outcome: 'manual' }] };
    const a = proc('a', rules);
    const b = proc('b', rules);
    const id = await placeThenDie(x, a, async () => {});

    await x.clock.advance(6_000);
    await b.sim.sweep();
    await b.sim.settled();
    await b.runtime.drain();
    expect(await b.runtime.execution(id)).toMatchObject({ status: 'completed', result: 'failed' });
    expect(x.clock.now() - T0).toBeLessThan(DEADLINE_MS);
    expect(await effectResult(x, id)).toMatchObject({ outcome: 'failed', reason: LOST_WITH_PROCESS, lost: true });
    expect(await historyOutcome(x, id)).toBe('lost');
    expect((await new SqlCallLogStore(x.t.db).list())[0]).toMatchObject({ outcome: 'failed', lost: true });
    await b.runtime.close();
    await b.sim.close();
  });

  it.skipIf(skip)('a call nobody reports on is lost at its deadline: the node goes on failed, the result and the history say lost', async () => {
    const x = h();
    await x.publish(dialer);
    const id = await x.runtime.start('dialer', { input: { tel: '+7001' } });
    await x.advance(0);
    x.sim.dispose(); // the only simulator stops: no outcome will ever come
    await x.advance(DEADLINE_MS);
    expect(await x.runtime.execution(id)).toMatchObject({ status: 'completed', result: 'failed' });
    expect(await effectResult(x, id)).toMatchObject({ outcome: 'failed', reason: LOST_AT_DEADLINE, lost: true });
    expect(await historyOutcome(x, id)).toBe('lost');
  });
});

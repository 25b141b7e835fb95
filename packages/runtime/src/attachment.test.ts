import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import type { Json } from '@tellflow/engine';
import { TelephonySimulator } from '@tellflow/telephony';
import { detached, type ExecutionAttachment } from './attachment.ts';
import { Commands } from './commands.ts';
import { Runtime } from './runtime.ts';
import { stores } from './stores.ts';
import { doc, useHarness, type Harness } from './test-support.ts';

describe.each(DATABASE_KINDS)('the execution attachment hook on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });
  const attachmentOf = async (id: string) =>
    (await h.t.db.query('select task_id, subscriber_id, operator from executions where id = $1', [id])).rows[0] as Record<string, Json>;
  const input = { tel: '+7999111', taskId: 'spring', subscriberId: '42', operator: 101, campaign: 'autumn' };

  beforeEach(async () => {
    if (skip) return;
    await h.publish(
      doc(
        'ring',
        [
          { id: 'start', type: 'start', params: { inputs: ['tel', 'taskId', 'subscriberId', 'operator', 'campaign'].map((name) => ({ name })) } },
          { id: 'dial', type: 'dialCustomer', params: { number: { var: 'tel' } } },
          { id: 'end', type: 'end' },
        ],
        [
          ['start:next', 'dial'],
          ['dial:answered', 'end'],
        ],
      ),
    );
  });

  it.skipIf(skip)('decides what a started execution is attached to: by default the outbound inputs, detached nothing', async () => {
    const s = stores(h.t.db, h.clock);
    const outbound = await new Commands(s).start('ring', { input });
    const bare = await new Commands(s, { attachment: detached }).start('ring', { input });
    expect(await attachmentOf(outbound)).toEqual({ task_id: 'spring', subscriber_id: 42, operator: '101' });
    expect(await attachmentOf(bare)).toEqual({ task_id: null, subscriber_id: null, operator: null });
  });

  it.skipIf(skip)("is the runtime's: its reading of inputs, and the call outcomes it is told", async () => {
    const told: string[] = [];
    const hook: ExecutionAttachment = {
      fromInput: (i, inherited = {}) => ({
        taskId: typeof i.campaign === 'string' ? i.campaign : (inherited.taskId ?? null),
        subscriberId: null,
        operator: null,
      }),
      callPlaced: async () => {},
      callOutcome: async (_q, executionId, step, outcome) => void told.push(`${executionId}/${step} ${outcome}`),
      callHungUp: async () => {},
    };
    const sim = new TelephonySimulator({ clock: h.clock, rules: { default: 'answered' } });
    const runtime = new Runtime({ db: h.t.db, telephony: sim, clock: h.clock, attachment: hook });
    try {
      const id = await runtime.start('ring', { input });
      await runtime.drain();
      await h.clock.advance(5_000);
      await sim.settled();
      await runtime.drain();
      const x = await runtime.execution(id);
      expect(x.status).toBe('completed');
      expect(await attachmentOf(id)).toEqual({ task_id: 'autumn', subscriber_id: null, operator: null });
      const dial = x.effects.find((e) => e.kind === 'dial')!;
      expect(told).toEqual([`${id}/${dial.step} answered`]);
    } finally {
      await runtime.close();
      sim.dispose();
    }
  });
});

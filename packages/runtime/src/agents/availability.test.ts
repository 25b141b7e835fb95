/**
 * The one availability rule, case by case, on both databases: what the agent
 * said, what holds it, the forms waiting for it, wrap-up, and who asks.
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { insertExecution } from '../sql/executions.ts';
import { T0, useHarness } from '../test-support.ts';
import { availability, holdAgent, recordHold, type AgentState } from './availability.ts';

describe.each(DATABASE_KINDS)('the availability rule on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  const agent = async (
    username: string,
    extensions: string[],
    presence?: 'offline' | 'available' | 'dnd',
    extra: { wrapUntil?: number; disabled?: boolean } = {},
  ) => {
    const db = h().t.db;
    const { rows } = await db.query<{ id: string }>(`insert into users (username, password_hash, role, disabled) values ($1, 'x', 'agent', $2) returning id`, [
      username,
      extra.disabled ?? false,
    ]);
    const id = rows[0]!.id;
    await h().runtime.agents.setExtensions(id, extensions);
    if (presence) await h().runtime.agents.setPresence(id, presence);
    if (extra.wrapUntil) await db.query('update agent_presence set wrap_until = $2 where user_id = $1', [id, new Date(extra.wrapUntil)]);
    return id;
  };
  const execution = (parentId: string | null = null) =>
    insertExecution(h().t.db, { scenarioId: 'x', version: 1, input: {}, now: T0, ...(parentId ? { parentId, parentStep: 1 } : {}) });
  const end = (id: string) => h().t.db.query(`update executions set status = 'completed', ended_at = now() where id = $1`, [id]);
  const form = (executionId: string, assignee: string) =>
    h().t.db.query(`insert into effects (execution_id, step, node_id, kind, request, assignee) values ($1, 1, 'form', 'form', '{}', $2)`, [
      executionId,
      assignee,
    ]);
  const states = async (extensions: string[], asker: string | null = null) =>
    Object.fromEntries((await availability(h().t.db, extensions, T0, asker)).map((a) => [a.extension, a.state]));

  it.skipIf(skip)('says what an agent said: offline until it says otherwise, available, DND; a disabled account is offline', async () => {
    await agent('ann', ['101']);
    await agent('bob', ['102'], 'available');
    await agent('cid', ['103'], 'dnd');
    await agent('dan', ['104'], 'available', { disabled: true });
    await agent('eve', ['105'], 'offline');
    expect(await states(['101', '102', '103', '104', '105'])).toEqual<Record<string, AgentState>>({
      '101': 'offline',
      '102': 'available',
      '103': 'dnd',
      '104': 'offline',
      '105': 'offline',
    });
  });

  it.skipIf(skip)('a bare extension (no agent has it) is available unless something holds it', async () => {
    expect(await states(['900'])).toEqual({ '900': 'available' });
    const x = await execution();
    await recordHold(h().t.db, '900', x, T0);
    expect(await states(['900'])).toEqual({ '900': 'busy' });
    await end(x);
    expect(await states(['900'])).toEqual({ '900': 'available' });
  });

  it.skipIf(skip)('busy while a live execution holds any of its extensions; a hold ends with its execution', async () => {
    await agent('ann', ['101', '201'], 'available');
    const x = await execution();
    await recordHold(h().t.db, '201', x, T0);
    const [a] = await availability(h().t.db, ['101'], T0);
    expect(a).toEqual({ extension: '101', userId: expect.any(String), state: 'busy', executionId: x });
    await end(x);
    expect(await states(['101', '201'])).toEqual({ '101': 'available', '201': 'available' });
  });

  it.skipIf(skip)("busy while a form waits for it (by extension or username): the dialog's after-call form", async () => {
    await agent('ann', ['101'], 'available');
    await agent('bob', ['102'], 'available');
    const x = await execution();
    await form(x, '101');
    const y = await execution();
    await h().t.db.query(`insert into effects (execution_id, step, node_id, kind, request, assignee) values ($1, 2, 'form', 'form', '{}', 'bob')`, [y]);
    expect(await states(['101', '102'])).toEqual({ '101': 'busy', '102': 'busy' });
    await h().t.db.query(`update effects set status = 'done' where execution_id = $1`, [x]);
    await end(y);
    expect(await states(['101', '102'])).toEqual({ '101': 'available', '102': 'available' });
  });

  it.skipIf(skip)('in wrap-up until its time is over or it says ready; DND wins over busy', async () => {
    const ann = await agent('ann', ['101'], 'available', { wrapUntil: T0 + 30_000 });
    expect(await states(['101'])).toEqual({ '101': 'wrapUp' });
    await h().runtime.agents.ready(ann);
    expect(await states(['101'])).toEqual({ '101': 'available' });
    await agent('bob', ['102'], 'dnd');
    await recordHold(h().t.db, '102', await execution(), T0);
    expect(await states(['102'])).toEqual({ '102': 'dnd' });
  });

  it.skipIf(skip)('an execution is not busy to itself or its children; to anyone else it is', async () => {
    await agent('ann', ['101'], 'available');
    const root = await execution();
    const child = await execution(root);
    const grandchild = await execution(child);
    await recordHold(h().t.db, '101', root, T0);
    await form(child, '101');
    expect(await states(['101'], grandchild)).toEqual({ '101': 'available' });
    expect(await states(['101'], root)).toEqual({ '101': 'busy' }); // the child's form: the root does not own its children's work
    expect(await states(['101'], await execution())).toEqual({ '101': 'busy' });
  });

  it.skipIf(skip)('holdAgent wins an available agent once: the second asker gets why not; the winner may ask again', async () => {
    await agent('ann', ['101', '201'], 'available');
    const a = await execution();
    const b = await execution();
    expect(await holdAgent(h().t.db, '101', a, T0)).toEqual({ held: true });
    const lost = await holdAgent(h().t.db, '201', b, T0);
    expect(lost).toMatchObject({ held: false, reason: `agent 201 is busy (execution ${a})` });
    expect(await holdAgent(h().t.db, '101', a, T0)).toEqual({ held: true });
    // A child of the winner keeps the hold its parent's: it lasts as long as the outermost holder.
    const child = await execution(a);
    expect(await holdAgent(h().t.db, '101', child, T0)).toEqual({ held: true });
    await end(child);
    expect(await states(['101'], b)).toEqual({ '101': 'busy' });
    await end(a);
    expect(await holdAgent(h().t.db, '101', b, T0)).toEqual({ held: true });
  });

  it.skipIf(skip)('two askers at once: exactly one wins', async () => {
    await agent('ann', ['101', '201'], 'available');
    const askers = await Promise.all(Array.from({ length: 8 }, () => execution()));
    const results = await Promise.all(askers.map((x, i) => holdAgent(h().t.db, i % 2 ? '101' : '201', x, T0)));
    expect(results.filter((r) => r.held)).toHaveLength(1);
  });
});

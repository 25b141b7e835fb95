import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { doc, T0, useServer } from '../test-support.ts';

describe.each(DATABASE_KINDS)('agents API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('an agent reads and sets its own presence; since moves only when the state changes', async () => {
    const me = await h().call('GET', '/api/agents/me', { as: 'agent' });
    expect(me.body.agent).toMatchObject({ username: 'agent', extensions: ['101'], state: 'offline', presence: 'offline', since: null, busyWith: null });

    const available = await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'available' } });
    expect(available.body.agent).toMatchObject({ state: 'available', presence: 'available', since: new Date(T0).toISOString() });
    await h().clock.advance(60_000);
    const again = await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'available' } });
    expect(again.body.agent.since).toBe(new Date(T0).toISOString());
    const dnd = await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'dnd', reason: 'training' } });
    expect(dnd.body.agent).toMatchObject({ state: 'dnd', reason: 'training', since: new Date(T0 + 60_000).toISOString() });
  });

  it.skipIf(skip)('supervisors see every agent and set anyone’s presence; agents cannot', async () => {
    await h().call('PUT', '/api/agents/me/presence', { as: 'agent2', body: { state: 'available' } });
    const list = await h().call('GET', '/api/agents', { as: 'supervisor' });
    expect(list.body.agents.map((a: { username: string; state: string }) => `${a.username} ${a.state}`)).toEqual([
      'admin offline',
      'agent offline',
      'agent2 available',
      'supervisor offline',
    ]);
    const off = await h().call('PUT', `/api/agents/${h().userIds.agent2}/presence`, { as: 'supervisor', body: { state: 'offline', reason: 'went home' } });
    expect(off.body.agent).toMatchObject({ username: 'agent2', state: 'offline', reason: 'went home' });
    expect((await h().call('PUT', `/api/agents/${h().userIds.agent}/presence`, { as: 'agent2', body: { state: 'offline' } })).status).toBe(403);
  });

  it.skipIf(skip)('says what an agent is busy with, and ends a wrap-up when the agent is ready', async () => {
    await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'available' } });
    await h().importScenario(
      doc(
        'ring',
        [
          { id: 'start', type: 'start' },
          { id: 'ring', type: 'callOperator', params: { operator: '101', timeoutSec: 60 } },
          { id: 'end', type: 'end' },
        ],
        [['start:next', 'ring'], ...['answered', 'busy', 'noAnswer', 'failed'].map((o): [string, string] => [`ring:${o}`, 'end'])],
      ),
    );
    const id = await h().runtime.start('ring');
    await h().runtime.drain();
    const busy = await h().call('GET', '/api/agents/me', { as: 'agent' });
    expect(busy.body.agent).toMatchObject({ state: 'busy', busyWith: { executionId: id, scenarioId: 'ring' } });
    await h().runtime.cancel(id);
    await h().runtime.drain();
    await h().t.db.query('update agent_presence set wrap_until = $2 where user_id = $1', [h().userIds.agent, new Date(T0 + 30_000)]);
    expect((await h().call('GET', '/api/agents/me', { as: 'agent' })).body.agent).toMatchObject({ state: 'wrapUp', busyWith: null });
    const ready = await h().call('POST', '/api/agents/me/ready', { as: 'agent' });
    expect(ready.body.agent).toMatchObject({ state: 'available', wrapUntil: null });
  });

  it.skipIf(skip)('a bad presence is a 400 naming the field; an unknown agent is a 404', async () => {
    const bad = await h().call('PUT', '/api/agents/me/presence', { as: 'agent', body: { state: 'asleep' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['state']);
    const unknown = await h().call('PUT', '/api/agents/00000000-0000-4000-8000-000000000000/presence', { as: 'admin', body: { state: 'available' } });
    expect(unknown.status).toBe(404);
  });
});

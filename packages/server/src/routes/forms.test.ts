import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { formScenario, useServer } from '../test-support.ts';

describe.each(DATABASE_KINDS)('forms API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  async function startForm(operator: string | null) {
    await h().importScenario(formScenario('survey', operator));
    const { id } = (await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'survey' } })).body;
    await h().runtime.drain();
    return id as string;
  }

  it.skipIf(skip)('lists a form to its operator (by operator number) and to staff, not to other agents', async () => {
    const id = await startForm('101');
    const mine = await h().call('GET', '/api/forms', { as: 'agent' });
    expect(mine.status).toBe(200);
    expect(mine.body.forms).toEqual([
      expect.objectContaining({ executionId: id, nodeId: 'ask', scenarioId: 'survey', assignee: '101', form: expect.objectContaining({ title: 'Survey' }) }),
    ]);
    expect((await h().call('GET', '/api/forms', { as: 'agent2' })).body.forms).toEqual([]);
    expect((await h().call('GET', '/api/forms', { as: 'supervisor' })).body.forms).toHaveLength(1);
    expect((await h().call('GET', '/api/forms', { as: 'admin' })).body.forms).toHaveLength(1);
  });

  it.skipIf(skip)('matches an agent by username too, and shows unassigned forms to every agent', async () => {
    await startForm('agent2');
    expect((await h().call('GET', '/api/forms', { as: 'agent2' })).body.forms).toHaveLength(1);
    expect((await h().call('GET', '/api/forms', { as: 'agent' })).body.forms).toHaveLength(0);
    await h().t.db.query('truncate executions, effects, execution_steps cascade');
    await startForm(null);
    expect((await h().call('GET', '/api/forms', { as: 'agent' })).body.forms).toHaveLength(1);
    expect((await h().call('GET', '/api/forms', { as: 'agent2' })).body.forms).toHaveLength(1);
  });

  it.skipIf(skip)('checks the values against the field types, refuses other operators, and resumes the execution', async () => {
    const id = await startForm('101');
    const [form] = (await h().call('GET', '/api/forms', { as: 'agent' })).body.forms;
    const url = `/api/forms/${id}/${form.step}`;

    const bad = await h().call('POST', url, { as: 'agent', body: { values: { score: 'high', when: '2026-02-30', extra: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.problems).toEqual(
      expect.arrayContaining([
        { field: 'score', message: '"Score" must be a number' },
        { field: 'when', message: '"Call back on" is not a real date' },
        { field: 'extra', message: 'the form has no field "extra"' },
      ]),
    );
    const missing = await h().call('POST', url, { as: 'agent', body: { values: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body.details.problems).toEqual([{ field: 'score', message: '"Score" is required' }]);
    const noValues = await h().call('POST', url, { as: 'agent', body: { score: 5 } });
    expect(noValues.status).toBe(400);
    expect(noValues.body.details.issues).toEqual([{ path: 'values', message: expect.any(String) }]);

    const other = await h().call('POST', url, { as: 'agent2', body: { values: { score: 5 } } });
    expect(other.status).toBe(403);
    expect(other.body.error).toMatch(/is for operator 101/);
    const supervisor = await h().call('POST', url, { as: 'supervisor', body: { values: { score: 5 } } });
    expect(supervisor.status).toBe(403);

    const ok = await h().call('POST', url, { as: 'agent', body: { values: { score: '42', when: '2026-12-01' } } });
    expect(ok.status).toBe(200);
    expect(ok.body.values).toEqual({ score: 42, when: '2026-12-01' });
    expect((await h().call('POST', url, { as: 'agent', body: { values: { score: 1 } } })).status).toBe(409);

    await h().runtime.drain();
    const done = await h().call('GET', `/api/executions/${id}`, { as: 'supervisor' });
    expect(done.body).toMatchObject({ status: 'completed', result: 42 });
    expect(done.body.effects[0].result).toEqual({ submitted: { score: 42, when: '2026-12-01' }, by: 'agent' });
    expect((await h().call('GET', '/api/forms', { as: 'agent' })).body.forms).toEqual([]);
  });

  it.skipIf(skip)('lets an admin answer any form', async () => {
    const id = await startForm('101');
    const [form] = (await h().call('GET', '/api/forms', { as: 'admin' })).body.forms;
    expect((await h().call('POST', `/api/forms/${id}/${form.step}`, { as: 'admin', body: { values: { score: 1 } } })).status).toBe(200);
  });

  it.skipIf(skip)('answers 404 for unknown forms and malformed ids', async () => {
    const id = await startForm('101');
    for (const path of [`/api/forms/${id}/99`, `/api/forms/${id}/0`, '/api/forms/not-a-uuid/1', `/api/forms/${id}/x`, `/api/forms/${id}/99999999999`]) {
      const r = await h().call('POST', path, { as: 'admin', body: { values: { score: 1 } } });
      expect(r.status, path).toBe(404);
    }
  });
});

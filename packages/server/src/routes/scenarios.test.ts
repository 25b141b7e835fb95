import { readFileSync } from 'node:fs';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { doc, useServer, waitingScenario } from '../test-support.ts';

const example = readFileSync(new URL('../../../../scenarios/examples/inbound-support.json', import.meta.url), 'utf8');

describe.each(DATABASE_KINDS)('scenarios API on %s', (kind) => {
  const { h, skip } = useServer(kind);

  it.skipIf(skip)('imports, validates, lists, drafts, publishes and lists versions', async () => {
    const draft = waitingScenario('flow');
    const imported = await h().importScenario(draft, false);
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ version: { scenarioId: 'flow', version: 1, publishedAt: null }, published: false, warnings: [] });

    const valid = await h().call('POST', '/api/scenarios/validate', { as: 'supervisor', body: draft });
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({ ok: true, issues: [], publishIssues: [] });

    const list = await h().call('GET', '/api/scenarios', { as: 'supervisor' });
    expect(list.body.scenarios).toEqual([expect.objectContaining({ id: 'flow', latestVersion: 1, publishedVersion: null })]);

    const v2 = await h().call('PUT', '/api/scenarios/flow/draft?comment=longer%20wait', { as: 'admin', body: { ...draft, name: 'Flow v2' } });
    expect(v2.status).toBe(201);
    expect(v2.body.version).toMatchObject({ version: 2, comment: 'longer wait' });

    const published = await h().call('POST', '/api/scenarios/flow/publish', { as: 'admin', body: { version: 1 } });
    expect(published.status).toBe(200);
    expect(published.body.version).toMatchObject({ version: 1, publishedAt: expect.any(String) });

    const got = await h().call('GET', '/api/scenarios/flow', { as: 'supervisor' });
    expect(got.body).toMatchObject({ id: 'flow', name: 'Flow v2', latestVersion: 2, publishedVersion: 1 });
    expect(got.body.document).toEqual({ ...draft, name: 'Flow v2' });

    // Publishing with an empty body publishes the latest.
    expect((await h().call('POST', '/api/scenarios/flow/publish', { as: 'admin' })).body.version.version).toBe(2);
    const versions = await h().call('GET', '/api/scenarios/flow/versions', { as: 'supervisor' });
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.body.versions[0]).not.toHaveProperty('document');
    // Who saved each version, and which one runs now (version 1 stays marked as once published).
    expect(versions.body.versions.map((v: { author: string | null; publishedAt: string | null }) => [v.author, v.publishedAt !== null])).toEqual([
      ['admin', true],
      ['admin', true],
    ]);
    expect(versions.body.publishedVersion).toBe(2);
    await h().t.db.query("update scenario_versions set created_by = null where scenario_id = 'flow' and version = 1");
    expect((await h().call('GET', '/api/scenarios/flow/versions', { as: 'supervisor' })).body.versions[1].author).toBeNull();
  });

  it.skipIf(skip)('lists each scenario with its health, publishes with a message, and deletes only what nothing uses', async () => {
    await h().importScenario(waitingScenario('flow'));
    const parent = {
      ...waitingScenario('parent'),
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'kid', type: 'runScenario', params: { scenario: 'flow', inputs: { n: 1 } } },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { source: 'start', sourceHandle: 'next', target: 'kid' },
        { source: 'kid', sourceHandle: 'done', target: 'end' },
      ],
    };
    await h().importScenario(parent, false);
    const orphan = doc(
      'orphan',
      [
        { id: 'start', type: 'start' },
        { id: 'end', type: 'end' },
        { id: 'loose', type: 'end' },
      ],
      [['start:next', 'end']],
    );
    await h().importScenario(orphan, false);

    const list = await h().call('GET', '/api/scenarios', { as: 'supervisor' });
    const byId = Object.fromEntries(list.body.scenarios.map((s: { id: string }) => [s.id, s]));
    expect(byId.flow).toMatchObject({ warnings: 0, publishProblem: null, inUse: 'scenario "parent" runs it' });
    expect(byId.parent).toMatchObject({ publishProblem: null, inUse: null });
    expect(byId.orphan.warnings).toBeGreaterThan(0);

    const published = await h().call('POST', '/api/scenarios/parent/publish', { as: 'admin', body: { comment: 'first release' } });
    expect(published.body.version).toMatchObject({ version: 1, publishComment: 'first release' });
    const versions = await h().call('GET', '/api/scenarios/parent/versions', { as: 'supervisor' });
    expect(versions.body.versions[0]).toMatchObject({ publishComment: 'first release' });

    const blocked = await h().call('DELETE', '/api/scenarios/flow', { as: 'admin' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toBe('scenario "flow" is in use (scenario "parent" runs it): it cannot be deleted');

    // A running execution keeps its scenario.
    const started = await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'parent' } });
    expect(started.status).toBe(201);
    await h().runtime.drain();
    const running = await h().call('DELETE', '/api/scenarios/parent', { as: 'admin' });
    expect(running.status).toBe(409);
    expect(running.body.error).toMatch(/unfinished execution/);
    await h().call('POST', `/api/executions/${started.body.id}/cancel`, { as: 'admin' });
    await h().runtime.drain();

    expect((await h().call('DELETE', '/api/scenarios/parent', { as: 'supervisor' })).status).toBe(403);
    expect((await h().call('DELETE', '/api/scenarios/parent', { as: 'admin' })).status).toBe(204);
    expect((await h().call('GET', '/api/scenarios/parent', { as: 'admin' })).status).toBe(404);
    // With parent gone, nothing refers to flow any more.
    expect((await h().call('DELETE', '/api/scenarios/flow', { as: 'admin' })).status).toBe(204);
    expect((await h().call('DELETE', '/api/scenarios/flow', { as: 'admin' })).status).toBe(404);
    const after = await h().call('GET', '/api/scenarios', { as: 'admin' });
    expect(after.body.scenarios.map((s: { id: string }) => s.id)).toEqual(['orphan']);
  });

  it.skipIf(skip)('the list follows each new version, a deleted id used again, and what gets published (its facts are remembered per version)', async () => {
    const health = async (id: string) =>
      (await h().call('GET', '/api/scenarios', { as: 'admin' })).body.scenarios.find((s: { id: string }) => s.id === id) as {
        warnings: number;
        publishProblem: string | null;
      };
    const loose = (id: string) =>
      doc(
        id,
        [
          { id: 'start', type: 'start' },
          { id: 'end', type: 'end' },
          { id: 'loose', type: 'end' },
        ],
        [['start:next', 'end']],
      );
    const tidy = (id: string) =>
      doc(
        id,
        [
          { id: 'start', type: 'start' },
          { id: 'end', type: 'end' },
        ],
        [['start:next', 'end']],
      );
    await h().importScenario(loose('again'), false);
    const before = await health('again');
    expect(before.warnings).toBeGreaterThan(0);
    expect(await health('again')).toEqual(before);
    // A new version: the list reads its facts, not the remembered ones of version 1.
    expect((await h().call('PUT', '/api/scenarios/again/draft', { as: 'admin', body: tidy('again') })).status).toBe(201);
    expect((await health('again')).warnings).toBe(0);
    // Deleted, then imported again under the same id: version 1 again, another document.
    expect((await h().call('DELETE', '/api/scenarios/again', { as: 'admin' })).status).toBe(204);
    await h().importScenario(tidy('again'), false);
    expect((await health('again')).warnings).toBe(0);
    expect((await h().call('DELETE', '/api/scenarios/again', { as: 'admin' })).status).toBe(204);
    await h().importScenario(loose('again'), false);
    expect((await health('again')).warnings).toBe(before.warnings);

    // What blocks publishing depends on what is published now.
    const caller = {
      ...tidy('caller'),
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'kid', type: 'runScenario', params: { scenario: 'again' } },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { source: 'start', sourceHandle: 'next', target: 'kid' },
        { source: 'kid', sourceHandle: 'done', target: 'end' },
      ],
    };
    expect((await h().call('POST', '/api/scenarios', { as: 'admin', body: caller })).status).toBe(201);
    expect((await health('caller')).publishProblem).toBe('unknown scenario "again" (it must be published first)');
    expect((await h().call('POST', '/api/scenarios/again/publish', { as: 'admin', body: {} })).status).toBe(200);
    expect((await health('caller')).publishProblem).toBeNull();
  });

  it.skipIf(skip)('two people editing from the same version: the second save is refused with 409, also when both save at once', async () => {
    const v1 = waitingScenario('flow');
    await h().importScenario(v1, false);
    const put = (name: string, base: number) => h().call('PUT', `/api/scenarios/flow/draft?baseVersion=${base}`, { as: 'admin', body: { ...v1, name } });
    expect((await put('Anna', 1)).body.version.version).toBe(2);
    const late = await put('Boris', 1);
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('version 2 of "flow" was saved after version 1, which this draft started from: compare them and save again');
    const versions = async () =>
      (await h().call('GET', '/api/scenarios/flow/versions', { as: 'admin' })).body.versions.map((v: { version: number }) => v.version);
    expect(await versions()).toEqual([2, 1]);
    expect((await put('Boris', 2)).status).toBe(201);

    const both = await Promise.all([put('Anna again', 3), put('Boris again', 3)]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await versions()).toEqual([4, 3, 2, 1]);
    // Without baseVersion a draft is saved as before.
    expect((await h().call('PUT', '/api/scenarios/flow/draft', { as: 'admin', body: v1 })).status).toBe(201);
  });

  it.skipIf(skip)('diffs two versions: by default what publishing the latest would change', async () => {
    const v1 = waitingScenario('flow');
    await h().importScenario(v1, false);
    const none = await h().call('GET', '/api/scenarios/flow/diff', { as: 'supervisor' });
    expect(none.status).toBe(409);
    expect(none.body.error).toMatch(/no published version: give \?from=N/);

    expect((await h().call('POST', '/api/scenarios/flow/publish', { as: 'admin' })).status).toBe(200);
    const nodes = v1.nodes as { id: string; params?: Record<string, unknown> }[];
    const v2 = { ...v1, nodes: nodes.map((n) => (n.id === 'pause' ? { ...n, params: { seconds: 90 } } : n)) };
    expect((await h().call('PUT', '/api/scenarios/flow/draft', { as: 'admin', body: v2 })).status).toBe(201);

    const diff = await h().call('GET', '/api/scenarios/flow/diff', { as: 'supervisor' });
    expect(diff.status).toBe(200);
    expect(diff.body).toEqual({
      from: 1,
      to: 2,
      same: false,
      scenario: [],
      nodes: [{ id: 'pause', type: 'wait', change: 'changed', fields: [{ path: 'params.seconds', before: 60, after: 90 }] }],
      edges: [],
      layout: { moved: [], meta: false },
    });
    expect((await h().call('GET', '/api/scenarios/flow/diff?from=2&to=1', { as: 'supervisor' })).body.nodes[0].fields).toEqual([
      { path: 'params.seconds', before: 90, after: 60 },
    ]);
    expect((await h().call('GET', '/api/scenarios/flow/diff?from=1&to=1', { as: 'supervisor' })).body.same).toBe(true);
    expect((await h().call('GET', '/api/scenarios/flow/diff?from=7', { as: 'supervisor' })).status).toBe(404);
    expect((await h().call('GET', '/api/scenarios/flow/diff?from=zero', { as: 'supervisor' })).status).toBe(400);
    expect((await h().call('GET', '/api/scenarios/nope/diff', { as: 'supervisor' })).status).toBe(404);
    expect((await h().call('GET', '/api/scenarios/flow/diff', { as: 'agent' })).status).toBe(403);
  });

  it.skipIf(skip)('import → publish → start with input → trace → cancel', async () => {
    expect((await h().importScenario(waitingScenario('flow'))).body).toMatchObject({ published: true, version: { version: 1 } });
    const started = await h().call('POST', '/api/executions', { as: 'supervisor', body: { scenarioId: 'flow', input: { n: 7 } } });
    expect(started.status).toBe(201);
    const { id } = started.body;
    await h().runtime.drain();

    const running = await h().call('GET', `/api/executions/${id}`, { as: 'supervisor' });
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({ id, scenarioId: 'flow', version: 1, status: 'waiting', input: { n: 7 } });
    // The trace holds finished steps; the wait is the pending effect.
    expect(running.body.trace.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start']);
    expect(running.body.effects).toEqual([expect.objectContaining({ nodeId: 'pause', kind: 'timer', status: 'pending' })]);

    const listed = await h().call('GET', '/api/executions?scenarioId=flow&status=waiting&limit=10', { as: 'admin' });
    expect(listed.body.executions.map((x: { id: string }) => x.id)).toEqual([id]);
    expect((await h().call('GET', '/api/executions?status=completed', { as: 'admin' })).body.executions).toEqual([]);

    const cancel = await h().call('POST', `/api/executions/${id}/cancel`, { as: 'supervisor', body: { reason: 'test over' } });
    expect(cancel.status).toBe(202);
    await h().runtime.drain();
    const cancelled = await h().call('GET', `/api/executions/${id}`, { as: 'supervisor' });
    expect(cancelled.body.status).toBe('cancelled');
    const again = await h().call('POST', `/api/executions/${id}/cancel`, { as: 'supervisor' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/already cancelled/);
  });

  it.skipIf(skip)('retries a finished execution from a step: a new execution that names the one it retries', async () => {
    await h().importScenario(waitingScenario('flow'));
    const { id } = (await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'flow', input: { n: 3 } } })).body;
    await h().runtime.drain();
    expect((await h().call('POST', `/api/executions/${id}/retry`, { as: 'supervisor', body: {} })).status).toBe(409);
    expect((await h().call('POST', `/api/executions/${id}/cancel`, { as: 'supervisor' })).status).toBe(202);
    await h().runtime.drain();

    // Cancelled while waiting at "pause": by default the retry begins there again.
    const retried = await h().call('POST', `/api/executions/${id}/retry`, { as: 'supervisor', body: {} });
    expect(retried.status).toBe(201);
    await h().advance(60_000);
    const x = (await h().call('GET', `/api/executions/${retried.body.id}`, { as: 'supervisor' })).body;
    expect(x).toMatchObject({ status: 'completed', result: 3, retryOf: id, retryFrom: { step: 2, nodeId: 'pause' }, input: { n: 3 } });
    expect(x.trace.map((t: { nodeId: string }) => t.nodeId)).toEqual(['pause', 'end']);
    const listed = (await h().call('GET', '/api/executions?scenarioId=flow', { as: 'admin' })).body.executions;
    expect(listed.find((e: { id: string }) => e.id === retried.body.id).retryOf).toBe(id);

    const fromStart = await h().call('POST', `/api/executions/${retried.body.id}/retry`, { as: 'admin', body: { fromStep: 1 } });
    expect(fromStart.status).toBe(201);
    const bad = await h().call('POST', `/api/executions/${id}/retry`, { as: 'admin', body: { fromStep: 7 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe(`execution "${id}" has no step 7: its steps are 1`);
    expect((await h().call('POST', '/api/executions/00000000-0000-0000-0000-000000000000/retry', { as: 'admin', body: {} })).status).toBe(404);
  });

  it.skipIf(skip)('runs an execution to the end when time passes', async () => {
    await h().importScenario(waitingScenario('flow'));
    const { id } = (await h().call('POST', '/api/executions', { as: 'admin', body: { scenarioId: 'flow', input: { n: 3 } } })).body;
    await h().advance(60_000);
    const done = await h().call('GET', `/api/executions/${id}`, { as: 'admin' });
    expect(done.body).toMatchObject({ status: 'completed', result: 3 });
    expect(done.body.trace.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'pause', 'end']);
  });

  it.skipIf(skip)('rejects an invalid scenario with 400 and issues naming the node and field, saving nothing', async () => {
    const bad = doc(
      'broken',
      [
        { id: 'start', type: 'start' },
        { id: 'dial', type: 'dialCustomer', params: { number: '123', timeoutSec: 0 } },
      ],
      [['start:next', 'dial']],
    );
    const r = await h().importScenario(bad);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('the scenario has errors');
    expect(r.body.details.issues).toContainEqual({ severity: 'error', nodeId: 'dial', path: 'nodes[1].params.timeoutSec', message: 'must be greater than 0' });
    expect((await h().call('GET', '/api/scenarios', { as: 'admin' })).body.scenarios).toEqual([]);

    const validated = await h().call('POST', '/api/scenarios/validate', { as: 'admin', body: bad });
    expect(validated.status).toBe(200);
    expect(validated.body.ok).toBe(false);
    expect(validated.body.issues[0]).toMatchObject({ nodeId: 'dial', path: 'nodes[1].params.timeoutSec' });
  });

  it.skipIf(skip)('refuses ?publish=true for a scenario that cannot be published, saving nothing', async () => {
    const parent = doc(
      'parent',
      [
        { id: 'start', type: 'start' },
        { id: 'child', type: 'runScenario', params: { scenario: 'unpublished' } },
      ],
      [['start:next', 'child']],
    );
    const r = await h().importScenario(parent, true);
    expect(r.status).toBe(400);
    expect(r.body.details.issues[0]).toMatchObject({ nodeId: 'child', path: 'nodes[1].params.scenario' });
    expect((await h().call('GET', '/api/scenarios/parent', { as: 'admin' })).status).toBe(404);
    // As a draft it may be saved.
    expect((await h().importScenario(parent, false)).status).toBe(201);
  });

  it.skipIf(skip)("refuses a draft whose document id is not the scenario's, and drafts of unknown scenarios", async () => {
    await h().importScenario(waitingScenario('flow'), false);
    const mismatch = await h().call('PUT', '/api/scenarios/flow/draft', { as: 'admin', body: waitingScenario('other') });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toMatch(/does not match/);
    expect((await h().call('PUT', '/api/scenarios/ghost/draft', { as: 'admin', body: waitingScenario('ghost') })).status).toBe(404);
  });

  it.skipIf(skip)('exports the stored text as a download that re-imports to a byte-identical document', async () => {
    const first = await h().call('POST', '/api/scenarios', { as: 'admin', body: example, headers: { 'content-type': 'application/json' } });
    expect(first.status).toBe(201);
    const id = JSON.parse(example).id as string;
    const exported = await h().call('GET', `/api/scenarios/${id}/versions/1/export`, { as: 'supervisor' });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe(`attachment; filename="${id}.v1.json"`);
    expect(exported.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(exported.text)).toEqual(JSON.parse(example));
    // Key order is kept (the column is json, not jsonb).
    expect(Object.keys(JSON.parse(exported.text))).toEqual(Object.keys(JSON.parse(example)));

    const reimported = await h().call('POST', '/api/scenarios', { as: 'admin', body: exported.text });
    expect(reimported.body.version.version).toBe(2);
    const again = await h().call('GET', `/api/scenarios/${id}/versions/2/export`, { as: 'admin' });
    expect(again.text).toBe(exported.text);
    const stored = await h().t.db.query<{ text: string }>('select document::text as text from scenario_versions where scenario_id = $1 and version = 2', [id]);
    expect(stored.rows[0]!.text).toBe(exported.text);
  });

  it.skipIf(skip)('answers 404 for unknown scenarios and versions, and versions beyond any integer', async () => {
    for (const path of ['/api/scenarios/nope', '/api/scenarios/nope/versions', '/api/scenarios/nope/versions/1/export']) {
      expect((await h().call('GET', path, { as: 'admin' })).status, path).toBe(404);
    }
    await h().importScenario(waitingScenario('flow'), false);
    for (const v of ['2', '0', '-1', 'abc', '99999999999', '1.5']) {
      const r = await h().call('GET', `/api/scenarios/flow/versions/${v}/export`, { as: 'admin' });
      expect(r.status, v).toBe(404);
    }
    expect((await h().call('POST', '/api/scenarios/flow/publish', { as: 'admin', body: { version: 9 } })).status).toBe(404);
    expect((await h().call('POST', '/api/scenarios/flow/publish', { as: 'admin', body: { version: 'one' } })).status).toBe(400);
  });
});

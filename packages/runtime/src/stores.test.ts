import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { Commands } from './commands.ts';
import { stores } from './stores.ts';
import { doc, useHarness, type Harness } from './test-support.ts';

/** The CLI's management verbs: stores and commands on a bare database, with no runner and no telephony. */
describe.each(DATABASE_KINDS)('stores and commands without a runtime on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });

  it.skipIf(skip)('write only rows: a started, cancelled or run-now execution waits for a worker, which then does it', async () => {
    const s = stores(h.t.db, h.clock);
    const commands = new Commands(s);
    const { version } = await s.scenarios.save(
      doc(
        'pause',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'seconds', type: 'number' }] } },
          { id: 'w', type: 'wait', params: { seconds: 60 } },
          { id: 'end', type: 'end', params: { result: 'done' } },
        ],
        [
          ['start:next', 'w'],
          ['w:next', 'end'],
        ],
      ),
    );
    await s.scenarios.publish('pause', version.version);
    await s.serviceTasks.create({ id: 'nightly', name: 'Nightly', scenarioId: 'pause', schedule: '0 0 3 * * *' });

    const kept = await commands.start('pause');
    const cancelled = await commands.start('pause');
    const runNow = await commands.runServiceTask('nightly');
    await commands.cancel(cancelled, 'not needed');
    // Nothing has run yet: no worker took them.
    for (const id of [kept, cancelled, runNow]) expect((await s.executions.get(id)).trace).toEqual([]);
    expect((await s.serviceTasks.runs('nightly')).map((r) => [r.outcome, r.reason, r.executionId])).toEqual([['started', 'run now', runNow]]);
    await expect(commands.start('pause', { input: { seconds: 'soon' } })).rejects.toMatchObject({ status: 400 });

    // A worker (here the harness's runtime) picks them up.
    await h.advance(60_000);
    expect((await s.executions.get(kept)).status).toBe('completed');
    expect((await s.executions.get(runNow)).status).toBe('completed');
    expect((await s.executions.get(cancelled)).status).toBe('cancelled');
    await expect(commands.cancel(cancelled)).rejects.toMatchObject({ status: 409 });
    expect((await s.executions.list({ status: 'completed' })).map((x) => x.id).sort()).toEqual([kept, runNow].sort());

    const retried = await commands.retry(cancelled);
    expect((await s.executions.get(retried)).retryOf).toBe(cancelled);
    await expect(s.executions.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
  });
});

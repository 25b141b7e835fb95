import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { insertExecution } from './sql/executions.ts';
import { doc, useHarness, type Harness } from './test-support.ts';

/** start (batch: number, required) → double → end with the doubled batch. */
const doubler = () =>
  doc(
    'doubler',
    [
      { id: 'start', type: 'start', params: { inputs: [{ name: 'batch', type: 'number', required: true }] } },
      { id: 'double', type: 'setVariables', params: { assign: [{ name: 'd', value: { '*': [{ var: 'batch' }, 2] } }] } },
      { id: 'end', type: 'end', params: { result: { var: 'd' } } },
    ],
    [
      ['start:next', 'double'],
      ['double:next', 'end'],
    ],
  );

describe.each(DATABASE_KINDS)('a retry checks the inputs as start does, on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(() => {
    h = current();
  });

  /** An execution inserted without the start check (as a service task did before it checked inputs), run to its failure. */
  const failedForMissingInput = async () => {
    await h.publish(doubler());
    const id = await insertExecution(h.t.db, { scenarioId: 'doubler', version: 1, input: {}, now: h.clock.now() });
    await h.runtime.drain();
    expect(await h.runtime.execution(id)).toMatchObject({ status: 'failed', error: 'missing required input "batch"' });
    return id;
  };

  it.skipIf(skip)('refuses a retry whose input lacks a required input (400 naming it) and starts nothing', async () => {
    const id = await failedForMissingInput();
    await expect(h.runtime.retry(id)).rejects.toMatchObject({
      status: 400,
      message: `cannot retry execution "${id}": missing required input "batch"`,
      details: { problems: [{ input: 'batch', message: 'is required' }] },
    });
    await expect(h.runtime.retry(id, { input: { batch: 'ten' } })).rejects.toMatchObject({
      status: 400,
      message: `cannot retry execution "${id}": invalid input "batch" must be a number, not "ten"`,
    });
    await expect(h.runtime.retry(id, { input: { batch: null } })).rejects.toMatchObject({ status: 400 });
    expect((await h.runtime.executions({ scenarioId: 'doubler' })).map((x) => x.id)).toEqual([id]);
  });

  it.skipIf(skip)("runs with the inputs the retry gives: its input is the old one with them over it, and they are the step's variables", async () => {
    const id = await failedForMissingInput();
    const again = await h.runtime.retry(id, { input: { batch: 21, note: 'by hand' } });
    await h.runtime.drain();
    expect(await h.runtime.execution(again)).toMatchObject({ status: 'completed', result: 42, retryOf: id, input: { batch: 21, note: 'by hand' } });

    // From a later step too: the given input replaces the variable the step began with.
    const fromDouble = await h.runtime.retry(again, { fromStep: 2, input: { batch: 5 } });
    await h.runtime.drain();
    expect(await h.runtime.execution(fromDouble)).toMatchObject({ status: 'completed', result: 10, input: { batch: 5, note: 'by hand' } });
    // Without inputs, a retry keeps the old ones (which are complete now).
    const same = await h.runtime.retry(again, { fromStep: 2 });
    await h.runtime.drain();
    expect(await h.runtime.execution(same)).toMatchObject({ status: 'completed', result: 42 });
  });
});

/**
 * The recipe for a new node type (docs/architecture.md): one definition
 * (engine) and, as it touches the world, one effect handler (here) —
 * registered, and nothing else. The node is then validated, in the JSON
 * Schema and the catalogue, published and run durably.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { grantToScenarios, type Database, type Transaction } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { defineEffectNode, Expression, Identifier, nodeCatalog, registerNodeType, scenarioJsonSchema, ui, validateScenario } from '@tellflow/engine';
import { Runtime } from '../runtime.ts';
import { doc, useHarness, type Harness } from '../test-support.ts';
import { cancellableKinds, EFFECT_HANDLERS, effectHandler, registerEffectHandler, type EffectHandler } from './index.ts';

/** The definition: an `echo` node asks the world to record some text, and goes on `recorded` with how many it holds. */
registerNodeType(
  defineEffectNode({
    type: 'testEcho',
    title: 'Echo',
    description: 'Records a text outside the scenario.',
    category: 'data',
    icon: 'speakerphone',
    params: z.strictObject({ text: Expression, into: ui(Identifier, 'variable').optional() }),
    effectKind: 'echo',
    result: z.object({ count: z.number().int() }),
    outcomes: () => ['recorded'],
    writes: (p) => (p.into ? [p.into] : []),
    effect: (p, ctx) => ({ kind: 'echo', text: String(ctx.evaluate(p.text)) }),
    resume: (p, r, ctx) => {
      if (p.into) ctx.set(p.into, r.count);
      return { outcome: 'recorded' };
    },
  }),
);

/** A node type whose kind of effect has no handler: it validates, but no scenario of it is published. */
registerNodeType(
  defineEffectNode({
    type: 'testUnhandled',
    title: 'Unhandled',
    description: 'A node whose kind of effect no handler performs.',
    category: 'data',
    icon: 'question-mark',
    params: z.strictObject({}),
    effectKind: 'unhandled',
    result: z.object({}),
    outcomes: () => ['done'],
    writes: () => [],
    effect: () => ({ kind: 'unhandled' }),
    resume: () => ({ outcome: 'done' }),
  }),
);

/** The handler: writes the text in the transaction that commits the next step (so exactly once). */
type Echo = { kind: 'echo'; text: string };
const echo: EffectHandler<Echo> = {
  performed: () => 'inTransaction',
  inTransaction: {
    statementTimeoutMs: () => 1_000,
    async perform(tx, request) {
      await tx.query('insert into echoed (text) values ($1)', [request.text]);
      const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from echoed');
      return { count: rows[0]!.n };
    },
  },
};
registerEffectHandler('echo', echo);

describe('effect handlers', () => {
  it('has one for every kind the engine asks for, and one more once registered', () => {
    expect(Object.keys(EFFECT_HANDLERS).sort()).toEqual(['call', 'dial', 'enqueue', 'form', 'setStatus', 'sql', 'startChild', 'timer']);
    expect(effectHandler('enqueue')).toBe(EFFECT_HANDLERS.enqueue);
    expect(effectHandler('echo')).toBe(echo);
    expect(cancellableKinds().sort()).toEqual(['call', 'dial']);
  });

  it('refuses a second handler for a kind, and a handler that says nothing about performing', () => {
    expect(() => registerEffectHandler('sql', echo as unknown as EffectHandler)).toThrow('effect kind "sql" has a handler already');
    expect(() => registerEffectHandler('nothing', { performed: () => 'outside' })).toThrow(
      'the handler of "nothing" says nothing about how to perform it: give it inTransaction, atTime or outside',
    );
    expect(() => registerEffectHandler('', echo as unknown as EffectHandler)).toThrow('an effect kind must be a non-empty string');
  });
});

describe.each(DATABASE_KINDS)('a registered effect kind on %s', (kind) => {
  const { h: current, skip } = useHarness(kind);
  let h: Harness;
  beforeEach(async () => {
    h = current();
    await h.t.db.query('create table if not exists echoed (text text not null)');
    await grantToScenarios(h.t.db, 'echoed');
    await h.t.db.query('truncate echoed');
  });

  /** Fails the first step commit sent inside a transaction, as a connection lost before COMMIT would. */
  const losingOneCommit = (db: Database): { db: Database; lost: () => boolean } => {
    let lost = false;
    const inTx = (tx: Transaction): Transaction => ({
      query: (text, params, options) => {
        if (!lost && text.includes('with upd as')) {
          lost = true;
          return Promise.reject(Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }));
        }
        return tx.query(text, params, options);
      },
      savepoint: (fn) => tx.savepoint((sp) => fn(inTx(sp))),
    });
    const transaction = <T>(fn: (tx: Transaction) => Promise<T>) => db.transaction((tx) => fn(inTx(tx)));
    return { db: Object.assign(Object.create(db) as Database, { transaction }), lost: () => lost };
  };

  const echoing = doc(
    'echoing',
    [
      { id: 'start', type: 'start' },
      { id: 'say', type: 'testEcho', params: { text: { cat: ['hello ', { var: 'who' }] }, into: 'count' } },
      { id: 'end', type: 'end', params: { result: { var: 'count' } } },
    ],
    [
      ['start:next', 'say'],
      ['say:recorded', 'end'],
    ],
    { variables: [{ name: 'who', type: 'string', default: 'world' }] },
  );

  it.skipIf(skip)('is validated, in the JSON Schema and the catalogue, with nothing but its definition and handler registered', async () => {
    const bad = validateScenario({
      ...echoing,
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'say', type: 'testEcho', params: { text: 'x', loud: true } },
      ],
    });
    expect(bad.issues).toContainEqual(expect.objectContaining({ severity: 'error', nodeId: 'say', path: 'nodes[1].params' }));
    expect(JSON.stringify(scenarioJsonSchema())).toContain('"testEcho"');
    expect(nodeCatalog().find((e) => e.type === 'testEcho')).toMatchObject({ touchesWorld: true, effectKind: 'echo', outcomes: { static: ['recorded'] } });
    expect(validateScenario(echoing).ok).toBe(true);
  });

  it.skipIf(skip)('publishes a scenario of a node type only where a handler performs its effect', async () => {
    const unhandled = doc(
      'unhandled',
      [
        { id: 'start', type: 'start' },
        { id: 'u', type: 'testUnhandled', params: {} },
      ],
      [['start:next', 'u']],
    );
    const { version } = await h.runtime.scenarios.save(unhandled);
    await expect(h.runtime.scenarios.publish(version.scenarioId, version.version)).rejects.toMatchObject({
      details: { issues: [expect.objectContaining({ nodeId: 'u', message: expect.stringContaining('no handler for "unhandled" effects') })] },
    });
  });

  it.skipIf(skip)('is performed by the runner through its handler, exactly once across a failed commit', async () => {
    await h.publish(echoing);
    const losing = losingOneCommit(h.t.db);
    const failing = new Runtime({ db: losing.db, telephony: h.sim, clock: h.clock, leaseMs: 5_000 });
    let id: string;
    try {
      id = await failing.start('echoing');
      await failing.drain();
    } finally {
      await failing.close();
    }
    expect(losing.lost()).toBe(true);
    expect((await h.t.db.query('select text from echoed')).rows).toEqual([]); // undone with the commit that failed
    expect((await h.runtime.execution(id)).status).not.toBe('completed');

    await h.advance(6_000); // the lease expires; another runner performs it
    expect((await h.t.db.query('select text from echoed')).rows).toEqual([{ text: 'hello world' }]);
    const x = await h.runtime.execution(id);
    expect(x).toMatchObject({ status: 'completed', result: 1 });
    expect(x.effects.map((e) => `${e.kind}:${e.status}`)).toEqual(['echo:done']);
  });
});

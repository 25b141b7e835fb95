import { beforeEach, describe, expect, it } from 'vitest';
import type { Database, Transaction } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { Runtime } from '../runtime.ts';
import { doc, useHarness, type Harness } from '../test-support.ts';
import { cancellableKinds, EFFECT_HANDLERS, effectHandler, registerEffectHandler, type EffectHandler } from './index.ts';

/** A new kind of effect, brought by its own handler: writes its text in the transaction that commits the next step. */
type Echo = { kind: 'echo'; text: string };
const echo: EffectHandler<Echo> = {
  performed: () => 'inTransaction',
  inTransaction: {
    statementTimeoutMs: () => 1_000,
    async perform(tx, request) {
      await tx.query('insert into echoed (text) values ($1)', [request.text]);
      return {};
    },
  },
};
registerEffectHandler('echo', echo);

describe('effect handlers', () => {
  it('has one for every kind the engine asks for but enqueue (the dispatcher brings it), and one more once registered', () => {
    expect(Object.keys(EFFECT_HANDLERS).sort()).toEqual(['call', 'dial', 'form', 'setStatus', 'sql', 'startChild', 'timer']);
    expect(effectHandler('enqueue')).toBeUndefined();
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

  // The engine cannot yet define a node of a new effect kind: the execution is brought to wait on an effect row of
  // kind "echo" by hand (a timer's row, rewritten), and from there the runner has only the registered handler to go by.
  it.skipIf(skip)('is performed by the runner through its handler, exactly once across a failed commit', async () => {
    await h.publish(
      doc(
        'echoing',
        [
          { id: 'start', type: 'start' },
          { id: 'w', type: 'wait', params: { seconds: 60 } },
          { id: 'end', type: 'end', params: { result: 'echoed' } },
        ],
        [
          ['start:next', 'w'],
          ['w:next', 'end'],
        ],
      ),
    );
    const id = await h.runtime.start('echoing');
    await h.runtime.drain();
    await h.t.db.query(
      `update effects set kind = 'echo', request = '{"kind":"echo","text":"hello"}', wake_at = null where execution_id = $1 and kind = 'timer'`,
      [id],
    );
    await h.t.db.query('update executions set run_at = $2 where id = $1', [id, new Date(h.clock.now())]);

    const losing = losingOneCommit(h.t.db);
    const failing = new Runtime({ db: losing.db, telephony: h.sim, clock: h.clock, leaseMs: 5_000 });
    try {
      await failing.drain();
    } finally {
      await failing.close();
    }
    expect(losing.lost()).toBe(true);
    expect((await h.t.db.query('select text from echoed')).rows).toEqual([]); // undone with the commit that failed
    expect((await h.runtime.execution(id)).status).toBe('waiting');

    await h.advance(6_000); // the lease expires; another runner performs it
    expect((await h.t.db.query('select text from echoed')).rows).toEqual([{ text: 'hello' }]);
    const x = await h.runtime.execution(id);
    expect(x).toMatchObject({ status: 'completed', result: 'echoed' });
    expect(x.effects.map((e) => `${e.kind}:${e.status}`)).toEqual(['echo:done']);
  });
});

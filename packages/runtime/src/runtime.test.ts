import { beforeEach, describe, expect, it } from 'vitest';
import { grantToScenarios, type Database, type QueryOptions, type Transaction } from '@tellflow/db';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { Runtime } from './runtime.ts';
import { doc, T0, useHarness, type Harness } from './test-support.ts';

describe.each(DATABASE_KINDS)('runtime on %s', (kind) => {
  const { h: current, skip } = useHarness(kind, { rules: [{ match: '+7000*', outcome: 'busy', afterMs: 1000 }], default: 'answered' });
  let h: Harness;
  beforeEach(() => {
    h = current();
  });

  it.skipIf(skip)('runs sql with bound values, waits on a durable timer, and records the trace', async () => {
    await h.t.db.query('create table if not exists notes (id serial primary key, body text not null)');
    await grantToScenarios(h.t.db, 'notes');
    await h.publish(
      doc(
        'notes',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'text', required: true }] } },
          {
            id: 'insert',
            type: 'sql',
            params: { query: 'insert into notes (body) values (:body) returning id', params: { body: { var: 'text' } }, result: 'first', into: 'row' },
          },
          { id: 'pause', type: 'wait', params: { seconds: 300 } },
          { id: 'count', type: 'sql', params: { query: 'select count(*)::int as n from notes', result: 'first', into: 'c' } },
          { id: 'end', type: 'end', params: { result: { var: 'c.n' } } },
        ],
        [
          ['start:next', 'insert'],
          ['insert:ok', 'pause'],
          ['pause:next', 'count'],
          ['count:ok', 'end'],
        ],
      ),
    );
    const evil = "'; drop table notes; --";
    const id = await h.runtime.start('notes', { input: { text: evil } });
    await h.runtime.drain();
    let x = await h.runtime.execution(id);
    expect(x.status).toBe('waiting');
    expect(x.state?.waiting?.nodeId).toBe('pause');
    expect((await h.t.db.query('select body from notes')).rows).toEqual([{ body: evil }]);

    await h.advance(299_000);
    expect((await h.runtime.execution(id)).status).toBe('waiting');
    await h.advance(1_000);
    x = await h.runtime.execution(id);
    expect(x.status).toBe('completed');
    expect(x.result).toBe(1);
    expect(x.trace.map((t) => `${t.nodeId}:${t.outcome}`)).toEqual(['start:next', 'insert:ok', 'pause:next', 'count:ok', 'end:null']);
    expect(x.trace[2]!.endedAt.getTime() - x.trace[2]!.startedAt.getTime()).toBe(300_000);
    expect(x.effects.map((e) => `${e.kind}:${e.status}`)).toEqual(['sql:done', 'timer:done', 'sql:done']);
  });

  it.skipIf(skip)('dials through the telephony port once per step and follows the outcome', async () => {
    await h.publish(
      doc(
        'dialer',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'tel', required: true }] } },
          { id: 'dial', type: 'dialCustomer', params: { number: { var: 'tel' }, into: 'call' } },
          { id: 'yes', type: 'end', params: { result: 'answered' } },
          { id: 'no', type: 'end', params: { result: 'busy' } },
        ],
        [
          ['start:next', 'dial'],
          ['dial:answered', 'yes'],
          ['dial:busy', 'no'],
        ],
      ),
    );
    const a = await h.runtime.start('dialer', { input: { tel: '+7000111' } });
    const b = await h.runtime.start('dialer', { input: { tel: '+7999222' } });
    await h.advance(5_000);
    expect((await h.runtime.execution(a)).result).toBe('busy');
    expect((await h.runtime.execution(b)).result).toBe('answered');
    const log = await h.sim.callLog();
    expect(log).toHaveLength(2);
    expect(log.every((c) => c.duplicateRequests === 0)).toBe(true);
  });

  it.skipIf(skip)('shows a form to the operator on the call and continues with the submitted values', async () => {
    await h.publish(
      doc(
        'dialog',
        [
          { id: 'start', type: 'start' },
          { id: 'op', type: 'callOperator', params: { operator: '101' } },
          { id: 'form', type: 'showForm', params: { title: 'Form 1', fields: [{ name: 'minutes', label: 'Call back in', type: 'number', required: true }] } },
          { id: 'end', type: 'end', params: { result: { var: 'minutes' } } },
        ],
        [
          ['start:next', 'op'],
          ['op:answered', 'form'],
          ['form:submitted', 'end'],
        ],
      ),
    );
    const id = await h.runtime.start('dialog');
    await h.runtime.drain();
    const ringing = (await h.sim.callLog())[0]!;
    await h.sim.answer(ringing.callId);
    await h.advance(0);
    const forms = await h.runtime.pendingForms(['101']);
    expect(forms).toHaveLength(1);
    expect(await h.runtime.pendingForms(['202'])).toHaveLength(0);
    const f = forms[0]!;
    await expect(h.runtime.submitForm(id, f.step, { minutes: 'soon' }, { operators: ['101'] })).rejects.toMatchObject({ status: 400 });
    await expect(h.runtime.submitForm(id, f.step, { minutes: 30 }, { operators: ['202'] })).rejects.toMatchObject({ status: 403 });
    await h.runtime.submitForm(id, f.step, { minutes: '30' }, { operators: ['101'] });
    await expect(h.runtime.submitForm(id, f.step, { minutes: 30 })).rejects.toMatchObject({ status: 409 });
    await h.runtime.drain();
    const x = await h.runtime.execution(id);
    expect(x.status).toBe('completed');
    expect(x.result).toBe(30);
  });

  it.skipIf(skip)('runs a child scenario and waits for its result; cancelling a parent cancels its child', async () => {
    await h.publish(
      doc(
        'child',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'n' }] } },
          { id: 'pause', type: 'wait', params: { seconds: 60 } },
          { id: 'end', type: 'end', params: { result: { '*': [{ var: 'n' }, 2] } } },
        ],
        [
          ['start:next', 'pause'],
          ['pause:next', 'end'],
        ],
      ),
    );
    await h.publish(
      doc(
        'parent',
        [
          { id: 'start', type: 'start' },
          { id: 'run', type: 'runScenario', params: { scenario: 'child', inputs: { n: 21 }, into: 'answer' } },
          { id: 'end', type: 'end', params: { result: { var: 'answer' } } },
        ],
        [
          ['start:next', 'run'],
          ['run:done', 'end'],
        ],
      ),
    );
    const p = await h.runtime.start('parent');
    await h.advance(60_000);
    expect((await h.runtime.execution(p)).result).toBe(42);

    const q = await h.runtime.start('parent');
    await h.runtime.drain();
    const [child] = await h.runtime.executions({ parentId: q });
    expect(child?.status).toBe('waiting');
    await h.runtime.cancel(q, 'operator hung up');
    await h.runtime.drain();
    expect((await h.runtime.execution(q)).status).toBe('cancelled');
    expect((await h.runtime.execution(child!.id)).status).toBe('cancelled');
    await expect(h.runtime.cancel(q)).rejects.toMatchObject({ status: 409 });
  });

  it.skipIf(skip)('pins executions to the version they started on', async () => {
    const v = (result: string) =>
      doc(
        'pinned',
        [
          { id: 'start', type: 'start' },
          { id: 'pause', type: 'wait', params: { seconds: 10 } },
          { id: 'end', type: 'end', params: { result } },
        ],
        [
          ['start:next', 'pause'],
          ['pause:next', 'end'],
        ],
      );
    await h.publish(v('one'));
    const first = await h.runtime.start('pinned');
    await h.runtime.drain();
    await h.publish(v('two'));
    const second = await h.runtime.start('pinned');
    await h.advance(10_000);
    expect((await h.runtime.execution(first)).result).toBe('one');
    expect((await h.runtime.execution(second)).result).toBe('two');
    expect(h.clock.now()).toBe(T0 + 10_000);
  });

  it.skipIf(skip)('publishes a scenario with a queue node: the dispatcher performs it', async () => {
    const { version } = await h.runtime.scenarios.save(
      doc(
        'queued',
        [
          { id: 'start', type: 'start' },
          { id: 'q', type: 'queue', params: { queue: 'sales' } },
          { id: 'end', type: 'end' },
        ],
        [
          ['start:next', 'q'],
          ['q:assigned', 'end'],
        ],
      ),
    );
    await expect(h.runtime.scenarios.publish('queued', version.version)).resolves.toMatchObject({ scenarioId: 'queued', version: version.version });
  });

  it.skipIf(skip)('starts one child per item with forEach, all or none', async () => {
    await h.publish(
      doc(
        'child',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number', required: true }] } },
          { id: 'end', type: 'end', params: { result: { var: 'n' } } },
        ],
        [['start:next', 'end']],
      ),
    );
    await h.publish(
      doc(
        'fan',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'list', type: 'json', required: true }] } },
          {
            id: 'run',
            type: 'runScenario',
            params: { scenario: 'child', forEach: { var: 'list' }, inputs: { n: { var: 'item' } }, wait: false, into: 'count' },
          },
          { id: 'ok', type: 'end', params: { result: { var: 'count' } } },
          { id: 'no', type: 'end', params: { result: { var: 'lastError' } } },
        ],
        [
          ['start:next', 'run'],
          ['run:done', 'ok'],
          ['run:failed', 'no'],
        ],
      ),
    );
    const good = await h.runtime.start('fan', { input: { list: [1, 2, 3, 4, 5] } });
    await h.runtime.drain();
    expect((await h.runtime.execution(good)).result).toBe(5);
    const children = await h.runtime.executions({ scenarioId: 'child', limit: 100 });
    expect(children.map((c) => c.result).sort()).toEqual([1, 2, 3, 4, 5]);

    const bad = await h.runtime.start('fan', { input: { list: [6, 'seven', 8] } });
    await h.runtime.drain();
    expect((await h.runtime.execution(bad)).result).toBe('item 1: input "n" must be a number, not "seven"');
    expect(await h.runtime.executions({ scenarioId: 'child', limit: 100 })).toHaveLength(5);
  });

  it.skipIf(skip)('starts one child per row of a query with forEachRow, in its transaction: a failure undoes the query', async () => {
    await h.t.db.query('create table if not exists jobs (id int primary key, n text, taken boolean not null default false)');
    await grantToScenarios(h.t.db, 'jobs');
    await h.t.db.query(`insert into jobs (id, n) values (1, '10'), (2, '20'), (3, '30'), (4, 'forty')`);
    await h.publish(
      doc(
        'child',
        [
          {
            id: 'start',
            type: 'start',
            params: {
              inputs: [
                { name: 'n', type: 'number', required: true },
                { name: 'tag', type: 'string', required: true },
              ],
            },
          },
          { id: 'end', type: 'end', params: { result: { cat: [{ var: 'tag' }, { var: 'n' }] } } },
        ],
        [['start:next', 'end']],
      ),
    );
    const claim =
      'update jobs set taken = true where id in (select id from jobs where not taken and id <= :upTo order by id for update skip locked) returning id, n::int as n';
    await h.publish(
      doc(
        'fan',
        [
          {
            id: 'start',
            type: 'start',
            params: {
              inputs: [
                { name: 'upTo', type: 'number', required: true },
                { name: 'query', type: 'string' },
              ],
            },
          },
          {
            id: 'run',
            type: 'runScenario',
            params: { scenario: 'child', forEachRow: { query: claim, params: { upTo: { var: 'upTo' } } }, inputs: { tag: 'job ' }, wait: false, into: 'count' },
          },
          { id: 'ok', type: 'end', params: { result: { var: 'count' } } },
          { id: 'no', type: 'end', params: { result: { var: 'lastError' } } },
        ],
        [
          ['start:next', 'run'],
          ['run:done', 'ok'],
          ['run:failed', 'no'],
        ],
      ),
    );
    const taken = async () => (await h.t.db.query<{ id: number }>('select id from jobs where taken order by id')).rows.map((r) => r.id);

    const good = await h.runtime.start('fan', { input: { upTo: 3 } });
    await h.runtime.drain();
    const x = await h.runtime.execution(good);
    expect(x.result).toBe(3);
    // The rows never entered the monitor's variables or trace.
    expect(JSON.stringify(x.state)).not.toContain('"n"');
    expect(JSON.stringify(x.trace)).not.toContain('"n"');
    expect(await taken()).toEqual([1, 2, 3]);
    const children = await h.runtime.executions({ scenarioId: 'child', limit: 100 });
    expect(children.map((c) => c.result).sort()).toEqual(['job 10', 'job 20', 'job 30']);

    // Row 4 cannot be a number: nothing starts and its claim is undone.
    const bad = await h.runtime.start('fan', { input: { upTo: 4 } });
    await h.runtime.drain();
    expect((await h.runtime.execution(bad)).result).toMatch(/^the query failed: .*forty/);
    expect(await taken()).toEqual([1, 2, 3]);
    // A row that is not valid input (n missing): the same, naming the row and the input.
    await h.t.db.query(`update jobs set n = null where id = 4`);
    const missing = await h.runtime.start('fan', { input: { upTo: 4 } });
    await h.runtime.drain();
    expect((await h.runtime.execution(missing)).result).toBe('item 0: input "n" is required');
    expect(await taken()).toEqual([1, 2, 3]);
    expect(await h.runtime.executions({ scenarioId: 'child', limit: 100 })).toHaveLength(3);
  });

  it.skipIf(skip)(
    'starts children it does not wait for in the transaction of the next step: a lost lease starts none, the next worker starts them once',
    async () => {
      await h.publish(
        doc(
          'child',
          [
            { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number' }] } },
            { id: 'end', type: 'end' },
          ],
          [['start:next', 'end']],
        ),
      );
      await h.publish(
        doc(
          'fan',
          [
            { id: 'start', type: 'start' },
            { id: 'run', type: 'runScenario', params: { scenario: 'child', forEach: [1, 2, 3], inputs: { n: { var: 'item' } }, wait: false, into: 'count' } },
            { id: 'end', type: 'end', params: { result: { var: 'count' } } },
          ],
          [
            ['start:next', 'run'],
            ['run:done', 'end'],
          ],
        ),
      );
      // Another worker takes the lease over just before this one commits the step after the children.
      let stolen = false;
      const stealing = (tx: Transaction): Transaction => ({
        async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions) {
          if (!stolen && text.includes('with upd as')) {
            stolen = true;
            await tx.query(`update executions set lease_owner = 'another worker' where scenario_id = 'fan'`);
          }
          return tx.query<R>(text, params, options);
        },
        savepoint: (fn) => tx.savepoint((sp) => fn(stealing(sp))),
      });
      const db: Database = { ...h.t.db, transaction: (fn) => h.t.db.transaction((tx) => fn(stealing(tx))) };
      const unlucky = new Runtime({ db, telephony: h.sim, clock: h.clock, leaseMs: 5_000 });
      try {
        const id = await unlucky.start('fan');
        await unlucky.drain();
        expect(stolen).toBe(true);
        expect(await h.runtime.executions({ scenarioId: 'child', limit: 100 })).toHaveLength(0);
        expect((await h.runtime.execution(id)).status).not.toBe('completed');

        await h.advance(6_000); // the lease expires; the next worker does the step again
        const x = await h.runtime.execution(id);
        expect(x.status).toBe('completed');
        expect(x.result).toBe(3);
        expect(await h.runtime.executions({ scenarioId: 'child', limit: 100 })).toHaveLength(3);
      } finally {
        await unlucky.close();
      }
    },
  );

  it.skipIf(skip)('retries a finished execution from any step of its trace, or from the node it failed at, with the variables it had then', async () => {
    await h.t.db.query('create table if not exists retry_log (d int not null)');
    await grantToScenarios(h.t.db, 'retry_log');
    await h.t.db.query('drop table if exists retry_gate');
    await h.publish(
      doc(
        'gate',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number', required: true }] } },
          { id: 'double', type: 'setVariables', params: { assign: [{ name: 'd', value: { '*': [{ var: 'n' }, 2] } }] } },
          { id: 'log', type: 'sql', params: { query: 'insert into retry_log (d) values (:d)', params: { d: { var: 'd' } }, result: 'none' } },
          { id: 'check', type: 'sql', params: { query: 'select d from retry_gate where d = :d', params: { d: { var: 'd' } }, result: 'first', into: 'gate' } },
          { id: 'done', type: 'end', params: { result: { var: 'gate.d' } } },
          { id: 'closed', type: 'end', params: { status: 'failed', reason: 'the gate is closed' } },
        ],
        [
          ['start:next', 'double'],
          ['double:next', 'log'],
          ['log:ok', 'check'],
          ['check:ok', 'done'],
          ['check:empty', 'closed'],
        ],
      ),
    );
    const logged = async () => (await h.t.db.query<{ d: number }>('select d from retry_log order by d')).rows.map((r) => r.d);
    const id = await h.runtime.start('gate', { input: { n: 4 } });
    await h.runtime.drain();
    // retry_gate does not exist: the check's error outcome has no edge, so the execution fails at "check".
    expect(await h.runtime.execution(id)).toMatchObject({ status: 'failed', error: expect.stringContaining('no edge for outcome "error"') });
    expect(await logged()).toEqual([8]);

    await h.t.db.query('create table retry_gate (d int not null)');
    await grantToScenarios(h.t.db, 'retry_gate');
    const again = await h.runtime.retry(id);
    await h.runtime.drain();
    const x = await h.runtime.execution(again);
    // It began at "check" with d = 8: "log" did not run again; the gate is empty, so it ends at "closed".
    expect(x).toMatchObject({ status: 'failed', error: 'the gate is closed', retryOf: id, retryFrom: { nodeId: 'check' } });
    expect(x.trace.map((t) => `${t.step}:${t.nodeId}`)).toEqual(['1:check', '2:closed']);
    expect(await logged()).toEqual([8]);
    await expect(h.runtime.retry(again)).rejects.toThrow(`execution "${again}" ended at its end node "closed": give the step to retry from`);

    await h.t.db.query('insert into retry_gate (d) values (8)');
    const fromCheck = await h.runtime.retry(again, { fromStep: 1 });
    const fromDouble = await h.runtime.retry(id, { fromStep: 2 });
    await h.runtime.drain();
    expect(await h.runtime.execution(fromCheck)).toMatchObject({ status: 'completed', result: 8, retryOf: again, retryFrom: { step: 1, nodeId: 'check' } });
    expect(await h.runtime.execution(fromDouble)).toMatchObject({ status: 'completed', result: 8, retryFrom: { step: 2, nodeId: 'double' } });
    expect(await logged()).toEqual([8, 8]); // only the retry from "double" ran "log" again

    await expect(h.runtime.retry(fromCheck)).rejects.toThrow('completed: give the step to retry from');
    await expect(h.runtime.retry(id, { fromStep: 9 })).rejects.toThrow(`execution "${id}" has no step 9: its steps are 1, 2, 3, 4`);
    await expect(h.runtime.retry('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ status: 404 });
    const waiting = await h.runtime.start('gate', { input: { n: 1 } });
    await expect(h.runtime.retry(waiting)).rejects.toThrow('is still running: cancel it before retrying it');
  });

  it.skipIf(skip)("refuses, as the node's error, a stored query that would end the step's transaction (stored before validation refused it)", async () => {
    await h.publish(
      doc(
        'old',
        [
          { id: 'start', type: 'start' },
          { id: 'q', type: 'sql', params: { query: 'select 1 as n', result: 'first', into: 'row' } },
          { id: 'ok', type: 'end', params: { result: 'ran' } },
          { id: 'no', type: 'end', params: { result: { var: 'lastError' } } },
        ],
        [
          ['start:next', 'q'],
          ['q:ok', 'ok'],
          ['q:error', 'no'],
        ],
      ),
    );
    await h.t.db.query(`update scenario_versions set document = replace(document::text, 'select 1 as n', 'commit')::json where scenario_id = 'old'`);
    const id = await h.runtime.start('old');
    await h.runtime.drain();
    expect(await h.runtime.execution(id)).toMatchObject({ status: 'completed', result: expect.stringMatching(/^the query must not be a COMMIT statement: /) });
  });

  it.skipIf(skip)('keeps only what a query node uses, and refuses (undoing the statement) a result of more than 10,000 rows', async () => {
    await h.t.db.query('create table if not exists big (n int not null)');
    await grantToScenarios(h.t.db, 'big');
    await h.publish(
      doc(
        'big',
        [
          {
            id: 'start',
            type: 'start',
            params: {
              inputs: [
                { name: 'n', type: 'number', required: true },
                { name: 'mode', type: 'string', required: true },
              ],
            },
          },
          {
            id: 'q',
            type: 'sql',
            params: { query: 'insert into big select generate_series(1, :n) returning n', params: { n: { var: 'n' } }, result: 'rows', into: 'rows' },
          },
          { id: 'first', type: 'sql', params: { query: 'select n from big order by n', result: 'first', into: 'top' } },
          { id: 'ok', type: 'end', params: { result: { cat: [{ var: 'rows.length' }, ' / ', { var: 'top.n' }] } } },
          { id: 'no', type: 'end', params: { result: { var: 'lastError' } } },
        ],
        [
          ['start:next', 'q'],
          ['q:ok', 'first'],
          ['q:error', 'no'],
          ['first:ok', 'ok'],
        ],
      ),
    );
    const count = async () => (await h.t.db.query<{ n: number }>('select count(*)::int as n from big')).rows[0]!.n;
    const tooMany = await h.runtime.start('big', { input: { n: 10_001, mode: 'rows' } });
    await h.runtime.drain();
    expect((await h.runtime.execution(tooMany)).result).toBe('the query returned 10,001 rows; at most 10,000 are taken: narrow it with WHERE or LIMIT');
    expect(await count()).toBe(0); // the insert was undone with it

    const fine = await h.runtime.start('big', { input: { n: 3, mode: 'rows' } });
    await h.runtime.drain();
    const x = await h.runtime.execution(fine);
    expect(x.result).toBe('3 / 1');
    // "first" keeps one row in the step's record, not the three the query returned.
    const firstEffect = x.effects.find((e) => e.nodeId === 'first')!;
    expect(firstEffect.result).toEqual({ ok: true, rows: [{ n: 1 }], rowCount: 3 });
  });

  it.skipIf(skip)(
    'stores a variable that holds all the variables ({"var": ""}) and finishes (its state had a cycle and could never be committed)',
    async () => {
      await h.publish(
        doc(
          'all',
          [
            { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number' }] } },
            { id: 'set', type: 'setVariables', params: { assign: [{ name: 'everything', value: { var: '' } }] } },
            { id: 'w', type: 'wait', params: { seconds: 0 } },
            { id: 'end', type: 'end', params: { result: { var: 'everything.n' } } },
          ],
          [
            ['start:next', 'set'],
            ['set:next', 'w'],
            ['w:next', 'end'],
          ],
        ),
      );
      const id = await h.runtime.start('all', { input: { n: 7 } });
      await h.runtime.drain();
      expect(await h.runtime.execution(id)).toMatchObject({ status: 'completed', result: 7 });
    },
  );

  it.skipIf(skip)('refuses inputs and form values the database cannot store (NUL, an unpaired surrogate), naming them, before storing anything', async () => {
    await h.publish(
      doc(
        'note',
        [
          { id: 'start', type: 'start', params: { inputs: [{ name: 'who', type: 'string' }] } },
          { id: 'ask', type: 'showForm', params: { title: 'Note', operator: '101', fields: [{ name: 'text', label: 'Text', type: 'multiline' }] } },
          { id: 'end', type: 'end', params: { result: { var: 'text' } } },
        ],
        [
          ['start:next', 'ask'],
          ['ask:submitted', 'end'],
        ],
      ),
    );
    await expect(h.runtime.start('note', { input: { who: 'a\u0000b' } })).rejects.toMatchObject({
      status: 400,
      message: 'invalid input "who" contains a NUL character or an unpaired surrogate in a string, which the database cannot store',
    });
    await expect(h.runtime.start('note', { input: { who: 'ann', extra: ['\ud83d'] } })).rejects.toMatchObject({ status: 400 });
    expect(await h.runtime.executions({ scenarioId: 'note' })).toEqual([]);

    const id = await h.runtime.start('note', { input: { who: 'ann' } });
    await h.runtime.drain();
    const [form] = await h.runtime.pendingForms();
    await expect(h.runtime.submitForm(id, form!.step, { text: 'line\u0000' })).rejects.toMatchObject({
      status: 400,
      details: { problems: [{ field: 'text', message: '"Text" contains a NUL character or an unpaired surrogate, which the database cannot store' }] },
    });
    await h.runtime.submitForm(id, form!.step, { text: 'fine' });
    await h.runtime.drain();
    expect(await h.runtime.execution(id)).toMatchObject({ status: 'completed', result: 'fine' });
  });

  it.skipIf(skip)('fails an execution whose step the database refuses for good (a data error), and tries again after a lost connection', async () => {
    await h.publish(
      doc(
        'steps',
        [
          { id: 'start', type: 'start' },
          { id: 'w', type: 'wait', params: { seconds: 0 } },
          { id: 'end', type: 'end', params: { result: 'done' } },
        ],
        [
          ['start:next', 'w'],
          ['w:next', 'end'],
        ],
      ),
    );
    const failingOnce = (code: string, message: string): Database => {
      let failed = false;
      return {
        ...h.t.db,
        async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions) {
          if (!failed && text.includes('with upd as')) {
            failed = true;
            throw Object.assign(new Error(message), { code });
          }
          return h.t.db.query<R>(text, params, options);
        },
      };
    };
    const refused = new Runtime({ db: failingOnce('22P05', 'unsupported Unicode escape sequence'), telephony: h.sim, clock: h.clock, leaseMs: 5_000 });
    const lost = new Runtime({ db: failingOnce('CONNECTION_CLOSED', 'write CONNECTION_CLOSED'), telephony: h.sim, clock: h.clock, leaseMs: 5_000 });
    try {
      const a = await refused.start('steps');
      await refused.drain();
      expect(await h.runtime.execution(a)).toMatchObject({ status: 'failed', error: 'the database refused the step: unsupported Unicode escape sequence' });

      const b = await lost.start('steps');
      await lost.drain();
      expect((await h.runtime.execution(b)).status).toBe('running'); // left for the lease to expire
      await h.advance(6_000);
      expect(await h.runtime.execution(b)).toMatchObject({ status: 'completed', result: 'done' });
    } finally {
      await refused.close();
      await lost.close();
    }
  });

  it.skipIf(skip)('a failing sql node takes its error outcome and the execution goes on', async () => {
    await h.publish(
      doc(
        'oops',
        [
          { id: 'start', type: 'start' },
          { id: 'bad', type: 'sql', params: { query: "select 'forty'::int as n", result: 'first', into: 'row' } },
          { id: 'good', type: 'sql', params: { query: 'select 40 as n', result: 'first', into: 'row' } },
          { id: 'end', type: 'end', params: { result: { cat: [{ var: 'lastError' }, ' / ', { var: 'row.n' }] } } },
        ],
        [
          ['start:next', 'bad'],
          ['bad:error', 'good'],
          ['good:ok', 'end'],
        ],
      ),
    );
    const id = await h.runtime.start('oops');
    await h.runtime.drain();
    const x = await h.runtime.execution(id);
    expect(x.status).toBe('completed');
    expect(x.result).toBe('invalid input syntax for type integer: "forty" / 40');
  });

  it.skipIf(skip)('runs what it starts at once when its loop has room, and claims the rest as slots free up', async () => {
    const claimed: string[] = [];
    const db: Database = {
      ...h.t.db,
      async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions) {
        const r = await h.t.db.query<R>(text, params, options);
        if (text.includes('skip locked')) claimed.push(...r.rows.map((x) => (x as { id: string }).id));
        return r;
      },
    };
    await h.publish(
      doc(
        'hops',
        [
          { id: 'start', type: 'start' },
          ...[1, 2, 3].map((i) => ({ id: `w${i}`, type: 'wait', params: { seconds: 0 } })),
          { id: 'end', type: 'end', params: { result: 'ok' } },
        ],
        [
          ['start:next', 'w1'],
          ['w1:next', 'w2'],
          ['w2:next', 'w3'],
          ['w3:next', 'end'],
        ],
      ),
    );
    // Started before any loop runs: these wait for a claim. Room for two at a time.
    const queued = await Promise.all(Array.from({ length: 5 }, () => h.runtime.start('hops')));
    const runtime = new Runtime({ db, telephony: h.sim, clock: h.clock, batch: 2 });
    try {
      await runtime.run();
      const done = async (ids: string[]) => {
        for (let i = 0; i < 500; i++) {
          const rows = await runtime.executions({ scenarioId: 'hops', status: 'completed', limit: 100 });
          if (ids.every((id) => rows.some((r) => r.id === id))) return;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error('executions did not complete');
      };
      await done(queued);
      expect([...new Set(claimed)].sort()).toEqual([...queued].sort());
      // Started while the loop runs with room: inserted leased to this process and run here, never claimed.
      const here = await runtime.start('hops');
      await done([here]);
      expect(claimed).not.toContain(here);
    } finally {
      await runtime.close();
    }
  });
});

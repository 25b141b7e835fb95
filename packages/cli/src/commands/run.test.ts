import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import type { StepReport } from '../run-report.ts';
import { useProductDatabase, useScratchDatabase } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { childText, flow, parentText } from '../test-scenarios.ts';
import type { RunReport } from './run.ts';

useScratchDatabase();
// No product database unless a test sets one up: scenarios come from the files.
const nowhere = mkdtempSync(join(tmpdir(), 'tellflow-cli-run-'));
const savedDataDir = process.env.TELLFLOW_DATA_DIR;
beforeAll(() => {
  process.env.TELLFLOW_DATA_DIR = join(nowhere, 'no-data');
});
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.TELLFLOW_DATA_DIR;
  else process.env.TELLFLOW_DATA_DIR = savedDataDir;
  rmSync(nowhere, { recursive: true, force: true });
});

async function tellflow(argv: string[], files: Record<string, string> = {}) {
  const io = fakeIo(files);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** sql, a five-minute wait, a call to the customer, a form, then a child scenario. */
const callText = flow(
  'call',
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'tel', required: true }] } },
    { id: 'lookup', type: 'sql', params: { query: 'select 20 + :one as n', params: { one: 1 }, result: 'first', into: 'row' } },
    { id: 'pause', type: 'wait', params: { seconds: 300 } },
    { id: 'dial', type: 'dialCustomer', params: { number: { var: 'tel' } } },
    { id: 'survey', type: 'showForm', params: { title: 'Survey', fields: [{ name: 'score', label: 'Score', type: 'number', required: true }] } },
    { id: 'double', type: 'runScenario', params: { scenario: 'child', inputs: { n: { var: 'row.n' } }, into: 'answer' } },
    { id: 'end', type: 'end', params: { result: { '+': [{ var: 'answer' }, { var: 'score' }] } } },
    { id: 'busy', type: 'end', params: { result: 'busy' } },
  ],
  ['start:next>lookup', 'lookup:ok>pause', 'pause:next>dial', 'dial:answered>survey', 'dial:busy>busy', 'survey:submitted>double', 'double:done>end'],
);
const files = { 'call.json': callText, 'child.json': childText };
const vars = '{"tel": "+15550100"}';

describe('tellflow run', () => {
  it('runs sql, waits, a call, a form answered from --answers and a child scenario to the end', async () => {
    const r = await tellflow(['run', 'call.json', 'child.json', '--vars', vars, '--answers', '{"survey": {"score": "5"}}'], files);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      '+0:00:00  start   start         next',
      '+0:00:00  lookup  sql           ok         row={"n":21}',
      '+0:00:00  pause   wait          next',
      '+0:05:00  dial    dialCustomer  answered',
      '+0:05:02  survey  showForm      submitted  score=5',
      '+0:05:02  double  runScenario   done       answer=42',
      '    ↳ child v1: completed',
      '    +0:05:02  start  start  next',
      '    +0:05:02  pause  wait   next',
      '    +0:06:02  end    end    -',
      '+0:06:02  end     end           -',
      'completed, result: 47',
      '',
    ]);
  });

  it('prints { status, result, error, trace } with --json, children nested under their step', async () => {
    const r = await tellflow(['run', 'call.json', 'child.json', '--json', '--vars', vars, '--answers', '{"call:survey": {"score": 1}}'], files);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as RunReport;
    expect(report).toMatchObject({ status: 'completed', result: 43, error: null });
    expect(report.trace.map((s) => [s.nodeId, s.outcome, s.offsetMs])).toEqual([
      ['start', 'next', 0],
      ['lookup', 'ok', 0],
      ['pause', 'next', 0],
      ['dial', 'answered', 300_000],
      ['survey', 'submitted', 302_000],
      ['double', 'done', 302_000],
      ['end', null, 362_000],
    ]);
    const double = report.trace[5] as StepReport;
    expect(double.durationMs).toBe(60_000);
    expect(double.child).toMatchObject({ scenarioId: 'child', status: 'completed', result: 42 });
    expect(double.child!.trace.map((s) => s.nodeId)).toEqual(['start', 'pause', 'end']);
  });

  it('follows the --sim rules: a failing dial with no edge for "failed" fails the execution', async () => {
    const rules = JSON.stringify({ customers: { rules: [{ match: '+1555*', outcome: 'failed', afterMs: 500 }] } });
    const r = await tellflow(['run', 'call.json', 'child.json', '--vars', vars, '--sim', 'rules.json', '--json'], { ...files, 'rules.json': rules });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as RunReport;
    expect(report.status).toBe('failed');
    expect(report.error).toBe('node "dial" has no edge for outcome "failed"');
    expect(report.trace.at(-1)).toMatchObject({ nodeId: 'dial', outcome: 'failed', offsetMs: 300_000, durationMs: 500 });

    const busy = JSON.stringify({ customers: { rules: [], default: 'busy' } });
    const text = await tellflow(['run', 'call.json', 'child.json', '--vars', vars, '--sim', 'busy.json'], { ...files, 'busy.json': busy });
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/\+0:05:02 {2}busy .*\ncompleted, result: "busy"\n$/);
  });

  it('stops with exit 1 naming the node when a form has no answer', async () => {
    const r = await tellflow(['run', 'call.json', 'child.json', '--vars', vars, '--answers', '{"other": {"x": 1}}'], files);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(
      'cancelled at node "survey": no answer for the form "Survey" at node "survey" (scenario "call"): give one with --answers \'{"survey": {…}}\'',
    );
    expect(r.err).toBe('tellflow run: no form used the answers for "other"\n');

    const invalid = await tellflow(['run', 'call.json', 'child.json', '--vars', vars, '--answers', '{"Survey": {"score": "lots"}}'], files);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toContain('the answer for the form "Survey" at node "survey" is not valid: score: "Score" must be a number');
  });

  it('answers operator calls, lets an unanswered form with a timeout time out, and gives successive answers from a list', async () => {
    const dialog = flow(
      'dialog',
      [
        { id: 'start', type: 'start' },
        { id: 'op', type: 'callOperator', params: { operator: '101' } },
        { id: 'note', type: 'showForm', params: { title: 'Note', timeoutSec: 30, fields: [{ name: 'note', label: 'Note', type: 'text' }] } },
        { id: 'ask', type: 'showForm', params: { title: 'Score', fields: [{ name: 'score', label: 'Score', type: 'number' }] } },
        { id: 'check', type: 'branch', params: { cases: [{ name: 'low', when: { '<': [{ var: 'score' }, 3] } }] } },
        { id: 'end', type: 'end', params: { result: { var: 'score' } } },
      ],
      ['start:next>op', 'op:answered>note', 'note:timeout>ask', 'note:submitted>ask', 'ask:submitted>check', 'check:low>ask', 'check:default>end'],
    );
    const r = await tellflow(['run', 'dialog.json', '--json', '--answers', '{"Score": [{"score": 1}, {"score": 4}]}'], { 'dialog.json': dialog });
    expect(r.err).toBe('');
    const report = JSON.parse(r.out) as RunReport;
    expect(report).toMatchObject({ status: 'completed', result: 4 });
    expect(report.trace.map((s) => `${s.nodeId}:${s.outcome}@${s.offsetMs}`)).toEqual([
      'start:next@0',
      'op:answered@0',
      'note:timeout@2000',
      'ask:submitted@32000',
      'check:low@32000',
      'ask:submitted@32000',
      'check:default@32000',
      'end:null@32000',
    ]);
    // A third visit would have had no answer left.
    const strict = await tellflow(['run', 'dialog.json', '--answers', '{"ask": [{"score": 1}]}'], { 'dialog.json': dialog });
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('no answer for the form "Score" at node "ask"');
  });

  it('stops a run that never ends at the simulated time or step limit', async () => {
    const forever = flow(
      'forever',
      [
        { id: 'start', type: 'start' },
        { id: 'tick', type: 'wait', params: { seconds: 3600 } },
        { id: 'ask', type: 'showForm', params: { title: 'Again?', fields: [{ name: 'x', label: 'X', type: 'text' }] } },
      ],
      ['start:next>tick', 'tick:next>ask', 'ask:submitted>tick'],
    );
    const hours = await tellflow(['run', 'f.json', '--max-hours', '3', '--answers', '{"ask": {}}'], { 'f.json': forever });
    expect(hours.code).toBe(1);
    expect(hours.out.trimEnd().split('\n').at(-1)).toBe(
      'cancelled at node "tick": stopped at the simulated time limit of 3 h (--max-hours): the executions were still waiting',
    );
    expect(hours.out).toContain('+2:00:00  ask');
    const steps = await tellflow(['run', 'f.json', '--max-steps', '10', '--json', '--answers', '{"ask": {}}'], { 'f.json': forever });
    expect(steps.code).toBe(1);
    expect(JSON.parse(steps.out)).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^stopped after 1\d steps, more than --max-steps 10/) });
  });

  it('stops a loop whose steps are all due at once (queries, no wait) at the step limit', async () => {
    const spin = flow(
      'spin',
      [
        { id: 'start', type: 'start' },
        { id: 'q', type: 'sql', params: { query: 'select 1 as one', result: 'none' } },
      ],
      ['start:next>q', 'q:ok>q', 'q:empty>q', 'q:error>q'],
    );
    const r = await tellflow(['run', 's.json', '--max-steps', '500', '--json'], { 's.json': spin });
    expect(r.code).toBe(1);
    // Cut between claims: each claim advances an execution at most 200 steps, so the count passes the limit by less than that.
    expect(JSON.parse(r.out)).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^stopped after \d+ steps, more than --max-steps 500/) });
  });

  it('exits 1 for invalid scenarios and inputs, 2 for bad arguments', async () => {
    const alone = await tellflow(['run', 'call.json', '--vars', vars], files);
    expect(alone.code).toBe(1);
    expect(alone.out).toBe('call.json: error node "double" at nodes[5].params.scenario: unknown scenario "child"\n1 file: 0 valid, 1 invalid (1 error)\n');
    expect(alone.err).toBe('tellflow run: the scenario files have errors\n');

    const noInput = await tellflow(['run', 'call.json', 'child.json'], files);
    expect(noInput).toEqual({ code: 1, out: '', err: 'tellflow run: missing required input "tel"\n' });

    expect((await tellflow(['run'])).err).toBe('tellflow run: no scenario file or id given\nRun "tellflow run --help" for usage.\n');
    const badVars = await tellflow(['run', 'call.json', '--vars', '{tel: 1}'], files);
    expect(badVars.code).toBe(2);
    expect(badVars.err).toMatch(/^tellflow run: --vars is not valid JSON: .* at line 1, column 2\n/);
    expect((await tellflow(['run', 'call.json', '--vars', '[1]'], files)).code).toBe(2);
    expect((await tellflow(['run', 'call.json', '--answers', '{"survey": 5}'], files)).err).toContain('--answers the answer for "survey" must be an object');
    const badRules = await tellflow(['run', 'call.json', '--sim', 'r.json'], { ...files, 'r.json': '{"customers": {"default": "maybe"}}' });
    expect(badRules.code).toBe(2);
    expect(badRules.err).toMatch(/^tellflow run: r\.json: invalid simulator rules file:\n {2}- customers\.default: /);
    expect((await tellflow(['run', 'missing.json'])).err).toBe('tellflow run: cannot read missing.json: no such file\n');
    expect((await tellflow(['run', 'call.json', '--max-hours', '0'], files)).code).toBe(2);
  });

  describe('with the product database', () => {
    useProductDatabase();

    it("runs an id's published version from the database, with the scenarios it runs", async () => {
      const imported = await tellflow(['import', '--publish', 'parent.json', 'child.json'], { 'parent.json': parentText, 'child.json': childText });
      expect(imported.code).toBe(0);
      const r = await tellflow(['run', 'parent']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out.trimEnd().split('\n').at(-1)).toBe('completed, result: 42');

      expect(await tellflow(['run', 'nope'])).toEqual({ code: 1, out: '', err: 'tellflow run: scenario "nope" not found\n' });
      await tellflow(['import', 'draft.json'], {
        'draft.json': flow(
          'draft',
          [
            { id: 'start', type: 'start' },
            { id: 'end', type: 'end', params: { result: 'd' } },
          ],
          ['start:next>end'],
        ),
      });
      expect((await tellflow(['run', 'draft'])).err).toBe('tellflow run: scenario "draft" has no published version\n');
      expect((await tellflow(['run', 'draft', '--version', '1'])).out).toMatch(/completed, result: "d"\n$/);
    });

    it('takes the scenarios a file runs from the database when no file has them', async () => {
      await tellflow(['import', '--publish', 'child.json'], { 'child.json': childText });
      const r = await tellflow(['run', 'parent.json', '--json'], { 'parent.json': parentText });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ status: 'completed', result: 42 });
    });
  });
});

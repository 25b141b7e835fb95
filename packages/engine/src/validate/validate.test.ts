import { describe, expect, it } from 'vitest';
import type { ScenarioNode } from '../format/scenario.ts';
import type { Json } from '../json.ts';
import { nodeDefinition } from '../nodes/registry.ts';
import { scenario } from '../test-helpers.ts';
import { formatIssue, formatPath, hasErrors, type Issue } from './issue.ts';
import { validateScenario } from './validate.ts';
import { missingReferences, validateSet } from './validate-set.ts';

const START: ScenarioNode = { id: 'start', type: 'start' };
const DONE: ScenarioNode = { id: 'done', type: 'end' };

/** start → node → done on every given outcome. */
function around(node: ScenarioNode, outcomes: string[], extra: Parameters<typeof scenario>[2] = {}) {
  return scenario([START, node, DONE], [['start', 'next', node.id], ...outcomes.map((o): [string, string, string] => [node.id, o, 'done'])], extra);
}

const errors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error');
const warnings = (issues: Issue[]) => issues.filter((i) => i.severity === 'warning');

/** The callback monitor of domain.md: find due rows, mark one as being served, hand it to the operator-calling scenario. */
const monitor = scenario(
  [
    { id: 'start', type: 'start', params: { inputs: [{ name: 'period', type: 'number', default: 5 }] } },
    {
      id: 'due',
      type: 'sql',
      params: {
        query: 'select * from table_out_call where status = 10 and date_callback <= :now::timestamptz -- due now\nlimit 1',
        params: { now: { var: '$now' } },
        result: 'first',
        into: 'subscriber',
      },
    },
    { id: 'serve', type: 'setStatus', params: { id: { var: 'subscriber.Id' }, status: 11 } },
    { id: 'call', type: 'runScenario', params: { scenario: 'operator-calling', inputs: { subscriber: { var: 'subscriber' } }, wait: false } },
    { id: 'done', type: 'end' },
    { id: 'failed', type: 'end', params: { status: 'failed', reason: 'database error' } },
  ],
  [
    ['start', 'next', 'due'],
    ['due', 'ok', 'serve'],
    ['due', 'empty', 'done'],
    ['due', 'error', 'failed'],
    ['serve', 'next', 'call'],
    ['serve', 'error', 'failed'],
    ['call', 'done', 'done'],
    ['call', 'failed', 'failed'],
  ],
  { id: 'callback-monitor', name: 'Callback monitor' },
);

describe('validateScenario: valid documents', () => {
  it('a realistic scenario has no issues and comes back typed, as written', () => {
    const r = validateScenario(monitor);
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.scenario).toEqual(monitor);
  });

  it('accepts a document with only warnings (ok, with the scenario)', () => {
    const doc = scenario(
      [START, { id: 'b', type: 'branch', params: { condition: { var: 'ghost' } } }, DONE, { id: 'orphan', type: 'end' }],
      [
        ['start', 'next', 'b'],
        ['b', 'true', 'done'],
      ],
    );
    const r = validateScenario(doc);
    expect(r.ok).toBe(true);
    expect(r.scenario).toEqual(doc);
    expect(r.issues).toEqual([
      { severity: 'warning', nodeId: 'b', path: 'nodes[1].params.condition', message: 'reads variable "ghost", which is not declared and no node sets it' },
      { severity: 'warning', nodeId: 'orphan', path: 'nodes[3]', message: 'unreachable: no path leads here from the start node' },
    ]);
    expect(hasErrors(r.issues)).toBe(false);
  });

  it('allows an outcome without an edge (the interpreter fails if it is taken)', () => {
    const r = validateScenario(around({ id: 'q', type: 'sql', params: { query: 'select 1' } }, ['ok']));
    expect(r.issues).toEqual([]);
  });
});

describe('validateScenario: variables read by expressions', () => {
  const reads = (name: string): ScenarioNode => ({ id: 'check', type: 'branch', params: { condition: { '==': [{ var: `${name}.field` }, 1] } } });
  const check = (doc: unknown) => warnings(validateScenario(doc).issues);

  it('does not warn for declared scenario variables or start inputs', () => {
    expect(check(around(reads('declared'), ['true', 'false'], { variables: [{ name: 'declared', type: 'json' }] }))).toEqual([]);
    const withInput = scenario(
      [{ id: 'start', type: 'start', params: { inputs: [{ name: 'input', required: true }] } }, reads('input'), DONE],
      [
        ['start', 'next', 'check'],
        ['check', 'true', 'done'],
      ],
    );
    expect(check(withInput)).toEqual([]);
  });

  it('does not warn for the built-ins lastError and $now', () => {
    const node: ScenarioNode = {
      id: 'set',
      type: 'setVariables',
      params: { assign: [{ name: 'x', value: { cat: [{ var: 'lastError' }, { var: '$now' }] } }] },
    };
    expect(check(around(node, ['next']))).toEqual([]);
  });

  it.each<[string, ScenarioNode]>([
    ['sql into', { id: 'w', type: 'sql', params: { query: 'select 1', into: 'written' } }],
    ['callOperator into', { id: 'w', type: 'callOperator', params: { operator: '1', into: 'written' } }],
    ['dialCustomer into', { id: 'w', type: 'dialCustomer', params: { number: '1', into: 'written' } }],
    ['queue into', { id: 'w', type: 'queue', params: { queue: 'q', into: 'written' } }],
    ['runScenario into', { id: 'w', type: 'runScenario', params: { scenario: 'child', into: 'written' } }],
    ['setVariables', { id: 'w', type: 'setVariables', params: { assign: [{ name: 'written', value: 1 }] } }],
    ['an editable form field', { id: 'w', type: 'showForm', params: { title: 'T', fields: [{ name: 'written', label: 'W', type: 'text' }] } }],
  ])('does not warn for a variable written by %s, even when the reader comes first', (_what, writer) => {
    // The reader is placed before the writer in the document and in the flow.
    const out = nodeDefinition(writer.type)!.outcomes(writer.params)[0]!;
    const doc = scenario(
      [START, reads('written'), writer, DONE],
      [
        ['start', 'next', 'check'],
        ['check', 'true', 'w'],
        ['w', out, 'done'],
      ],
    );
    expect(check(doc)).toEqual([]);
  });

  it('warns for a read-only form field, which the form never writes', () => {
    const form: ScenarioNode = { id: 'w', type: 'showForm', params: { title: 'T', fields: [{ name: 'shown', label: 'S', type: 'text', readOnly: true }] } };
    const doc = scenario(
      [START, form, reads('shown'), DONE],
      [
        ['start', 'next', 'w'],
        ['w', 'submitted', 'check'],
        ['check', 'true', 'done'],
      ],
    );
    expect(check(doc)).toEqual([
      { severity: 'warning', nodeId: 'check', path: 'nodes[2].params.condition', message: 'reads variable "shown", which is not declared and no node sets it' },
    ]);
  });

  it('warns once per undeclared variable, at the expression that reads it', () => {
    const node: ScenarioNode = {
      id: 'run',
      type: 'runScenario',
      params: { scenario: 'child', inputs: { tel: { cat: [{ var: 'a' }, { var: 'b.c' }, { var: 'a' }] }, ok: { var: 'declared' } } },
    };
    const doc = around(node, ['done'], { variables: [{ name: 'declared' }] });
    expect(check(doc).map((i) => [i.path, i.message])).toEqual([
      ['nodes[1].params.inputs.tel', 'reads variable "a", which is not declared and no node sets it'],
      ['nodes[1].params.inputs.tel', 'reads variable "b", which is not declared and no node sets it'],
    ]);
  });

  it('finds variables in sql params, setStatus fields, form defaults and end results', () => {
    const doc = scenario(
      [
        START,
        { id: 'q', type: 'sql', params: { query: 'select :a', params: { a: { var: 'v1' } } } },
        { id: 's', type: 'setStatus', params: { id: 1, status: 10, fields: { tel: { var: 'v2' } } } },
        { id: 'f', type: 'showForm', params: { title: 'T', fields: [{ name: 'x', label: 'X', type: 'text', default: { var: 'v3' } }] } },
        { id: 'e', type: 'end', params: { result: { var: 'v4' } } },
      ],
      [
        ['start', 'next', 'q'],
        ['q', 'ok', 's'],
        ['s', 'next', 'f'],
        ['f', 'submitted', 'e'],
      ],
    );
    expect(check(doc).map((i) => [i.nodeId, i.path])).toEqual([
      ['q', 'nodes[1].params.params.a'],
      ['s', 'nodes[2].params.fields.tel'],
      ['f', 'nodes[3].params.fields[0].default'],
      ['e', 'nodes[4].params.result'],
    ]);
  });

  it('reports an unknown json-logic operation as an error, even nested', () => {
    const node: ScenarioNode = {
      id: 'set',
      type: 'setVariables',
      params: {
        assign: [
          { name: 'x', value: 1 },
          { name: 'y', value: { if: [true, { sqrt: 4 }, 0] } },
        ],
      },
    };
    const r = validateScenario(around(node, ['next']));
    expect(r.ok).toBe(false);
    expect(r.scenario).toBeUndefined();
    expect(r.issues).toEqual([
      { severity: 'error', nodeId: 'set', path: 'nodes[1].params.assign[1].value.if[1].sqrt', message: 'unknown json-logic operation "sqrt"' },
    ]);
  });

  it('rejects the removed operations method and log', () => {
    const node: ScenarioNode = {
      id: 'set',
      type: 'setVariables',
      params: {
        assign: [
          { name: 'x', value: { method: ['a', 'toUpperCase'] } },
          { name: 'y', value: { log: 1 } },
        ],
      },
    };
    expect(errors(validateScenario(around(node, ['next'])).issues).map((i) => i.message)).toEqual([
      'unknown json-logic operation "method"',
      'unknown json-logic operation "log"',
    ]);
  });
});

describe('validateScenario: node params', () => {
  /** The errors of start → node → done (warnings left out). */
  const paramIssues = (node: unknown) =>
    errors(validateScenario({ ...scenario([START, DONE]), nodes: [START, node, DONE] }).issues).map((i) => [i.nodeId, i.path, i.message]);

  it("refuses a query that would control the step's transaction or the shared connection, or is more than one statement", () => {
    expect(paramIssues({ id: 'q', type: 'sql', params: { query: 'commit' } })).toEqual([
      ['q', 'nodes[1].params.query', expect.stringMatching(/^must not be a COMMIT statement: /)],
    ]);
    expect(paramIssues({ id: 'q', type: 'sql', params: { query: 'update t set x = 1; delete from t' } })).toEqual([
      ['q', 'nodes[1].params.query', 'must be one statement (there is more after a ";")'],
    ]);
    expect(paramIssues({ id: 'r', type: 'runScenario', params: { scenario: 'x', wait: false, forEachRow: { query: 'set search_path = other' } } })).toEqual([
      ['r', 'nodes[1].params.forEachRow.query', expect.stringMatching(/^must not be a SET statement: /)],
    ]);
  });

  it('names the node and the zod path of a bad param', () => {
    expect(paramIssues({ id: 'q', type: 'sql', params: { query: '   ' } })).toEqual([['q', 'nodes[1].params.query', 'must not be empty']]);
    expect(paramIssues({ id: 'f', type: 'showForm', params: { title: 'T', fields: [{ name: 'a', label: 'A', type: 'colour' }] } })).toEqual([
      ['f', 'nodes[1].params.fields[0].type', expect.stringContaining('Invalid option')],
    ]);
    expect(paramIssues({ id: 's', type: 'setVariables', params: { assign: [{ name: '1st', value: 1 }] } })).toEqual([
      ['s', 'nodes[1].params.assign[0].name', 'must start with a letter or "_" and contain only letters, digits and "_"'],
    ]);
    expect(paramIssues({ id: 'w', type: 'wait', params: { seconds: 5, until: 0 } })).toEqual([
      ['w', 'nodes[1].params', 'set exactly one of "seconds" or "until"'],
    ]);
  });

  it('rejects unknown keys on a node and missing params', () => {
    expect(paramIssues({ id: 'e', type: 'end', colour: 'red' })).toEqual([['e', 'nodes[1]', 'Unrecognized key: "colour"']]);
    expect(paramIssues({ id: 'q', type: 'sql' })).toEqual([['q', 'nodes[1].params', expect.stringContaining('expected object')]]);
  });

  it('branch cases: "default" is reserved, names are unique, at least one case', () => {
    expect(paramIssues({ id: 'b', type: 'branch', params: { cases: [{ name: 'default', when: true }] } })).toEqual([
      ['b', 'nodes[1].params.cases[0].name', '"default" is reserved for the fallback outcome'],
    ]);
    expect(
      paramIssues({
        id: 'b',
        type: 'branch',
        params: {
          cases: [
            { name: 'a', when: true },
            { name: 'a', when: false },
          ],
        },
      }),
    ).toEqual([['b', 'nodes[1].params.cases[1].name', 'duplicate case name "a"']]);
    expect(paramIssues({ id: 'b', type: 'branch', params: { cases: [] } })).toEqual([['b', 'nodes[1].params.cases', 'must have at least one case']]);
  });

  it('form fields: options only on select, unique names', () => {
    expect(
      paramIssues({ id: 'f', type: 'showForm', params: { title: 'T', fields: [{ name: 'a', label: 'A', type: 'text', options: [{ value: 'x' }] }] } }),
    ).toEqual([['f', 'nodes[1].params.fields[0].options', '"options" only applies to select fields, not text']]);
    expect(
      paramIssues({
        id: 'f',
        type: 'showForm',
        params: {
          title: 'T',
          fields: [
            { name: 'a', label: 'A', type: 'text' },
            { name: 'a', label: 'B', type: 'number' },
          ],
        },
      }),
    ).toEqual([['f', 'nodes[1].params.fields[1].name', 'duplicate field name "a"']]);
  });

  it('reports each sql placeholder without a value, and accepts quoted or cast look-alikes', () => {
    expect(paramIssues({ id: 'q', type: 'sql', params: { query: 'select :a, :b', params: { b: 1 } } })).toEqual([
      ['q', 'nodes[1].params.query', 'parameter :a is used in the query but has no value in "params"'],
    ]);
    expect(paramIssues({ id: 'q', type: 'sql', params: { query: 'select \':a\', "x:b", now()::date -- :c\n' } })).toEqual([]);
  });
});

describe('validateScenario: document and graph', () => {
  it.each([
    [null, 'null'],
    ['text', 'a string'],
    [42, 'a number'],
    [[], 'an array'],
  ])('a non-object (%j) is one error at the root', (doc, what) => {
    expect(validateScenario(doc)).toEqual({ ok: false, issues: [{ severity: 'error', path: '', message: `a scenario must be a JSON object, not ${what}` }] });
  });

  it('reports shell errors with their paths', () => {
    const { name: _name, ...noName } = scenario([START]);
    const r = validateScenario({ ...noName, kind: 'robot', extra: true });
    expect(r.issues.map((i) => [i.path, i.message])).toEqual([
      ['name', 'Invalid input: expected string, received undefined'],
      ['kind', 'Invalid option: expected one of "inbound"|"outbound"|"dialog"|"service"|"sub"'],
      ['', 'Unrecognized key: "extra"'],
    ]);
  });

  it('an empty node list needs a start node (one error, not two)', () => {
    expect(validateScenario(scenario([])).issues).toEqual([{ severity: 'error', path: 'nodes', message: 'must have at least a start node' }]);
  });

  it('reports every problem at once, not only the first', () => {
    const doc = scenario(
      [START, { id: 'q', type: 'sql', params: { query: '' } }, { id: 'q', type: 'end' }],
      [
        ['start', 'next', 'nowhere'],
        ['start', 'oops', 'q'],
      ],
    );
    expect(validateScenario(doc).issues.map((i) => i.path)).toEqual(['nodes[1].params.query', 'nodes[2].id', 'edges[0].target', 'edges[1].sourceHandle']);
  });

  it('rejects a pathologically deep document with an issue instead of throwing', () => {
    let deep: Json = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(validateScenario({ ...scenario([START]), meta: { deep } })).toEqual({
      ok: false,
      issues: [{ severity: 'error', path: '', message: 'the document is nested too deeply to validate' }],
    });
    let expr: Json = true;
    for (let i = 0; i < 20_000; i++) expr = { '!': expr };
    const node: ScenarioNode = { id: 'b', type: 'branch', params: { condition: expr } };
    expect(validateScenario(around(node, ['true'])).issues).toEqual([
      { severity: 'error', path: '', message: 'the document is nested too deeply to validate' },
    ]);
  });

  it('an end node has no outcomes to leave by', () => {
    const doc = scenario(
      [START, DONE, { id: 'after', type: 'end' }],
      [
        ['start', 'next', 'done'],
        ['done', 'next', 'after'],
      ],
    );
    expect(validateScenario(doc).issues).toEqual([
      { severity: 'error', nodeId: 'done', path: 'edges[1].sourceHandle', message: '"next" is not an outcome of end node "done": it has no outcomes' },
    ]);
  });

  it('follows edges for reachability, including cycles and nodes listed before the start', () => {
    const doc = scenario(
      [
        { id: 'loop', type: 'branch', params: { condition: { '<': [{ var: 'n' }, 3] } } },
        { id: 'inc', type: 'setVariables', params: { assign: [{ name: 'n', value: { '+': [{ var: 'n' }, 1] } }] } },
        START,
        DONE,
      ],
      [
        ['start', 'next', 'loop'],
        ['loop', 'true', 'inc'],
        ['inc', 'next', 'loop'],
        ['loop', 'false', 'done'],
      ],
    );
    expect(validateScenario(doc).issues).toEqual([]);
  });
});

describe('validateSet', () => {
  const parent = scenario(
    [START, { id: 'run', type: 'runScenario', params: { scenario: 'child' } }, DONE],
    [
      ['start', 'next', 'run'],
      ['run', 'done', 'done'],
    ],
    { id: 'parent' },
  );
  const child = scenario([START, DONE], [['start', 'next', 'done']], { id: 'child' });

  it('accepts a reference to another scenario of the set', () => {
    const r = validateSet([
      { source: 'parent.json', doc: parent },
      { source: 'child.json', doc: child },
    ]);
    expect(r.ok).toBe(true);
    expect(r.results.map((x) => [x.source, x.ok, x.issues])).toEqual([
      ['parent.json', true, []],
      ['child.json', true, []],
    ]);
  });

  it('reports a runScenario of an unknown scenario', () => {
    const r = validateSet([{ source: 'parent.json', doc: parent }]);
    expect(r.ok).toBe(false);
    expect(r.results[0]).toMatchObject({ source: 'parent.json', ok: false });
    expect(r.results[0]!.scenario).toBeUndefined();
    expect(r.results[0]!.issues).toEqual([{ severity: 'error', nodeId: 'run', path: 'nodes[1].params.scenario', message: 'unknown scenario "child"' }]);
  });

  it('accepts ids known from elsewhere (e.g. the database)', () => {
    expect(validateSet([{ source: 'parent.json', doc: parent }], { knownScenarioIds: ['child'] }).ok).toBe(true);
  });

  it('reports a scenario id used twice, on the later file', () => {
    const r = validateSet([
      { source: 'a.json', doc: child },
      { source: 'b.json', doc: { ...child, name: 'Another' } },
    ]);
    expect(r.ok).toBe(false);
    expect(r.results[0]).toMatchObject({ ok: true, issues: [] });
    expect(r.results[1]!.ok).toBe(false);
    expect(r.results[1]!.issues).toEqual([{ severity: 'error', path: 'id', message: 'scenario id "child" is also used by a.json' }]);
  });

  it('keeps each file’s own issues, and ignores warnings for ok', () => {
    const warned = scenario([START, DONE, { id: 'orphan', type: 'end' }], [['start', 'next', 'done']], { id: 'w' });
    const r = validateSet([
      { source: 'w.json', doc: warned },
      { source: 'bad.json', doc: 'nope' },
    ]);
    expect(r.ok).toBe(false);
    expect(r.results.map((x) => [x.source, x.ok, x.issues.map((i) => i.severity)])).toEqual([
      ['w.json', true, ['warning']],
      ['bad.json', false, ['error']],
    ]);
  });

  it('missingReferences lists only runScenario targets that are not known', () => {
    expect(missingReferences(parent, new Set(['child']))).toEqual([]);
    expect(missingReferences(parent, new Set())).toHaveLength(1);
  });
});

describe('issue formatting', () => {
  it('formatPath writes dots, indexes and quoted odd keys', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['nodes', 3, 'params', 'fields', 0, 'type'])).toBe('nodes[3].params.fields[0].type');
    expect(formatPath(['nodes', 1, 'params', 'condition', '==', 0])).toBe('nodes[1].params.condition["=="][0]');
    expect(formatPath(['$now'])).toBe('$now');
  });

  it('formatIssue is one line with the file, severity, node and path', () => {
    expect(formatIssue({ severity: 'error', nodeId: 'dial', path: 'nodes[3].params.number', message: 'must not be empty' }, 'a.json')).toBe(
      'a.json: error node "dial" at nodes[3].params.number: must not be empty',
    );
    expect(formatIssue({ severity: 'warning', path: '', message: 'hm' })).toBe('warning: hm');
  });
});

describe('validateScenario: test cases', () => {
  const branchy = scenario(
    [
      { id: 'start', type: 'start', params: { inputs: [{ name: 'n', type: 'number' }] } },
      { id: 'check', type: 'branch', params: { cases: [{ name: 'big', when: { '>': [{ var: 'n' }, 10] } }] } },
      DONE,
      { id: 'small', type: 'end' },
    ],
    [
      ['start', 'next', 'check'],
      ['check', 'big', 'done'],
      ['check', 'default', 'small'],
    ],
  );
  const withTests = (tests: unknown) => ({ ...branchy, tests }) as unknown;

  it('accepts test cases with input, sim rules, answers, setup SQL and expectations, and keeps them as written', () => {
    const tests = [
      {
        name: 'big goes to done',
        description: 'n over 10',
        input: { n: 11 },
        sim: { customers: { rules: [{ match: '+1555*', outcome: 'busy' }] } },
        answers: { ask: { score: 5 }, Survey: [{ score: 1 }, null] },
        setupSql: 'create table t (x int)',
        expect: { path: ['start', 'check', 'done'], status: 'completed', result: null },
      },
      { name: 'small', expect: {} },
    ];
    const r = validateScenario(withTests(tests));
    expect(r.issues).toEqual([]);
    expect(r.scenario?.tests).toEqual(tests);
  });

  it('names the test and the field: a repeated name, a path through a node that is not there, an unknown status', () => {
    const r = validateScenario(
      withTests([
        { name: 'one', expect: { path: ['start', 'nowhere'] } },
        { name: 'one', expect: { status: 'completed' } },
      ]),
    );
    expect(errors(r.issues).map((i) => `${i.path}: ${i.message}`)).toEqual([
      'tests[0].expect.path[1]: test "one": the expected path names node "nowhere", which is not in the scenario',
      'tests[1].name: test "one": another test has this name (tests[0])',
    ]);
    const bad = validateScenario(
      withTests([
        { name: 'x', expect: { status: 'done' } },
        { name: '', expect: {}, extra: 1 },
      ]),
    );
    expect(errors(bad.issues).map((i) => i.path)).toEqual(['tests[0].expect.status', 'tests[1].name', 'tests[1]']);
  });

  it('warns when consecutive nodes of an expected path have no edge between them', () => {
    const r = validateScenario(withTests([{ name: 'skip', expect: { path: ['start', 'done'] } }]));
    expect(r.ok).toBe(true);
    expect(warnings(r.issues).map((i) => `${i.path}: ${i.message}`)).toEqual([
      'tests[0].expect.path[1]: test "skip": the expected path goes from "start" to "done", but no edge leads there',
    ]);
  });
});

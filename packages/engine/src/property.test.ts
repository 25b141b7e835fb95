/**
 * Property tests: thousands of random and mutated scenario documents fed to
 * `validateScenario`, and everything it accepts fed to the interpreter.
 *
 *  - validation never throws, whatever the input;
 *  - its issues are well-formed, and `ok` is true exactly when none is an error;
 *  - every accepted scenario starts: `step` never throws, the execution is
 *    waiting (with exactly the one effect it waits for), completed or failed;
 *    and plausible (or garbage) results for its effects never make `step` throw;
 *  - compiled json-logic expressions (logic.ts `compileLogic`, used by the
 *    interpreter) compute exactly what json-logic-js computes.
 *
 * fast-check prints the seed and the shrunk counterexample on failure; replay
 * with `{ seed, path }` in the failing `fc.assert`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_OUTCOMES, FIELD_TYPES, type Effect } from './effects.ts';
import { SCENARIO_FORMAT, type Scenario } from './format/scenario.ts';
import type { ExecutionState, StepResult } from './interpreter/state.ts';
import { step } from './interpreter/step.ts';
import { unstorable, type Json } from './json.ts';
import { compileLogic, evaluate, LOGIC_OPERATIONS } from './logic.ts';
import { NODE_DEFINITIONS, nodeDefinition } from './nodes/registry.ts';
import { validateScenario } from './validate/validate.ts';

/**
 * Generated cases per property: 8,100 in all, about 5 s of CPU on one core
 * (validation, generation and the interpreter's runs each take a third).
 */
const RUNS = { json: 1500, shell: 600, plausible: 800, valid: 400, mutations: 1200, logic: 3000, interpreterLogic: 600 };

// ---------------------------------------------------------------------------
// Checking one document

/** Counts, so that properties can check they were not vacuous. */
const stats = { documents: 0, accepted: 0 };

/**
 * Plain checks rather than `expect` in the hot paths: a garbage document can
 * have dozens of issues, and thousands of `expect` calls per run would
 * dominate the file's runtime. A failure still throws, with the details.
 */
function check(condition: boolean, what: string, detail?: unknown): asserts condition {
  if (!condition) throw new Error(`${what}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
}

const ISSUE_KEYS = new Set(['severity', 'nodeId', 'path', 'message']);

/** Validates `doc` and checks every property; runs the interpreter on it when accepted. */
function checkDocument(doc: unknown, at: number, input: Record<string, Json>, g?: fc.GeneratorValue): boolean {
  stats.documents++;
  const result = validateScenario(doc); // must not throw
  check(Array.isArray(result.issues), 'issues is an array');
  for (const issue of result.issues) {
    check(issue.severity === 'error' || issue.severity === 'warning', 'severity is error or warning', issue);
    check(typeof issue.path === 'string', 'path is a string', issue);
    check(typeof issue.message === 'string' && issue.message.length > 0, 'message is a non-empty string', issue);
    check(!('nodeId' in issue) || typeof issue.nodeId === 'string', 'nodeId, when present, is a string', issue);
    check(
      Object.keys(issue).every((k) => ISSUE_KEYS.has(k)),
      'an issue has only severity, nodeId, path and message',
      issue,
    );
  }
  const hasError = result.issues.some((i) => i.severity === 'error');
  check(result.ok === !hasError, 'ok exactly when there is no error', result.issues);
  if (!result.ok) {
    check(result.scenario === undefined, 'no scenario when not ok');
    return false;
  }
  check(result.scenario !== undefined, 'a scenario when ok');
  stats.accepted++;
  runAccepted(result.scenario, at, input, g);
  return true;
}

/** Starts an accepted scenario and feeds results to its effects for a few steps. */
function runAccepted(scenario: Scenario, at: number, input: Record<string, Json>, g?: fc.GeneratorValue): void {
  let r = step(scenario, undefined, { type: 'start', at, input }); // must not throw
  check(r.ignored === undefined, 'a start is not ignored', r.ignored);
  checkStepResult(r);
  let now = at;
  for (let i = 0; i < 4 && r.state.status === 'waiting'; i++) {
    const waitingFor = r.effects[0]!;
    const state: ExecutionState = r.state;
    now += 1000;
    // Mostly a plausible result for the effect; sometimes garbage, sometimes for a step not awaited.
    const wrongStep = g ? g(fc.nat, 19) === 0 : false;
    const result = g ? resultFor(waitingFor.effect, g) : plainResultFor(waitingFor.effect);
    r = step(scenario, state, { type: 'result', at: now, step: wrongStep ? waitingFor.step + 1 : waitingFor.step, result }); // must not throw
    if (wrongStep) {
      check(typeof r.ignored === 'string' && r.state === state && r.effects.length === 0, 'a result for another step is ignored', r.ignored);
      return;
    }
    check(r.ignored === undefined, 'the awaited result is not ignored', r.ignored);
    checkStepResult(r);
  }
}

function checkStepResult(r: StepResult): void {
  const { state, effects } = r;
  check(state.status === 'waiting' || state.status === 'completed' || state.status === 'failed', 'status is waiting, completed or failed', state.status);
  check(Array.isArray(r.trace), 'trace is an array');
  if (state.status === 'waiting') {
    check(effects.length === 1, 'waiting with exactly one effect', effects);
    check(state.waiting !== undefined, 'waiting says for what');
    check(effects[0]!.step === state.waiting.step, "the effect's step is the awaited step", { effect: effects[0], waiting: state.waiting });
    check(effects[0]!.nodeId === state.waiting.nodeId && effects[0]!.effect.kind === state.waiting.kind, 'the effect is the awaited one', {
      effect: effects[0],
      waiting: state.waiting,
    });
  } else {
    check(effects.length === 0, 'no effect once finished', effects);
    check(state.waiting === undefined, 'not waiting once finished', state.waiting);
    check(typeof state.endedAt === 'number', 'endedAt once finished', state.endedAt);
    if (state.status === 'failed') check(typeof state.error?.message === 'string', 'a failure has a message', state.error);
  }
}

// ---------------------------------------------------------------------------
// Effect results

/** fc.jsonValue typed as the engine's Json (fast-check's type allows `undefined` in objects; its values never hold it). */
const json = (constraints?: fc.JsonSharedConstraints) => fc.jsonValue(constraints) as fc.Arbitrary<Json>;
const jsonSmall = json({ maxDepth: 2 });
const row = fc.dictionary(fc.constantFrom('Id', 'name', 'tel', 'status', 'a', 'n'), jsonSmall, { maxKeys: 4 });

/** A result shaped like the runtime's for this effect, or (1 in 10) anything at all. */
function resultFor(effect: Effect, g: fc.GeneratorValue): unknown {
  if (g(fc.nat, 9) === 0) return g(() => fc.oneof(json({ maxDepth: 3 }), fc.constant(undefined)));
  const opt = <T>(arb: fc.Arbitrary<T>) => g(() => fc.option(arb, { nil: undefined }));
  const omitUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (effect.kind) {
    case 'sql':
    case 'setStatus': {
      if (g(fc.boolean)) return { ok: false, error: g(fc.string), ...(g(fc.boolean) ? { code: '23505' } : {}) };
      const rows = effect.kind === 'sql' ? g(() => fc.array(row, { maxLength: 3 })) : undefined;
      return omitUndefined({ ok: true, rows, rowCount: g(() => fc.nat(5)) });
    }
    case 'call':
    case 'dial':
      return omitUndefined({ outcome: g(fc.constantFrom, ...CALL_OUTCOMES), callId: opt(fc.string()), reason: opt(fc.string()) });
    case 'form': {
      if (g(fc.nat, 4) === 0) return { timeout: true };
      const submitted: Record<string, Json> = {};
      for (const f of effect.fields) if (g(fc.boolean)) submitted[f.name] = g(() => jsonSmall);
      return omitUndefined({ submitted, by: opt(fc.string()) });
    }
    case 'timer':
      return g(fc.boolean) ? {} : { firedAt: g(fc.nat) };
    case 'enqueue':
      return omitUndefined({ outcome: g(fc.constantFrom, 'assigned', 'timeout', 'left'), agent: opt(fc.string()), waitedMs: opt(fc.nat()) });
    case 'startChild':
      return g(fc.boolean)
        ? omitUndefined({ outcome: 'done', executionId: opt(fc.uuid()), result: opt(jsonSmall) })
        : omitUndefined({ outcome: 'failed', error: opt(fc.string()) });
  }
}

/** A fixed plausible result, for callers without a generator. */
function plainResultFor(effect: Effect): unknown {
  switch (effect.kind) {
    case 'sql':
      return { ok: true, rows: [{ Id: 1 }], rowCount: 1 };
    case 'setStatus':
      return { ok: true, rowCount: 1 };
    case 'call':
    case 'dial':
      return { outcome: 'answered', callId: 'c1' };
    case 'form':
      return { submitted: {} };
    case 'timer':
      return {};
    case 'enqueue':
      return { outcome: 'assigned', agent: 'a1' };
    case 'startChild':
      return { outcome: 'done', result: null };
  }
}

// ---------------------------------------------------------------------------
// Building blocks: values, names, json-logic expressions

const INJECTIONS = [
  "'; drop table x; --",
  "' OR '1'='1",
  'Robert"); DROP TABLE students;--',
  ':id',
  '$1',
  '$$ :x $$',
  '{{var}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection attempt, as plain text on purpose
  '${process.exit(1)}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\u0000',
  '\uFEFF',
  '\uD800',
  'x'.repeat(300),
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-0',
  'null',
  'undefined',
  'true',
];
const injection = fc.constantFrom(...INJECTIONS);

/** Numbers a JSON text can produce: huge, tiny, -0, and ±Infinity (what `1e999` parses to). */
const HUGE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  Infinity,
  -Infinity,
];
const hugeNumber = fc.constantFrom(...HUGE_NUMBERS);

const VARS = ['a', 'b', 'n', 's', 'list', 'obj', 'subscriber'];
const identifier = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...VARS) },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/) },
  { weight: 1, arbitrary: fc.constantFrom('lastError', '__proto__', 'constructor', 'toString', 'default', 'x'.repeat(63)) },
);

/** Paths `var` reads: declared names, nested paths, prototype names, indexes. */
const varPath = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VARS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('obj.x', 'obj.y.z', 'list.0', 'list.length', 's.length', 'subscriber.tel', 'a.b.c', 'nope', '$now', 'lastError', ''),
  },
  { weight: 1, arbitrary: fc.constantFrom('constructor', '__proto__', 'toString', 'obj.__proto__', 'a..b', '.', 'list.-1') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const finiteScalar = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 100 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '0', '1', '1.5', ' 2 ', 'NaN', 'abc', 'true', "'; drop table x; --") },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
/** Scalars including the non-finite numbers a JSON text can still yield. */
const anyScalar = fc.oneof({ weight: 10, arbitrary: finiteScalar }, { weight: 1, arbitrary: hugeNumber });

/** `{ [key]: value }` as an own property, even for `__proto__` (as JSON.parse makes it). */
function single(key: string, value: unknown): Record<string, Json> {
  const o: Record<string, Json> = {};
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

const KNOWN_OPS = [...LOGIC_OPERATIONS].filter((op) => op !== 'var');
const ITERATING_OPS = ['map', 'filter', 'reduce', 'all', 'none', 'some'];
const UNKNOWN_OPS = ['foo', 'a.b', 'var.length', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'method', 'log', 'Var', ''];

interface LogicOptions {
  /** Operations outside json-logic's list (validation rejects them, except inside iterated logic). */
  unknownOps: boolean;
  scalar: fc.Arbitrary<Json>;
  maxDepth: number;
}

function logicArb({ unknownOps, scalar, maxDepth }: LogicOptions): fc.Arbitrary<Json> {
  return fc.letrec<{ expr: Json; op: Json; args: Json }>((tie) => {
    const expr = tie('expr');
    const args = tie('args');
    const ops: fc.WeightedArbitrary<Json>[] = [
      { weight: 4, arbitrary: varPath.map((p) => ({ var: p })) },
      { weight: 1, arbitrary: fc.tuple(varPath, expr).map(([p, d]) => ({ var: [p, d] })) },
      { weight: 1, arbitrary: fc.oneof(args, expr, fc.constantFrom(0, 1, 1.5, true, null)).map((a) => ({ var: a })) },
      {
        weight: 8,
        arbitrary: fc
          .tuple(fc.constantFrom(...KNOWN_OPS), fc.oneof({ weight: 4, arbitrary: args }, { weight: 1, arbitrary: expr }))
          .map(([op, a]) => single(op, a)),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...ITERATING_OPS), fc.oneof(fc.constant({ var: 'list' }), expr), expr, fc.option(expr, { nil: undefined }))
          .map(([op, coll, inner, init]) => single(op, init === undefined ? [coll, inner] : [coll, inner, init])),
      },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('<', '<='), expr, expr, expr).map(([op, x, y, z]) => single(op, [x, y, z])) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('in'), expr, fc.array(scalar, { maxLength: 4 })).map(([op, x, list]) => single(op, [x, list])) },
    ];
    if (unknownOps) ops.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...UNKNOWN_OPS), args).map(([op, a]) => single(op, a)) });
    return {
      expr: fc.oneof(
        { maxDepth, depthIdentifier: 'logic' },
        { weight: 3, arbitrary: scalar },
        { weight: 5, arbitrary: tie('op') },
        { weight: 1, arbitrary: fc.array(expr, { maxLength: 3 }) },
        // Objects with other than one key are literals.
        { weight: 1, arbitrary: fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 3 }), expr, { minKeys: 2, maxKeys: 3 })) },
      ),
      op: fc.oneof({ depthIdentifier: 'logic' }, ...ops),
      args: fc.array(expr, { maxLength: 4 }),
    };
  }).expr;
}

/**
 * A deep chain `{"!": {"!": … x}}`, arrays or objects, `depth` levels: the
 * nesting validation and evaluation must survive. It prints as a short
 * description, since printing it in full would overflow the stack.
 */
const nested = (depths: fc.Arbitrary<number>) =>
  fc.tuple(depths, fc.constantFrom('not', 'array', 'object', 'and'), finiteScalar).map(([depth, kind, leaf]) => {
    let v: Json = leaf;
    for (let i = 0; i < depth; i++) {
      if (kind === 'not') v = { '!': v };
      else if (kind === 'array') v = [v];
      else if (kind === 'object') v = { k: v, j: 1 };
      else v = { and: [true, v] };
    }
    Object.defineProperty(v, fc.toStringMethod, { value: () => `<${kind} nested ${depth} deep around ${JSON.stringify(leaf)}>` });
    return v;
  });
/** Past the depth up to which expressions are compiled (64). */
const deepExpression = nested(fc.integer({ min: 60, max: 300 }));
/** Mostly as deep as `deepExpression`; 1 in 8 past what validation can recurse into (it says so). Deep documents are slow to validate. */
const deepValue = fc.oneof({ weight: 7, arbitrary: deepExpression }, { weight: 1, arbitrary: nested(fc.integer({ min: 2000, max: 6000 })) });

// Expressions inside scenarios: validation-clean by default, so that most scenarios are accepted.
const cleanExpr = logicArb({ unknownOps: false, scalar: finiteScalar, maxDepth: 3 });
const anyExpr = logicArb({ unknownOps: true, scalar: anyScalar, maxDepth: 3 });
const textExpr = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('100', '+15550001', 'sales', 'op-7') },
  { weight: 3, arbitrary: fc.constantFrom({ var: 's' }, { var: 'subscriber.tel' }, { cat: ['+1', { var: 'n' }] }) },
  { weight: 2, arbitrary: cleanExpr },
);
const numberExpr = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom({ var: 'n' }, { '+': [{ var: 'n' }, 1] }, '5', 'x') },
  { weight: 1, arbitrary: cleanExpr },
);

// ---------------------------------------------------------------------------
// Node params per type: plausible and (mostly) valid

const positiveSeconds = fc.oneof(fc.integer({ min: 1, max: 7 * 24 * 3600 }), fc.double({ min: 0.001, max: 7 * 24 * 3600, noNaN: true }));
const text = fc.oneof(fc.string({ maxLength: 12 }), injection);
const nonEmptyText = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('Title', "'; drop table x; --"));
const scenarioId = fc.oneof(fc.constantFrom('child', 'sub-1', 'x.y_z'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/));

/** `{...}` without the keys whose value is undefined. */
function compact(o: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v as Json;
  return out;
}
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const exprRecord = fc.dictionary(identifier, textExpr, { maxKeys: 3 });

const formField = fc
  .record({
    name: identifier,
    label: nonEmptyText,
    type: fc.constantFrom(...FIELD_TYPES),
    required: opt(fc.boolean()),
    readOnly: opt(fc.boolean()),
    default: opt(textExpr),
    options: fc.array(fc.record({ value: fc.string({ maxLength: 5 }), label: opt(fc.string({ maxLength: 5 })) }).map(compact), { minLength: 1, maxLength: 3 }),
  })
  .map((f) => compact({ ...f, options: f.type === 'select' ? f.options : undefined }));

const sqlParams = fc
  .tuple(
    fc.uniqueArray(identifier, { maxLength: 3 }),
    fc.constantFrom(
      'select * from t where 1 = 1',
      "select ':x' as q",
      'update t set a = 1 where true',
      'select a::text from t -- :c\n where 1=1',
      'select $$ :d $$',
      "'; drop table x; --",
    ),
    fc.array(textExpr, { minLength: 3, maxLength: 3 }),
    opt(fc.constantFrom('rows', 'first', 'none')),
    opt(identifier),
    opt(fc.integer({ min: 1, max: 600_000 })),
  )
  .map(([names, base, values, result, into, timeoutMs]) =>
    compact({
      query: base + names.map((n) => ` and c = :${n}`).join(''),
      params: names.length ? Object.fromEntries(names.map((n, i) => [n, values[i]!])) : undefined,
      result,
      into,
      timeoutMs,
    }),
  );

const PARAMS: Record<string, fc.Arbitrary<Json | undefined>> = {
  start: fc.oneof(
    fc.constant(undefined),
    fc.constant({}),
    fc.record({
      inputs: fc.uniqueArray(
        fc
          .record({
            name: identifier,
            type: opt(fc.constantFrom('string', 'number', 'json')),
            required: opt(fc.boolean()),
            default: opt(jsonSmall),
            description: opt(text),
          })
          .map(compact),
        { selector: (i) => i.name, maxLength: 3 },
      ),
    }),
  ),
  sql: sqlParams,
  callOperator: fc.record({ operator: textExpr, timeoutSec: opt(positiveSeconds), into: opt(identifier) }).map(compact),
  dialCustomer: fc
    .record({ number: textExpr, bridge: opt(fc.boolean()), callerId: opt(text), timeoutSec: opt(positiveSeconds), into: opt(identifier) })
    .map(compact),
  showForm: fc
    .record({
      title: nonEmptyText,
      description: opt(text),
      fields: fc.uniqueArray(formField, { selector: (f) => f.name, minLength: 1, maxLength: 3 }),
      operator: opt(textExpr),
      timeoutSec: opt(positiveSeconds),
    })
    .map(compact),
  branch: fc.oneof(
    fc.record({ condition: cleanExpr }),
    fc.record({
      cases: fc.uniqueArray(fc.record({ name: identifier.filter((n) => n !== 'default'), when: cleanExpr }), {
        selector: (c) => c.name,
        minLength: 1,
        maxLength: 3,
      }),
    }),
  ),
  setVariables: fc.record({ assign: fc.array(fc.record({ name: identifier, value: cleanExpr }), { minLength: 1, maxLength: 3 }) }),
  setStatus: fc.record({ table: opt(identifier), idColumn: opt(identifier), id: textExpr, status: numberExpr, fields: opt(exprRecord) }).map(compact),
  wait: fc.oneof(fc.record({ seconds: numberExpr }), fc.record({ until: fc.oneof(fc.constantFrom('2030-01-01T00:00:00Z', 'not a date', ''), numberExpr) })),
  queue: fc.record({ queue: textExpr, priority: opt(numberExpr), timeoutSec: opt(positiveSeconds), data: opt(cleanExpr), into: opt(identifier) }).map(compact),
  runScenario: fc.record({ scenario: scenarioId, inputs: opt(exprRecord), wait: opt(fc.boolean()), into: opt(identifier) }).map(compact),
  end: fc.oneof(
    fc.constant(undefined),
    fc.record({ result: opt(cleanExpr), status: opt(fc.constantFrom('completed', 'failed')), reason: opt(text) }).map(compact),
  ),
};
const NODE_TYPES = NODE_DEFINITIONS.map((d) => d.type);
/** Types after start and before end in a generated scenario. */
const MIDDLE_TYPES = NODE_TYPES.filter((t) => t !== 'start' && t !== 'end');

function outcomesOf(type: string, params: Json | undefined): string[] {
  try {
    return nodeDefinition(type)?.outcomes((params ?? {}) as never) ?? [];
  } catch {
    return [];
  }
}

interface GenNode {
  id: string;
  type: string;
  params?: Json;
  label?: string;
  position?: { x: number; y: number };
}

const nodeOf = (type: string) =>
  fc
    .record({ params: PARAMS[type]!, label: opt(text), position: opt(fc.record({ x: fc.integer(), y: fc.integer() })) })
    .map(({ params, label, position }) => compact({ type, params, label, position }) as unknown as Omit<GenNode, 'id'>);

const variables = fc.uniqueArray(
  fc.record({ name: identifier, type: opt(fc.constantFrom('string', 'number', 'boolean', 'json')), default: opt(jsonSmall) }).map(compact),
  { selector: (v) => v.name, maxLength: 4 },
);

/**
 * A scenario meant to be valid: start → a chain of 0–6 nodes → end, each
 * link along one of the node's outcomes, plus extra edges from other
 * outcomes (forward, back or to the end node). Back edges make loops, which
 * the interpreter must stop (runaway) or leave through an effect.
 */
const validScenario = fc
  .tuple(
    fc.array(fc.constantFrom(...MIDDLE_TYPES).chain(nodeOf), { maxLength: 6 }),
    PARAMS.start!,
    nodeOf('end'),
    variables,
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(15)), { maxLength: 4 }),
    fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    fc.constantFrom('inbound', 'outbound', 'dialog', 'service', 'sub'),
  )
  .map(([middle, startParams, endNode, vars, extra, picks, kind]) => {
    const nodes: GenNode[] = [
      compact({ id: 'start', type: 'start', params: startParams }) as unknown as GenNode,
      ...middle.map((n, i) => ({ ...n, id: `n${i}` })),
      { ...endNode, id: 'end' },
    ];
    const edges: Record<string, Json>[] = [];
    const used = new Set<string>();
    const link = (source: GenNode, handle: string, target: string) => {
      const key = `${source.id}\u0000${handle}`;
      if (used.has(key)) return;
      used.add(key);
      edges.push({ source: source.id, sourceHandle: handle, target });
    };
    for (let i = 0; i < nodes.length - 1; i++) {
      const outcomes = outcomesOf(nodes[i]!.type, nodes[i]!.params);
      if (outcomes.length) link(nodes[i]!, outcomes[picks[i % picks.length]! % outcomes.length]!, nodes[i + 1]!.id);
    }
    for (const [s, o, t, back] of extra) {
      const from = s % (nodes.length - 1);
      const source = nodes[from]!;
      const outcomes = outcomesOf(source.type, source.params);
      // Forward edges mostly; 1 in 16 goes back (a loop: left through an effect, or stopped as a runaway).
      const to = back === 0 ? t % (from + 1) : from + 1 + (t % (nodes.length - from - 1));
      if (outcomes.length) link(source, outcomes[o % outcomes.length]!, nodes[to]!.id);
    }
    return compact({
      format: SCENARIO_FORMAT,
      id: 'prop-test',
      name: 'Property test',
      kind,
      variables: vars.length ? vars : undefined,
      nodes,
      edges,
    }) as Record<string, Json>;
  });

/**
 * Structurally plausible, valid or not: real node types mostly with
 * plausible params, sometimes random params, wrong types, missing or
 * duplicate start nodes, bad ids, random outcome names and dangling edges.
 */
const rarely = <T, U>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>, oddOneIn = 30) =>
  fc.oneof({ weight: oddOneIn - 1, arbitrary: usual }, { weight: 1, arbitrary: odd }) as fc.Arbitrary<T | U>;
const plausibleScenario = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 40, arbitrary: fc.constantFrom(...MIDDLE_TYPES, 'end').chain(nodeOf) },
        { weight: 1, arbitrary: nodeOf('start') },
        { weight: 1, arbitrary: fc.record({ type: fc.constantFrom(...NODE_TYPES, 'unknown', 'Start', ''), params: fc.oneof(jsonSmall, anyExpr) }) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom(...NODE_TYPES), fc.constantFrom(...NODE_TYPES))
            .chain(([t, other]) => nodeOf(other).map((n) => ({ ...n, type: t }))),
        },
      ) as fc.Arbitrary<Omit<GenNode, 'id'>>,
      { minLength: 0, maxLength: 7 },
    ),
    fc.array(rarely(fc.constant(undefined), fc.oneof(injection, fc.string({ maxLength: 4 })), 60), { minLength: 7, maxLength: 7 }),
    rarely(fc.constant(true), fc.constant(false)),
    variables,
    fc.array(fc.tuple(fc.nat(), rarely(fc.nat(), fc.string({ maxLength: 5 })), rarely(fc.nat(), injection)), { maxLength: 8 }),
    fc.record({
      name: rarely(nonEmptyText, fc.constant('')),
      kind: rarely(fc.constantFrom('inbound', 'outbound', 'dialog', 'service', 'sub'), fc.constant('other')),
    }),
  )
  .map(([rawNodes, badIds, withStart, vars, edgeSpecs, shell]) => {
    const nodes: GenNode[] = rawNodes.map((n, i) => ({ ...n, id: badIds[i] ?? `n${i}` }) as GenNode);
    if (withStart) nodes.unshift({ id: 'start', type: 'start' });
    const edges: Record<string, Json>[] = [];
    const used = new Set<string>();
    for (const [s, o, t] of edgeSpecs) {
      const source = nodes.length ? nodes[s % nodes.length]! : { id: 'ghost', type: 'start' };
      const outcomes = outcomesOf(source.type, source.params);
      const handle = typeof o === 'string' || outcomes.length === 0 ? String(o) : outcomes[o % outcomes.length]!;
      // Mostly forward (to a later node): loops, which run 10,000 visits before they stop as runaways, stay rare.
      const from = nodes.indexOf(source as GenNode);
      const anywhere = typeof t === 'number' && t % 16 === 0;
      const forward = from >= 0 && from < nodes.length - 1 && typeof t === 'number' && !anywhere;
      if (typeof t === 'number' && !forward && !anywhere) continue;
      const target =
        typeof t === 'string' || nodes.length === 0 ? String(t) : forward ? nodes[from + 1 + (t % (nodes.length - from - 1))]!.id : nodes[t % nodes.length]!.id;
      const key = `${source.id}\u0000${handle}`;
      if (used.has(key)) continue; // one edge per outcome; duplicates are left to the mutations
      used.add(key);
      edges.push({ source: source.id, sourceHandle: handle, target });
    }
    return { format: SCENARIO_FORMAT, id: 'prop-test', ...shell, variables: vars, nodes, edges } as unknown as Record<string, Json>;
  });

// ---------------------------------------------------------------------------
// Mutations of valid scenarios

type Path = (string | number)[];

/** A deep copy that keeps -0, ±Infinity and own `__proto__` keys (JSON round trips lose them). */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, { value: clone((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

/** Every path in a document down to a depth of 12 (earlier mutations may have nested deeper), its root (`[]`) included. */
function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (at.length >= 12) return out;
  if (Array.isArray(value)) for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) paths((value as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

function getAt(doc: unknown, path: Path): unknown {
  let v = doc as Record<string | number, unknown> | undefined;
  for (const k of path) v = v?.[k] as Record<string | number, unknown> | undefined;
  return v;
}

function setAt(doc: Record<string, Json>, path: Path, value: unknown, remove = false): void {
  if (path.length === 0) return;
  const parent = getAt(doc, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object') return;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (remove) parent.splice(key, 1);
    else parent[key] = value;
  } else if (remove) delete (parent as Record<string, unknown>)[key];
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value of another kind than what usually sits at a path. */
const otherValue = fc.oneof(anyScalar, injection, hugeNumber, fc.constantFrom([], {}, [null], { var: 'a' }, { '': 1 }, [[[]]], 'start', 'end'), jsonSmall);

type Mutation =
  | { kind: 'deleteNode' | 'duplicateNode' | 'deleteEdge' | 'duplicateEdge'; i: number }
  | { kind: 'renameNode'; i: number; id: string }
  | { kind: 'retypeNode'; i: number; type: string }
  | { kind: 'set'; p: number; value: unknown }
  | { kind: 'setExpression'; p: number; value: Json }
  | { kind: 'remove'; p: number }
  | { kind: 'addKey'; p: number; key: string; value: unknown }
  | { kind: 'rewire'; i: number; target: string | number }
  | { kind: 'swapHandles'; i: number; j: number }
  | { kind: 'setHandle'; i: number; handle: string }
  | { kind: 'injectString'; p: number; value: string }
  | { kind: 'number'; p: number; value: number }
  | { kind: 'deep'; p: number; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('deleteNode', 'duplicateNode', 'deleteEdge', 'duplicateEdge'), i: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('renameNode'),
      i: fc.nat(),
      id: fc.oneof(fc.constantFrom('start', 'end', 'n0', 'n1', 'fresh', 'a b', '', 'x'.repeat(101)), injection),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('retypeNode'), i: fc.nat(), type: fc.constantFrom(...NODE_TYPES, 'unknown', 'constructor', '') }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set'), p: fc.nat(), value: otherValue }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('setExpression'), p: fc.nat(), value: fc.oneof(cleanExpr, anyExpr) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('remove'), p: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('addKey'),
      p: fc.nat(),
      key: fc.oneof(fc.constantFrom('extra', '__proto__', 'constructor', 'toString', '', 'params', 'id'), fc.string({ maxLength: 4 })),
      value: otherValue,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('rewire'), i: fc.nat(), target: fc.oneof(fc.nat(), fc.constantFrom('missing', '', 'start'), injection) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('swapHandles'), i: fc.nat(), j: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('setHandle'),
      i: fc.nat(),
      handle: fc.oneof(fc.constantFrom('next', 'true', 'false', 'ok', 'error', 'default', 'answered', 'done', 'submitted'), injection),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('injectString'), p: fc.nat(), value: injection }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('number'), p: fc.nat(), value: hugeNumber }) },
  // Deep documents are slow to validate (tens of ms each): a small share.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep'), p: fc.nat(), value: deepValue }) },
);

function applyMutation(doc: Record<string, Json>, m: Mutation): void {
  const nodes = Array.isArray(doc.nodes) ? (doc.nodes as Record<string, Json>[]) : [];
  const edges = Array.isArray(doc.edges) ? (doc.edges as Record<string, Json>[]) : [];
  const all = paths(doc);
  const pick = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);
  switch (m.kind) {
    case 'deleteNode':
      if (nodes.length) nodes.splice(m.i % nodes.length, 1);
      break;
    case 'duplicateNode': {
      const n = pick(nodes, m.i);
      if (n) nodes.push(clone(n));
      break;
    }
    case 'deleteEdge':
      if (edges.length) edges.splice(m.i % edges.length, 1);
      break;
    case 'duplicateEdge': {
      const e = pick(edges, m.i);
      if (e) edges.push(clone(e));
      break;
    }
    case 'renameNode': {
      const n = pick(nodes, m.i);
      if (n && typeof n === 'object') n.id = m.id;
      break;
    }
    case 'retypeNode': {
      const n = pick(nodes, m.i);
      if (n && typeof n === 'object') n.type = m.type;
      break;
    }
    case 'set':
      setAt(doc, pick(all, m.p)!, clone(m.value));
      break;
    case 'remove':
      setAt(doc, pick(all, m.p)!, undefined, true);
      break;
    case 'addKey': {
      const objects = all.filter((p) => {
        const v = getAt(doc, p);
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      });
      const at = pick(objects, m.p);
      if (at) setAt(doc, [...at, m.key], clone(m.value));
      break;
    }
    case 'setExpression': {
      // Where expressions live: params fields other than names, tables and the like.
      const spots = all.filter(
        (p) => p[0] === 'nodes' && p[2] === 'params' && p.length >= 4 && typeof p[3] === 'string' && !['inputs', 'fields', 'cases', 'assign'].includes(p[3]),
      );
      const deeper = all.filter(
        (p) => p[0] === 'nodes' && p[2] === 'params' && (p[p.length - 1] === 'when' || p[p.length - 1] === 'value' || p[p.length - 1] === 'default'),
      );
      const at = pick([...spots, ...deeper], m.p);
      if (at) setAt(doc, at, clone(m.value));
      break;
    }
    case 'rewire': {
      const e = pick(edges, m.i);
      if (e && typeof e === 'object') e.target = typeof m.target === 'number' ? ((pick(nodes, m.target)?.id as Json) ?? 'none') : m.target;
      break;
    }
    case 'swapHandles': {
      const a = pick(edges, m.i);
      const b = pick(edges, m.j);
      if (a && b && typeof a === 'object' && typeof b === 'object') [a.sourceHandle, b.sourceHandle] = [b.sourceHandle!, a.sourceHandle!];
      break;
    }
    case 'setHandle': {
      const e = pick(edges, m.i);
      if (e && typeof e === 'object') e.sourceHandle = m.handle;
      break;
    }
    case 'injectString': {
      const strings = all.filter((p) => typeof getAt(doc, p) === 'string');
      const at = pick(strings, m.p);
      if (at) setAt(doc, at, m.value);
      break;
    }
    case 'number': {
      const numbers = all.filter((p) => typeof getAt(doc, p) === 'number');
      const at = pick(numbers.length ? numbers : all, m.p);
      if (at) setAt(doc, at, m.value);
      break;
    }
    case 'deep':
      setAt(doc, pick(all, m.p)!, m.value);
      break; // not cloned: clone() recurses, and nothing mutates it
  }
}

// ---------------------------------------------------------------------------
// The properties

const at = fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.constantFrom(0, Date.UTC(2024, 0, 1)));
const input = fc.dictionary(fc.oneof(fc.constantFrom(...VARS), identifier), jsonSmall, { maxKeys: 4 });

describe('validateScenario on random documents', () => {
  it('never throws on arbitrary JSON values, and rejects them with well-formed issues', () => {
    fc.assert(
      fc.property(json(), (doc) => {
        checkDocument(doc, 0, {});
      }),
      { numRuns: RUNS.json },
    );
  });

  it('never throws on arbitrary JSON inside a scenario-shaped object', () => {
    const shell = fc.record(
      {
        format: fc.oneof(fc.constant(SCENARIO_FORMAT), json({ maxDepth: 1 })),
        id: fc.oneof(fc.constant('s1'), json({ maxDepth: 1 })),
        name: fc.oneof(fc.constant('S'), json({ maxDepth: 1 })),
        kind: fc.oneof(fc.constant('service'), json({ maxDepth: 1 })),
        variables: json({ maxDepth: 3 }),
        nodes: fc.oneof(
          json({ maxDepth: 3 }),
          fc.array(
            fc.oneof(
              json({ maxDepth: 2 }),
              fc.record({ id: json({ maxDepth: 1 }), type: fc.oneof(fc.constantFrom(...NODE_TYPES), json({ maxDepth: 1 })), params: json({ maxDepth: 3 }) }),
            ),
            { maxLength: 4 },
          ),
        ),
        edges: fc.oneof(
          json({ maxDepth: 3 }),
          fc.array(fc.dictionary(fc.constantFrom('source', 'target', 'sourceHandle', 'id', 'x'), json({ maxDepth: 1 })), { maxLength: 4 }),
        ),
        meta: json({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shell, at, (doc, t) => {
        checkDocument(doc, t, {});
      }),
      { numRuns: RUNS.shell },
    );
  });

  it('never throws on structurally plausible scenarios, and accepted ones run', () => {
    const before = { ...stats };
    fc.assert(
      fc.property(plausibleScenario, at, input, fc.gen(), (doc, t, inp, g) => {
        checkDocument(doc, t, inp, g);
      }),
      { numRuns: RUNS.plausible },
    );
    // Not vacuous: a fair share was accepted and run.
    expect(stats.accepted - before.accepted).toBeGreaterThan(100);
  });

  it('accepts the generated valid scenarios, which run', () => {
    let accepted = 0;
    fc.assert(
      fc.property(validScenario, at, input, fc.gen(), (doc, t, inp, g) => {
        if (checkDocument(doc, t, inp, g)) accepted++;
      }),
      { numRuns: RUNS.valid },
    );
    // The generator is meant to produce valid scenarios; identifiers like `__proto__` may make a few invalid.
    expect(accepted).toBeGreaterThan(RUNS.valid * 0.8);
  });

  it('never throws on mutations of valid scenarios (deleted and renamed nodes, wrong types, unknown keys, rewired edges, injected strings, deep nesting, huge numbers)', () => {
    const before = { ...stats };
    fc.assert(
      fc.property(validScenario, fc.array(mutation, { minLength: 1, maxLength: 4 }), at, input, fc.gen(), (doc, mutations, t, inp, g) => {
        const mutated = clone(doc);
        for (const m of mutations) applyMutation(mutated, m);
        checkDocument(mutated, t, inp, g);
      }),
      { numRuns: RUNS.mutations },
    );
    const accepted = stats.accepted - before.accepted;
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(stats.documents - before.documents);
  });
});

// ---------------------------------------------------------------------------
// Differential: compiled json-logic against json-logic-js

type Outcome = { value: unknown } | { error: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { value: f() };
  } catch (e) {
    return { error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : `thrown ${String(e)}` };
  }
}

/** Deep equality that tells -0 from 0, finds NaN equal to NaN, and compares prototypes and key order. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !same((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}

const logicData = fc.record(
  {
    a: json({ maxDepth: 2 }),
    b: anyScalar,
    n: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double(), hugeNumber),
    s: fc.oneof(fc.string({ maxLength: 5 }), injection, fc.constantFrom('1', '2.5', ' 3 ')),
    list: fc.array(fc.oneof(anyScalar, fc.record({ x: anyScalar }), fc.array(anyScalar, { maxLength: 2 })), { maxLength: 4 }),
    obj: fc.record({ x: anyScalar, y: fc.record({ z: anyScalar }) }, { requiredKeys: [] }),
    subscriber: fc.record({ tel: fc.string({ maxLength: 4 }), Id: fc.nat() }),
    $now: fc.nat(),
  },
  { requiredKeys: [] },
);

describe('compiled json-logic', () => {
  it('computes exactly what json-logic-js computes, errors included', () => {
    const expression = fc.oneof(
      { weight: 8, arbitrary: logicArb({ unknownOps: true, scalar: anyScalar, maxDepth: 4 }) },
      { weight: 1, arbitrary: json({ maxDepth: 3 }) },
      { weight: 1, arbitrary: deepExpression },
    );
    fc.assert(
      fc.property(expression, logicData, (logic, data) => {
        const expected = outcome(() => evaluate(logic, data as Record<string, Json>));
        const compiled = compileLogic(logic);
        const first = outcome(() => compiled(data));
        const second = outcome(() => compiled(data));
        // `expect` only on a mismatch, for its message (it is slow, and overflows the stack on 1,500-deep arrays).
        if (!same(first, expected)) expect(first).toStrictEqual(expected);
        if (!same(second, expected)) expect(second).toStrictEqual(expected);
        // The same value, not just an equal one, where json-logic-js hands back the data or a literal.
        if ('value' in expected && 'value' in first && typeof expected.value === 'object') {
          expect(first.value === data).toBe(expected.value === data);
        }
      }),
      { numRuns: RUNS.logic },
    );
  });

  it('the interpreter evaluates compiled expressions like json-logic-js (through setVariables)', () => {
    const assignments = fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'n', 'r1', 'r2'), value: cleanExpr }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(assignments, logicData, (assign, data) => {
        const doc = {
          format: SCENARIO_FORMAT,
          id: 'diff',
          name: 'diff',
          kind: 'service',
          nodes: [
            // The data comes in as inputs, unvalidated like the runtime's (so it may hold ±Infinity and -0).
            { id: 'start', type: 'start', params: { inputs: VARS.map((name) => ({ name })) } },
            { id: 'set', type: 'setVariables', params: { assign } },
            { id: 'end', type: 'end' },
          ],
          edges: [
            { source: 'start', sourceHandle: 'next', target: 'set' },
            { source: 'set', sourceHandle: 'next', target: 'end' },
          ],
        };
        const checked = validateScenario(doc);
        fc.pre(checked.ok);
        const { $now: now, ...vars } = data as Record<string, Json>;
        const t = typeof now === 'number' ? now : 0;
        const r = step(checked.scenario!, undefined, { type: 'start', at: t, input: vars });
        // The reference: each assignment interpreted by json-logic-js, in order, as setVariables does.
        // Like the interpreter's working copy: no prototype (so "constructor" is just a missing variable).
        const expectedVars: Record<string, Json> = Object.assign(Object.create(null) as Record<string, Json>, vars, { $now: t });
        let error: string | undefined;
        const setNode = checked.scenario!.nodes[1]!;
        check(setNode.type === 'setVariables', 'the validated scenario keeps its nodes in order');
        // The validated copy's expressions (validation copies objects), as the interpreter sees them.
        for (const a of setNode.params.assign) {
          const o = outcome(() => evaluate(a.value, expectedVars));
          if ('error' in o) {
            error = o.error.slice(o.error.indexOf(': ') + 2);
            break;
          }
          // As setVariables stores it: all the variables ({"var": ""}) as they are now, not the live set; never a NUL.
          const stored = snapshot(o.value as Json, expectedVars);
          const why = unstorable(stored);
          if (why) {
            error = `variable "${a.name}" ${why}, which the database cannot store`;
            break;
          }
          expectedVars[a.name] = stored;
        }
        if (error !== undefined) {
          check(r.state.status === 'failed' && r.state.error?.message === error, 'fails with the error json-logic-js throws', { error, state: r.state.error });
        } else {
          const { $now: _, ...expected } = expectedVars;
          check(r.state.status === 'completed', 'completes', r.state.error);
          // `expect` only on a mismatch, for its message.
          if (!same(r.state.vars, expected)) expect(r.state.vars).toStrictEqual(expected);
        }
      }),
      { numRuns: RUNS.interpreterLogic },
    );
  });
});

/** `value` with each reference to `vars` replaced by a copy of them as they are now. */
function snapshot(value: Json, vars: Record<string, Json>): Json {
  if (value === vars) {
    // `$now` is never stored (docs/scenario-format.md, built-in variables).
    const { $now: _now, ...copy } = vars;
    return copy;
  }
  if (!holds(value, vars)) return value;
  if (Array.isArray(value)) return value.map((x) => snapshot(x, vars));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, snapshot(x, vars)]));
  return value;
}

function holds(value: Json, vars: Record<string, Json>): boolean {
  if (value === vars) return true;
  if (value === null || typeof value !== 'object') return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((x) => holds(x, vars));
}

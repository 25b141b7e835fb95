/**
 * json-logic expressions: evaluation and static inspection.
 *
 * Expressions are plain JSON, so they live inside scenario files unchanged. We
 * remove the two operations that reach outside pure evaluation (`method` calls
 * arbitrary JS methods, `log` writes to the console) so that evaluating an
 * expression can never do I/O.
 */
import jsonLogic from 'json-logic-js';
import type { Json } from './json.ts';

jsonLogic.rm_operation('method');
jsonLogic.rm_operation('log');

/** Operations json-logic-js understands after the removals above. */
export const LOGIC_OPERATIONS: ReadonlySet<string> = new Set([
  'var',
  'missing',
  'missing_some',
  'if',
  '?:',
  'and',
  'or',
  '!',
  '!!',
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  '+',
  '-',
  '*',
  '/',
  '%',
  'min',
  'max',
  'in',
  'cat',
  'substr',
  'merge',
  'map',
  'filter',
  'reduce',
  'all',
  'none',
  'some',
]);

/** Operations whose second argument is evaluated against each array item, not the scenario's variables. */
const ITERATING = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);

export function evaluate(logic: Json, data: Record<string, Json>): Json {
  // Literals are the common case for params; skip the library for them.
  if (logic === null || typeof logic !== 'object') return logic;
  return jsonLogic.apply(logic as never, data) as Json;
}

/**
 * Compiled expressions.
 *
 * Interpreting an expression with json-logic-js re-reads its structure on
 * every evaluation (Object.keys, argument arrays, `split('.')` of variable
 * names); for a scenario's expressions, evaluated on every visit of their
 * node, that dominated the interpreter's time. `compileLogic` turns an
 * expression into a closure that computes exactly what `evaluate` (i.e.
 * `jsonLogic.apply`) does: the common operations are reimplemented with
 * json-logic-js's semantics (argument evaluation order, coercions,
 * `undefined` from an empty `and`, errors), and every other operation, with
 * its whole subtree, is handed to json-logic-js itself. property.test.ts
 * compares the two on random expressions and data.
 *
 * A closure captures the expression's structure at compile time, so it is
 * only for expressions that will not change: the interpreter compiles a
 * scenario's expressions (on first evaluation) into the compiled form of the
 * scenario, which it already caches per scenario object and so treats as
 * immutable (see interpreter/compile.ts).
 */
export type CompiledLogic = (data: unknown) => Json;

// The closures work on whatever values expressions produce, as json-logic-js does.
type Fn = (data: any) => any;

const isLogic = (logic: unknown): logic is Record<string, unknown> =>
  typeof logic === 'object' && logic !== null && !Array.isArray(logic) && Object.keys(logic).length === 1;

/** `parseFloat(x, 10)` as json-logic's `+` and `*` apply it; for a number that is `x` with -0 as 0. */
const toFloat = (x: unknown): number => (typeof x === 'number' ? x + 0 : parseFloat(x as string));

/**
 * Deeper expressions are not compiled but interpreted, as before: compiling
 * recurses, and closures use less stack than json-logic-js, so a very deep
 * expression could otherwise evaluate where interpreting it overflows.
 */
const MAX_COMPILED_DEPTH = 64;

/** An expression as a function of the data, equivalent to `evaluate(logic, data)`; see the comment above. */
export function compileLogic(logic: Json): CompiledLogic {
  if (deeperThan(logic, MAX_COMPILED_DEPTH)) return (data) => evaluate(logic, data as Record<string, Json>);
  return compileNode(logic) as CompiledLogic;
}

function deeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  for (const item of Array.isArray(value) ? value : Object.values(value)) if (deeperThan(item, limit - 1)) return true;
  return false;
}

function compileNode(logic: unknown): Fn {
  if (Array.isArray(logic)) {
    // An array's items are evaluated into a new array each time.
    const items = logic.map(compileNode);
    const n = items.length;
    return (data) => {
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(items[i]!(data));
      return out;
    };
  }
  if (!isLogic(logic)) return () => logic; // a literal, returned as the same value
  const op = Object.keys(logic)[0]!;
  const raw = logic[op];
  const values: unknown[] = Array.isArray(raw) ? raw : [raw];
  return compileOperation(op, values) ?? ((data) => jsonLogic.apply(logic as never, data));
}

/** The fast forms; `undefined` leaves the operation (and its arguments) to json-logic-js. */
function compileOperation(op: string, values: unknown[]): Fn | undefined {
  switch (op) {
    case 'var':
      return compileVar(values);
    case 'if':
    case '?:':
      return compileIf(values.map(compileNode));
    case 'and':
    case 'or':
      return compileAndOr(op, values.map(compileNode));
  }
  const args = values.map(compileNode);
  const n = args.length;
  const a = args[0] ?? ((): undefined => undefined);
  const b = args[1] ?? ((): undefined => undefined);
  // Every argument is evaluated, in order, before the operation, even when the
  // operation ignores it: an argument that throws makes the expression throw.
  const all = (data: unknown): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(args[i]!(data));
    return out;
  };
  const binary =
    (f: (x: any, y: any) => unknown): Fn =>
    (d) => {
      const v = all(d);
      return f(v[0], v[1]);
    };
  // The common two-argument forms get closures of their own (no array, no indirect call).
  switch (op) {
    case '==':
      return n <= 2 ? (d) => a(d) == b(d) : binary((x, y) => x == y);
    case '===':
      return n <= 2 ? (d) => a(d) === b(d) : binary((x, y) => x === y);
    case '!=':
      return n <= 2 ? (d) => a(d) != b(d) : binary((x, y) => x != y);
    case '!==':
      return n <= 2 ? (d) => a(d) !== b(d) : binary((x, y) => x !== y);
    case '>':
      return n <= 2 ? (d) => a(d) > b(d) : binary((x, y) => x > y);
    case '>=':
      return n <= 2 ? (d) => a(d) >= b(d) : binary((x, y) => x >= y);
    case '%':
      return n <= 2 ? (d) => a(d) % b(d) : binary((x, y) => x % y);
    case '/':
      return n <= 2 ? (d) => a(d) / b(d) : binary((x, y) => x / y);
    case '-':
      if (n <= 2)
        return (d) => {
          const x = a(d);
          const y = b(d);
          return y === undefined ? -x : x - y;
        };
      return binary((x, y) => (y === undefined ? -x : x - y));
    case 'in': {
      // Named `a` and `b` like json-logic-js's, so that "b.indexOf is not a function" reads the same.
      const isIn = (a: unknown, b: any) => (!b || typeof b.indexOf === 'undefined' ? false : b.indexOf(a) !== -1);
      const list = values[1];
      if (n === 2 && Array.isArray(list) && list.every((item) => item === null || typeof item !== 'object')) {
        // A literal list of scalars evaluates to an equal new array each time; search the literal itself.
        return (d) => list.indexOf(a(d)) !== -1;
      }
      return n <= 2 ? (d) => isIn(a(d), b(d)) : binary(isIn);
    }
    case '<':
      if (n <= 2) return (d) => a(d) < b(d);
      return (d) => {
        const v: any[] = all(d);
        return v[2] === undefined ? v[0] < v[1] : v[0] < v[1] && v[1] < v[2];
      };
    case '<=':
      if (n <= 2) return (d) => a(d) <= b(d);
      return (d) => {
        const v: any[] = all(d);
        return v[2] === undefined ? v[0] <= v[1] : v[0] <= v[1] && v[1] <= v[2];
      };
    case '!!':
      return n <= 1 ? (d) => truthy(a(d)) : (d) => truthy(all(d)[0] as Json);
    case '!':
      return n <= 1 ? (d) => !truthy(a(d)) : (d) => !truthy(all(d)[0] as Json);
    case '+':
      // (0 + x) is never -0, so converting the running sum again changes nothing.
      if (n === 1) return (d) => 0 + toFloat(a(d));
      if (n === 2)
        return (d) => {
          const x = a(d);
          const y = b(d);
          return 0 + toFloat(x) + toFloat(y);
        };
      return (d) => {
        const v = all(d);
        let sum = 0;
        for (let i = 0; i < n; i++) sum = toFloat(sum) + toFloat(v[i]);
        return sum;
      };
    case '*':
      if (n === 0) return undefined; // reduce of nothing throws; let json-logic-js throw it
      if (n === 1) return a; // a single factor comes back unconverted
      return (d) => {
        const v = all(d);
        let product: unknown = v[0];
        for (let i = 1; i < n; i++) product = toFloat(product) * toFloat(v[i]);
        return product;
      };
    case 'min':
      return (d) => Math.min(...(all(d) as number[]));
    case 'max':
      return (d) => Math.max(...(all(d) as number[]));
    case 'cat':
      return (d) => all(d).join('');
  }
  return undefined;
}

function compileVar(values: unknown[]): Fn {
  const name = values[0];
  const fallback = values.length > 1 ? compileNode(values[1]) : undefined;
  const rest = values.slice(2).map(compileNode); // evaluated, then ignored
  if (fallback !== undefined || (typeof name === 'object' && name !== null)) {
    // A computed name, a default or extra arguments: the general form.
    const nameFn = compileNode(name);
    return (data) => {
      const a = nameFn(data);
      const b = fallback === undefined ? undefined : fallback(data);
      for (const f of rest) f(data);
      return lookup(data, a, b);
    };
  }
  // A literal name (string, number, boolean, null, or none): resolved now.
  if (name === undefined || name === '' || name === null) return (data) => data;
  const props = String(name).split('.');
  if (props.length === 1) {
    const prop = props[0]!;
    return (data) => {
      if (data === null || data === undefined) return null;
      const value = data[prop];
      return value === undefined ? null : value;
    };
  }
  return (data) => {
    let value = data;
    for (const prop of props) {
      if (value === null || value === undefined) return null;
      value = value[prop];
      if (value === undefined) return null;
    }
    return value;
  };
}

/** json-logic-js's `var` with evaluated arguments. */
function lookup(data: any, a: unknown, b: unknown): unknown {
  const notFound = b === undefined ? null : b;
  if (typeof a === 'undefined' || a === '' || a === null) return data;
  let value = data;
  for (const prop of String(a).split('.')) {
    if (value === null || value === undefined) return notFound;
    value = value[prop];
    if (value === undefined) return notFound;
  }
  return value;
}

function compileIf(args: Fn[]): Fn {
  const n = args.length;
  if (n === 3) {
    const [c, t, e] = args as [Fn, Fn, Fn];
    return (d) => (truthy(c(d)) ? t(d) : e(d));
  }
  return (data) => {
    let i: number;
    for (i = 0; i < n - 1; i += 2) if (truthy(args[i]!(data))) return args[i + 1]!(data);
    if (n === i + 1) return args[i]!(data);
    return null;
  };
}

function compileAndOr(op: 'and' | 'or', args: Fn[]): Fn {
  const n = args.length;
  if (n === 2) {
    const [a, b] = args as [Fn, Fn];
    return op === 'and'
      ? (d) => {
          const x = a(d);
          return truthy(x) ? b(d) : x;
        }
      : (d) => {
          const x = a(d);
          return truthy(x) ? x : b(d);
        };
  }
  const stopOn = op === 'or'; // `and` returns the first falsy value, `or` the first truthy one
  return (data) => {
    let current: ReturnType<Fn>;
    for (let i = 0; i < n; i++) {
      current = args[i]!(data);
      if (truthy(current) === stopOn) return current;
    }
    return current; // the last value; undefined when there are no arguments
  };
}

export interface LogicProblem {
  message: string;
  /** Path inside the expression, e.g. ['and', 1, '<']. */
  path: (string | number)[];
}

export interface LogicInspection {
  /** Root names of the variables the expression reads (`a.b.c` → `a`). */
  variables: string[];
  problems: LogicProblem[];
}

export function inspect(logic: Json): LogicInspection {
  const variables = new Set<string>();
  const problems: LogicProblem[] = [];

  const addVar = (name: Json) => {
    if (typeof name === 'number') return; // array index into the data itself
    if (typeof name !== 'string' || name === '') return;
    variables.add(name.split('.')[0]!);
  };

  const walk = (node: Json, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, [...path, i]);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length !== 1) return; // json-logic treats such objects as literals
    const op = keys[0]!;
    const args = node[op]!;
    const here = [...path, op];
    if (!LOGIC_OPERATIONS.has(op)) {
      problems.push({ message: `unknown json-logic operation "${op}"`, path: here });
      return;
    }
    const list = Array.isArray(args) ? args : [args];
    if (op === 'var') {
      if (typeof list[0] === 'object' && list[0] !== null) walk(list[0], [...here, 0]);
      else addVar(list[0] ?? null);
      if (list.length > 1) walk(list[1]!, [...here, 1]);
      return;
    }
    if (op === 'missing') {
      for (const [i, name] of list.entries()) {
        if (typeof name === 'object') walk(name, [...here, i]);
        else addVar(name);
      }
      return;
    }
    if (op === 'missing_some') {
      const names = list[1];
      if (Array.isArray(names)) names.forEach(addVar);
      return;
    }
    if (ITERATING.has(op)) {
      // Only the collection refers to scenario variables; the rest refers to items.
      if (list.length > 0) walk(list[0]!, [...here, 0]);
      if (op === 'reduce' && list.length > 2) walk(list[2]!, [...here, 2]);
      return;
    }
    for (const [i, arg] of list.entries()) walk(arg, [...here, i]);
  };

  walk(logic, []);
  return { variables: [...variables], problems };
}

/** json-logic truthiness (an empty array is false), used by branch conditions. */
export function truthy(value: Json): boolean {
  // Same as jsonLogic.truthy, without the call into the library.
  return Array.isArray(value) && value.length === 0 ? false : !!value;
}

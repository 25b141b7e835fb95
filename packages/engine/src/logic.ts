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
  'var', 'missing', 'missing_some',
  'if', '?:', 'and', 'or', '!', '!!',
  '==', '===', '!=', '!==', '>', '>=', '<', '<=',
  '+', '-', '*', '/', '%', 'min', 'max',
  'in', 'cat', 'substr', 'merge',
  'map', 'filter', 'reduce', 'all', 'none', 'some',
]);

/** Operations whose second argument is evaluated against each array item, not the scenario's variables. */
const ITERATING = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);

export function evaluate(logic: Json, data: Record<string, Json>): Json {
  // Literals are the common case for params; skip the library for them.
  if (logic === null || typeof logic !== 'object') return logic;
  return jsonLogic.apply(logic as never, data) as Json;
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
      node.forEach((item, i) => walk(item, [...path, i]));
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
      list.forEach((name, i) => (typeof name === 'object' ? walk(name, [...here, i]) : addVar(name)));
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
    list.forEach((arg, i) => walk(arg, [...here, i]));
  };

  walk(logic, []);
  return { variables: [...variables], problems };
}

/** json-logic truthiness (an empty array is false), used by branch conditions. */
export function truthy(value: Json): boolean {
  return jsonLogic.truthy(value);
}

/**
 * Checking the inputs given to a scenario against its start node's declared
 * inputs: required ones present, values of the declared type. Pure, so the
 * API, the CLI and the scheduler refuse bad inputs the same way.
 */
import type { Scenario } from './format/scenario.ts';
import { storeProblem, unstorable, type Json } from './json.ts';

export interface InputProblem {
  input: string;
  message: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

export function checkInputs(scenario: Scenario, input: Record<string, Json>): InputProblem[] {
  const start = scenario.nodes.find((n) => n.type === 'start');
  const declared = start?.type === 'start' ? (start.params?.inputs ?? []) : [];
  const problems: InputProblem[] = [];
  // Every input is stored, declared or not.
  for (const [name, v] of Object.entries(input)) {
    const why = unstorable(name) ?? unstorable(v);
    if (why) problems.push({ input: name, message: storeProblem(why) });
  }
  for (const spec of declared) {
    const has = Object.hasOwn(input, spec.name) && input[spec.name] !== null;
    if (!has) {
      if (spec.required && spec.default === undefined) problems.push({ input: spec.name, message: 'is required' });
      continue;
    }
    const v = input[spec.name]!;
    const wrong = (what: string) => problems.push({ input: spec.name, message: `must be ${what}, not ${JSON.stringify(v)}` });
    switch (spec.type) {
      case 'string':
        if (typeof v !== 'string') wrong('text');
        break;
      case 'number':
        if (typeof v !== 'number') wrong('a number');
        break;
      case 'boolean':
        if (typeof v !== 'boolean') wrong('true or false');
        break;
      case 'date':
        if (typeof v !== 'string' || !DATE.test(v) || Number.isNaN(Date.parse(v))) wrong('a date like 2026-11-22');
        break;
      case 'time':
        if (typeof v !== 'string' || !TIME.test(v)) wrong('a time like 14:30');
        break;
      case 'datetime':
        if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) wrong('a date and time like 2026-11-22T14:30:00Z');
        break;
      default:
        break; // json or undeclared: anything
    }
  }
  return problems;
}

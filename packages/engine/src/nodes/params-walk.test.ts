import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { Expression, Identifier, ScenarioId } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { JsonValue } from '../json.ts';
import { paramsExpressions, paramsHinted } from './params-walk.ts';
import { nodeDefinition } from './registry.ts';

describe('paramsExpressions: the expressions of a params value, read off its schema', () => {
  const Params = z.strictObject({
    top: Expression.describe('described copies are still expressions'),
    maybe: Expression.optional(),
    absent: Expression.optional(),
    phone: ui(Expression, 'phone').optional(),
    nested: z.strictObject({ deeper: z.strictObject({ value: Expression }) }),
    list: z.array(z.strictObject({ name: Identifier, when: Expression })),
    byName: z.record(Identifier, Expression),
    listOfMaps: z.array(z.record(z.string(), Expression)).optional(),
    either: z.union([z.strictObject({ a: Expression }), z.strictObject({ b: z.number() })]),
    literalJson: JsonValue.optional(),
    text: z.string(),
  });

  it('finds every expression in objects, arrays and records, with its path, in schema order', () => {
    const value = {
      top: { var: 'a' },
      maybe: 3,
      phone: '101',
      nested: { deeper: { value: { '+': [1, 2] } } },
      list: [
        { name: 'x', when: true },
        { name: 'y', when: { var: 'y' } },
      ],
      byName: { first: 'one', second: { var: 'two' } },
      listOfMaps: [{}, { k: { var: 'k' } }],
      either: { a: { var: 'inUnion' } },
      literalJson: { var: 'not an expression' },
      text: 'plain',
    };
    expect(Params.safeParse(value).success).toBe(true);
    expect(paramsExpressions(Params, value)).toEqual([
      { path: ['top'], logic: { var: 'a' } },
      { path: ['maybe'], logic: 3 },
      { path: ['phone'], logic: '101' },
      { path: ['nested', 'deeper', 'value'], logic: { '+': [1, 2] } },
      { path: ['list', 0, 'when'], logic: true },
      { path: ['list', 1, 'when'], logic: { var: 'y' } },
      { path: ['byName', 'first'], logic: 'one' },
      { path: ['byName', 'second'], logic: { var: 'two' } },
      { path: ['listOfMaps', 1, 'k'], logic: { var: 'k' } },
      { path: ['either', 'a'], logic: { var: 'inUnion' } },
    ]);
  });

  it('finds nothing in the branch of a union that has no expression', () => {
    const value = { top: 1, nested: { deeper: { value: 2 } }, list: [], byName: {}, either: { b: 5 }, text: '' };
    expect(paramsExpressions(Params, value).map((e) => e.path)).toEqual([['top'], ['nested', 'deeper', 'value']]);
  });

  it('finds fields by UI hint', () => {
    const Refs = z.strictObject({ one: ui(ScenarioId, 'scenarioRef'), more: z.array(ui(ScenarioId, 'scenarioRef')).optional() });
    expect(paramsHinted(Refs, { one: 'a', more: ['b', 'c'] }, 'scenarioRef')).toEqual([
      { path: ['one'], value: 'a' },
      { path: ['more', 0], value: 'b' },
      { path: ['more', 1], value: 'c' },
    ]);
  });

  it('finds what the built-in definitions used to list by hand', () => {
    const paths = (type: string, params: unknown) => paramsExpressions(nodeDefinition(type)!.params, params).map((e) => e.path.join('.'));
    expect(
      paths('runScenario', {
        scenario: 'child',
        inputs: { a: 1, b: { var: 'x' } },
        wait: false,
        forEachRow: { query: 'select :n', params: { n: 2 } },
      }),
    ).toEqual(['inputs.a', 'inputs.b', 'forEachRow.params.n']);
    expect(paths('runScenario', { scenario: 'child', wait: false, forEach: [1] })).toEqual(['forEach']);
    expect(paths('setStatus', { id: 1, status: 10, fields: { when: { var: 't' } } })).toEqual(['id', 'status', 'fields.when']);
    expect(
      paths('showForm', {
        title: 't',
        operator: '101',
        fields: [
          { name: 'a', label: 'A', type: 'text', default: 'x' },
          { name: 'b', label: 'B', type: 'text' },
        ],
      }),
    ).toEqual(['fields.0.default', 'operator']);
    expect(paths('branch', { cases: [{ name: 'a', when: true }] })).toEqual(['cases.0.when']);
    expect(paths('queue', { queue: 'q', priority: 1, data: {} })).toEqual(['queue', 'priority', 'data']);
    expect(paths('start', { inputs: [{ name: 'n', default: { var: 'literal' } }] })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Json } from './json.ts';
import { evaluate, inspect, LOGIC_OPERATIONS, truthy } from './logic.ts';

describe('evaluate', () => {
  const data = { sub: { tel: '5550001', tries: 2, tags: ['vip', 'late'] }, n: 4, empty: '', list: [1, 2, 3] };

  it('returns literals as they are', () => {
    expect(evaluate(5, data)).toBe(5);
    expect(evaluate('text', data)).toBe('text');
    expect(evaluate(null, data)).toBeNull();
    expect(evaluate(false, data)).toBe(false);
    const obj = { a: 1, b: 2 };
    expect(evaluate(obj, data)).toEqual({ a: 1, b: 2 });
  });

  it('reads variables, dotted paths and defaults', () => {
    expect(evaluate({ var: 'n' }, data)).toBe(4);
    expect(evaluate({ var: 'sub.tel' }, data)).toBe('5550001');
    expect(evaluate({ var: 'sub.tags.1' }, data)).toBe('late');
    expect(evaluate({ var: 'missing' }, data)).toBeNull();
    expect(evaluate({ var: 'sub.missing.deeper' }, data)).toBeNull();
    expect(evaluate({ var: ['missing', 'fallback'] }, data)).toBe('fallback');
    expect(evaluate({ var: ['empty', 'fallback'] }, data)).toBe('');
  });

  it('computes with the usual operations', () => {
    expect(evaluate({ '+': [{ var: 'n' }, '1.5'] }, data)).toBe(5.5);
    expect(evaluate({ '*': [{ var: 'sub.tries' }, 5, 60] }, data)).toBe(600);
    expect(evaluate({ cat: ['tel:', { var: 'sub.tel' }] }, data)).toBe('tel:5550001');
    expect(evaluate({ if: [{ '>': [{ var: 'n' }, 3] }, 'big', 'small'] }, data)).toBe('big');
    expect(evaluate({ in: ['vip', { var: 'sub.tags' }] }, data)).toBe(true);
    expect(evaluate({ and: [true, { var: 'n' }] }, data)).toBe(4);
    expect(evaluate({ or: [{ var: 'empty' }, 'x'] }, data)).toBe('x');
    expect(evaluate({ '==': [{ var: 'n' }, '4'] }, data)).toBe(true);
    expect(evaluate({ '===': [{ var: 'n' }, '4'] }, data)).toBe(false);
    expect(evaluate({ merge: [{ var: 'list' }, 4] }, data)).toEqual([1, 2, 3, 4]);
    expect(evaluate({ substr: [{ var: 'sub.tel' }, -4] }, data)).toBe('0001');
    expect(evaluate({ missing: ['n', 'x', 'sub.tel'] }, data)).toEqual(['x']);
  });

  it('evaluates iterating operations against each item', () => {
    expect(evaluate({ map: [{ var: 'list' }, { '*': [{ var: '' }, 2] }] }, data)).toEqual([2, 4, 6]);
    expect(evaluate({ filter: [{ var: 'list' }, { '>': [{ var: '' }, 1] }] }, data)).toEqual([2, 3]);
    expect(evaluate({ reduce: [{ var: 'list' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 10] }, data)).toBe(16);
    expect(evaluate({ some: [{ var: 'list' }, { '==': [{ var: '' }, 2] }] }, data)).toBe(true);
  });

  it('evaluates arrays item by item', () => {
    expect(evaluate([{ var: 'n' }, 'x', [{ var: 'sub.tries' }]], data)).toEqual([4, 'x', [2]]);
  });

  it('cannot call methods or log', () => {
    expect(() => evaluate({ method: [{ var: 'sub.tel' }, 'toUpperCase'] } as Json, data)).toThrow('Unrecognized operation method');
    expect(() => evaluate({ log: 'x' }, data)).toThrow('Unrecognized operation log');
  });

  it('does not change the data', () => {
    const frozen = Object.freeze({ list: Object.freeze([3, 1, 2]) as unknown as Json[] });
    expect(evaluate({ merge: [{ var: 'list' }, 0] }, frozen)).toEqual([3, 1, 2, 0]);
    expect(frozen.list).toEqual([3, 1, 2]);
  });

  it('knows every operation in LOGIC_OPERATIONS', () => {
    for (const op of LOGIC_OPERATIONS) {
      let error: unknown;
      try {
        evaluate({ [op]: [] }, {});
      } catch (e) {
        error = e;
      }
      expect(String(error ?? '')).not.toMatch(/Unrecognized operation/);
    }
    expect(LOGIC_OPERATIONS.has('method')).toBe(false);
    expect(LOGIC_OPERATIONS.has('log')).toBe(false);
  });
});

describe('truthy', () => {
  it('follows json-logic: empty arrays and strings are false, "0" is true', () => {
    expect([[], '', 0, null, false].map(truthy)).toEqual([false, false, false, false, false]);
    expect([[0], '0', 1, -1, true, {}, 'false'].map(truthy)).toEqual([true, true, true, true, true, true, true]);
  });
});

describe('inspect', () => {
  it('lists the root names of variables read, once each', () => {
    expect(inspect({ and: [{ '==': [{ var: 'sub.status' }, 10] }, { var: 'sub.tel' }, { '>': [{ var: 'n' }, { var: ['m', 0] }] }] })).toEqual({
      variables: ['sub', 'n', 'm'],
      problems: [],
    });
  });

  it('finds nothing in literals, and treats multi-key objects as literals', () => {
    expect(inspect(5)).toEqual({ variables: [], problems: [] });
    expect(inspect('var')).toEqual({ variables: [], problems: [] });
    expect(inspect({ var: 'x', other: 1 })).toEqual({ variables: [], problems: [] });
    expect(inspect([{ var: 'a' }, [{ var: 'b' }]])).toEqual({ variables: ['a', 'b'], problems: [] });
  });

  it('ignores numeric and empty var names, and walks computed names and defaults', () => {
    expect(inspect({ var: 0 }).variables).toEqual([]);
    expect(inspect({ var: '' }).variables).toEqual([]);
    expect(inspect({ var: [{ cat: ['sub.', { var: 'field' }] }] }).variables).toEqual(['field']);
    expect(inspect({ var: ['a', { var: 'b' }] }).variables).toEqual(['a', 'b']);
  });

  it('reads the names given to missing and missing_some', () => {
    expect(inspect({ missing: ['a', 'b.c'] }).variables).toEqual(['a', 'b']);
    expect(inspect({ missing: 'a' }).variables).toEqual(['a']);
    expect(inspect({ missing_some: [1, ['x', 'y']] }).variables).toEqual(['x', 'y']);
  });

  it('counts only the collection (and reduce’s initial value) of iterating operations', () => {
    expect(inspect({ map: [{ var: 'list' }, { '*': [{ var: 'item' }, 2] }] }).variables).toEqual(['list']);
    expect(inspect({ filter: [{ var: 'list' }, { var: 'x' }] }).variables).toEqual(['list']);
    expect(inspect({ reduce: [{ var: 'list' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, { var: 'start' }] }).variables).toEqual([
      'list',
      'start',
    ]);
    expect(inspect({ all: [{ var: 'a' }, { var: 'b' }] }).variables).toEqual(['a']);
  });

  it('reports unknown operations with their path inside the expression', () => {
    expect(inspect({ and: [true, { regex: ['^7', { var: 'tel' }] }] })).toEqual({
      variables: [],
      problems: [{ message: 'unknown json-logic operation "regex"', path: ['and', 1, 'regex'] }],
    });
    expect(inspect({ method: ['a', 'toString'] }).problems).toEqual([{ message: 'unknown json-logic operation "method"', path: ['method'] }]);
    expect(inspect([1, { log: 1 }]).problems).toEqual([{ message: 'unknown json-logic operation "log"', path: [1, 'log'] }]);
  });
});

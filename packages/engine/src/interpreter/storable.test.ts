import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS, storable, storableText } from './storable.ts';

describe('storableText', () => {
  it('replaces what PostgreSQL refuses and cuts long messages, saying how long they were', () => {
    expect(storableText('a\u0000b \ud800 c')).toBe('a\uFFFDb \uFFFD c');
    expect(storableText('fine 😀')).toBe('fine 😀');
    const long = `${'x'.repeat(MAX_MESSAGE_CHARS - 1)}😀 and more`;
    // The cut falls inside the emoji: its first half would be unpaired.
    expect(storableText(long)).toBe(`${'x'.repeat(MAX_MESSAGE_CHARS - 1)}\uFFFD… (${long.length.toLocaleString('en-US')} characters in all)`);
  });
});

describe('storable', () => {
  const vars: Record<string, never> = {};
  it('names the variable and what is wrong, and passes what is fine as it is', () => {
    const fine = { a: [1, 'two', null], b: { c: true } };
    expect(storable('v', fine, vars)).toBe(fine);
    expect(() => storable('v', { k: ['ok', 'a\u0000'] }, vars)).toThrow(
      'variable "v" contains a NUL character or an unpaired surrogate in a string, which the database cannot store',
    );
    expect(() => storable('v', { 'a\u0000': 1 }, vars)).toThrow('in a key');
    let deep: unknown = 1;
    for (let i = 0; i < 1_200; i++) deep = [deep];
    expect(() => storable('v', deep as never, vars)).toThrow('variable "v" is nested more than 1000 levels deep, which the database cannot store');
  });
});

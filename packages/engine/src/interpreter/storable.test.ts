import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS, storable, storableText } from './storable.ts';

describe('storableText', () => {
  it('replaces what PostgreSQL refuses and cuts long messages, saying how long they were', () => {
    expect(storableText('a\u0000b \ud800 c')).toBe('a\uFFFDb \uFFFD c');
    expect(storableText('fine 😀')).toBe('fine 😀');
    const note = '… (2,010 characters in all)';
    const long = `${'x'.repeat(MAX_MESSAGE_CHARS - note.length - 1)}😀${'y'.repeat(2010 - MAX_MESSAGE_CHARS + note.length - 1)}`;
    expect(long.length).toBe(2010);
    // The cut falls inside the emoji: its first half would be unpaired. The whole message, note included, fits the limit.
    const cut = storableText(long);
    expect(cut).toBe(`${'x'.repeat(MAX_MESSAGE_CHARS - note.length - 1)}\uFFFD${note}`);
    expect(cut.length).toBe(MAX_MESSAGE_CHARS);
    expect(storableText('z'.repeat(MAX_MESSAGE_CHARS))).toBe('z'.repeat(MAX_MESSAGE_CHARS));
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

  it('counts the nesting of parts it has measured before: a value wrapped a level at a time (a loop) is refused past 1,000 levels', () => {
    // Each round stores [last]: `last` is remembered from the round before, so only its recorded depth can tell.
    let value: unknown = 'x';
    let levels = 0;
    let refused: unknown;
    for (; levels < 1_500 && !refused; levels++) {
      try {
        value = storable('v', [value] as never, vars);
      } catch (e) {
        refused = e;
      }
    }
    expect(levels).toBe(1_001);
    expect(String(refused)).toContain('variable "v" is nested more than 1000 levels deep');
  });
});

import { describe, expect, it } from 'vitest';
import { lineColumn, parseJsonText } from './parse-text.ts';

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('parseJsonText', () => {
  it('parses text and UTF-8 bytes', () => {
    expect(parseJsonText('{"a": [1, "é", null]}')).toEqual({ ok: true, value: { a: [1, 'é', null] } });
    expect(parseJsonText(utf8('{"name": "Обзвон 号码"}'))).toEqual({ ok: true, value: { name: 'Обзвон 号码' } });
    expect(parseJsonText('null')).toEqual({ ok: true, value: null });
  });

  it('accepts a byte order mark, in bytes or in text', () => {
    expect(parseJsonText(bytes(0xef, 0xbb, 0xbf, ...utf8('{"a":1}')))).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonText('\ufeff{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('accepts a BOM only at the start', () => {
    expect(parseJsonText('{"a":1}\ufeff')).toEqual({ ok: false, error: 'not valid JSON: invalid symbol at line 1, column 8' });
    expect(parseJsonText('\ufeff')).toEqual({ ok: false, error: 'not valid JSON: value expected at line 1, column 1' });
  });

  it.each([
    ['{\n  "a": 1,\n}', 'property name expected at line 3, column 1'],
    ['{\r\n  "a": 1,\r\n}', 'property name expected at line 3, column 1'],
    ['{"a" 1}', 'colon expected at line 1, column 6'],
    ['{\n  "a": tru\n}', 'invalid symbol at line 2, column 8'],
    ['  {"nodes": [\n    {"id": "a"}\n    {"id": "b"}\n  ]}', 'comma expected at line 3, column 5'],
    ['{"a": 1 // note\n}', 'invalid comment token at line 1, column 9'],
    ["{'a': 1}", 'invalid symbol at line 1, column 2'],
    ['[1,,2]', 'value expected at line 1, column 4'],
    ['{} x', 'invalid symbol at line 1, column 4'],
    ['', 'value expected at line 1, column 1'],
    ['\n\n   ]', 'value expected at line 3, column 4'],
  ])('says where %j is not valid JSON', (text, where) => {
    expect(parseJsonText(text)).toEqual({ ok: false, error: `not valid JSON: ${where}` });
  });

  it('counts lines and columns the same for bytes', () => {
    expect(parseJsonText(utf8('{\n  "a": 1,\n}'))).toEqual({ ok: false, error: 'not valid JSON: property name expected at line 3, column 1' });
  });

  it.each([
    [[0x7b, 0xff, 0x7d], 1],
    [[0xff], 0],
    [[...utf8('{"é": 1, "x": "'), 0xc0, 0x80, 0x22, 0x7d], 16],
    [[0x41, 0x80], 1],
    // A lead byte without its continuation: the bad sequence starts at the lead byte.
    [[0x41, 0xc3, 0x41], 1],
    [[0x41, 0xe2, 0x82, 0x41], 1],
    // Cut off at the end.
    [[0x41, 0xc3], 1],
    [[0x22, 0xc3, 0xa9, 0xe2, 0x82], 3],
    // An encoded UTF-16 surrogate is not UTF-8.
    [[0x22, 0xed, 0xa0, 0x80, 0x22], 1],
  ])('gives the byte offset of bytes %j that are not UTF-8', (input, offset) => {
    expect(parseJsonText(bytes(...input))).toEqual({ ok: false, error: `not UTF-8 text (first invalid byte at offset ${offset})` });
  });

  it('never throws, even on pathological input', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const inputs: (string | Uint8Array)[] = [
      '['.repeat(100_000),
      '{"a":'.repeat(20_000),
      '['.repeat(100_000) + ']'.repeat(100_000),
      '"\\ud800"',
      '\u0000',
      '}'.repeat(1000),
      new Uint8Array(0),
      ...Array.from({ length: 200 }, () => Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256))),
      ...Array.from({ length: 200 }, () =>
        Array.from({ length: 1 + Math.floor(random() * 30) }, () => '{}[]",:01aetrunlf \n\\'[Math.floor(random() * 21)]).join(''),
      ),
    ];
    for (const input of inputs) {
      const r = parseJsonText(input);
      if (r.ok) expect(r).toHaveProperty('value');
      else expect(r.error).toMatch(/^not (valid JSON|UTF-8 text)/);
    }
  });

  it('deeply nested invalid JSON still gets a message', () => {
    const r = parseJsonText('['.repeat(100_000));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^not valid JSON: /);
    expect(parseJsonText('['.repeat(100_000) + ']'.repeat(100_000)).ok).toBe(true);
  });
});

describe('lineColumn', () => {
  it('is 1-based and counts \\n', () => {
    expect(lineColumn('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('abc\ndef', 5)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('a\n\nb', 3)).toEqual({ line: 3, column: 1 });
  });
});

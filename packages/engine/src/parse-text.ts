/**
 * Reading a scenario file's bytes into JSON, with a one-line error that says
 * where parsing failed (line and column) instead of a stack trace.
 */
import { parse as parseLoose, printParseErrorCode, type ParseError } from 'jsonc-parser';

export type ParsedText = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJsonText(input: string | Uint8Array): ParsedText {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { ok: false, error: `not UTF-8 text (first invalid byte at offset ${firstInvalidUtf8(input)})` };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, error: `not valid JSON: ${describeSyntaxError(text)}` };
  }
}

/** JSON.parse's messages differ between engines and often omit the position; jsonc-parser gives an offset. */
function describeSyntaxError(text: string): string {
  const errors: ParseError[] = [];
  try {
    parseLoose(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    // jsonc-parser recurses once per nesting level: a deeply nested text overflows the stack. Keep what it found.
  }
  const first = errors[0];
  if (!first) return 'unexpected content';
  const { line, column } = lineColumn(text, first.offset);
  return `${humanize(printParseErrorCode(first.error))} at line ${line}, column ${column}`;
}

function humanize(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // Binary search for the longest valid prefix; streaming mode accepts a prefix that ends inside a character.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // A prefix that ends inside a character is not valid on its own: the bad sequence starts at that character.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, lo));
  } catch {
    while (lo > 0 && (bytes[lo - 1]! & 0xc0) === 0x80) lo--;
    lo--;
  }
  return lo;
}

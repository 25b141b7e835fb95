/**
 * An expression field's text: a json-logic expression as JSON, or a plain
 * literal typed as is (`hello` is the string "hello", `42` the number 42).
 * Text that starts like JSON (`{`, `[`, `"`) must be valid JSON.
 */
export type ParsedExpression = { ok: true; value: unknown } | { ok: false; message: string; offset: number };

/** The text shown for a value: literals bare where that reads back the same, expressions as JSON. */
export function expressionText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    const bare = parseExpressionText(value);
    return bare.ok && bare.value === value ? value : JSON.stringify(value);
  }
  const compact = oneLine(value);
  return compact.length <= 60 ? compact : JSON.stringify(value, null, 2);
}

/** JSON on one line, spaced the way json-logic is usually written: `{"var": "x"}`, `[1, 2]`. */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value) ?? 'null';
}

export function parseExpressionText(text: string): ParsedExpression {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  if (/^[{["]/.test(trimmed)) return parseJson(text);
  if (/^(-?\d|true$|false$|null$)/.test(trimmed)) {
    const literal = parseJson(trimmed);
    if (literal.ok) return literal;
  }
  return { ok: true, value: text };
}

/** JSON text to a value, or where and why it is not JSON. */
export function parseJson(text: string): ParsedExpression {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    return {
      ok: false,
      message: `not valid JSON: ${message.replace(/^JSON\.parse: |^Unexpected /, (m) => (m.startsWith('U') ? 'unexpected ' : ''))}`,
      offset: at ? Number(at[1]) : text.length,
    };
  }
}

/** Whether two texts mean the same value (so an edit that only reformats is not replaced under the cursor). */
export function sameExpression(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseExpressionText(a);
  const y = parseExpressionText(b);
  return x.ok && y.ok && JSON.stringify(x.value) === JSON.stringify(y.value);
}

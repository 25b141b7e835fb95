/**
 * Reading a JSON request body: the body-limit middleware has already capped
 * its size; here it is parsed (with line and column on a syntax error) and
 * checked for what the database would refuse later — NUL characters, lone
 * surrogates, absurd nesting — so bad input is a 400, never a 500.
 */
import type { Context } from 'hono';
import { parseJsonText } from '@tellflow/engine';
import { badRequest } from '../errors.ts';

export const MAX_JSON_DEPTH = 64;

export async function readJson(c: Context, { emptyAs }: { emptyAs?: unknown } = {}): Promise<unknown> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (emptyAs !== undefined && isBlank(bytes)) return emptyAs;
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) throw badRequest(`the request body is ${parsed.error}`);
  const problem = unstorable(parsed.value);
  if (problem) throw badRequest(`the request body ${problem}`);
  return parsed.value;
}

const isBlank = (bytes: Uint8Array) => bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09);

/** Matches text PostgreSQL cannot store: NUL, and UTF-16 surrogates without their pair. */
export const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a parsed JSON value could not be stored, or undefined. Iterative: deep input cannot overflow the stack. */
export function unstorable(value: unknown): string | undefined {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE_TEXT.test(v)) return 'contains a NUL character or an unpaired surrogate in a string';
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return `is nested more than ${MAX_JSON_DEPTH} levels deep`;
      for (const [k, child] of Object.entries(v)) {
        if (UNSTORABLE_TEXT.test(k)) return 'contains a NUL character or an unpaired surrogate in a key';
        stack.push({ v: child, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

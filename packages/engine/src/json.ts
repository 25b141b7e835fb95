import { z } from 'zod';

/** Any JSON value: what variables hold and what scenario files contain. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const JsonValue: z.ZodType<Json> = z.json().meta({ id: 'JsonValue', description: 'Any JSON value.' }) as z.ZodType<Json>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text PostgreSQL cannot store: NUL, and UTF-16 surrogates without their pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this looks for
export const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_IN_STRING = 'contains a NUL character or an unpaired surrogate in a string';
export const UNSTORABLE_IN_KEY = 'contains a NUL character or an unpaired surrogate in a key';

/** Why a value cannot be stored, as every such message ends. */
export const storeProblem = (why: string): string => `${why}, which the database cannot store`;
export const cannotStore = (what: string, why: string): string => `${what} ${storeProblem(why)}`;

/**
 * Why PostgreSQL could not store this JSON value (a NUL character or an
 * unpaired surrogate, or nesting deeper than `maxDepth`), or undefined.
 * Iterative: deep input cannot overflow the stack.
 */
export function unstorable(value: unknown, maxDepth = Number.POSITIVE_INFINITY): string | undefined {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE_TEXT.test(v)) return UNSTORABLE_IN_STRING;
    } else if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) return `is nested more than ${maxDepth} levels deep`;
      for (const [k, child] of Object.entries(v)) {
        if (UNSTORABLE_TEXT.test(k)) return UNSTORABLE_IN_KEY;
        stack.push({ v: child, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Reading a JSON request body: the body-limit middleware has already capped
 * its size; here it is parsed (with line and column on a syntax error) and
 * checked for what the database would refuse later — NUL characters, lone
 * surrogates, absurd nesting — so bad input is a 400, never a 500.
 */
import type { Context } from 'hono';
import { parseJsonText, unstorable } from '@tellflow/engine';
import { badRequest } from '../errors.ts';

export const MAX_JSON_DEPTH = 64;

export async function readJson(c: Context, { emptyAs }: { emptyAs?: unknown } = {}): Promise<unknown> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (emptyAs !== undefined && isBlank(bytes)) return emptyAs;
  const parsed = parseJsonText(bytes);
  if (!parsed.ok) throw badRequest(`the request body is ${parsed.error}`);
  const problem = unstorable(parsed.value, MAX_JSON_DEPTH);
  if (problem) throw badRequest(`the request body ${problem}`);
  return parsed.value;
}

export const isBlank = (bytes: Uint8Array) => bytes.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09);

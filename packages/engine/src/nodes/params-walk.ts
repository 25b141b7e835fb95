/**
 * Walks a params schema together with a params value, to find the values of
 * the fields a predicate picks (expressions, scenario references…) with their
 * paths. What a node reads is thus read off its schema: a definition cannot
 * list one expression and forget another.
 *
 * Expects a value the schema accepts (a union's branch is chosen by parsing).
 * Recursive (`z.lazy`) schemas such as `JsonValue` are not looked into: they
 * hold plain data, and walking them would parse a large value once per level.
 */
import { z } from 'zod';
import { isExpression } from '../format/common.ts';
import { uiHint, type UiHint } from '../format/ui.ts';
import type { Json } from '../json.ts';

export type ParamsPath = (string | number)[];

export interface FoundValue {
  path: ParamsPath;
  value: Json;
}

/** Every value in `value` whose schema `pick` accepts (not looking inside a picked value), in schema order. */
export function findInParams(schema: z.ZodType, value: unknown, pick: (schema: z.ZodType) => boolean): FoundValue[] {
  const found: FoundValue[] = [];
  walk(schema, value, [], pick, found);
  return found;
}

function walk(schema: z.ZodType, value: unknown, path: ParamsPath, pick: (s: z.ZodType) => boolean, found: FoundValue[]): void {
  if (value === undefined) return;
  if (pick(schema)) {
    found.push({ path, value: value as Json });
    return;
  }
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodReadonly) {
    walk(schema.unwrap() as z.ZodType, value, path, pick, found);
  } else if (schema instanceof z.ZodPipe) {
    walk(schema.in as z.ZodType, value, path, pick, found);
  } else if (schema instanceof z.ZodObject) {
    if (!isRecord(value)) return;
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      if (Object.hasOwn(value, key)) walk(field, value[key], [...path, key], pick, found);
    }
  } else if (schema instanceof z.ZodArray) {
    if (!Array.isArray(value)) return;
    value.forEach((item, i) => {
      walk(schema.element as z.ZodType, item, [...path, i], pick, found);
    });
  } else if (schema instanceof z.ZodRecord) {
    if (!isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) walk(schema.valueType as z.ZodType, item, [...path, key], pick, found);
  } else if (schema instanceof z.ZodTuple) {
    if (!Array.isArray(value)) return;
    (schema.def.items as z.ZodType[]).forEach((item, i) => {
      walk(item, value[i], [...path, i], pick, found);
    });
  } else if (schema instanceof z.ZodIntersection) {
    walk(schema.def.left as z.ZodType, value, path, pick, found);
    walk(schema.def.right as z.ZodType, value, path, pick, found);
  } else if (schema instanceof z.ZodUnion) {
    // The branch the value belongs to (a discriminated union is a ZodUnion too).
    const branch = (schema.options as z.ZodType[]).find((o) => o.safeParse(value).success);
    if (branch) walk(branch, value, path, pick, found);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where in a node's params an expression sits, for validation messages. */
export interface ExpressionRef {
  path: ParamsPath;
  logic: Json;
}

/** Every json-logic expression in a node's params, found by the `Expression` tag in its schema. */
export function paramsExpressions(schema: z.ZodType, params: unknown): ExpressionRef[] {
  return findInParams(schema, params, isExpression).map(({ path, value }) => ({ path, logic: value }));
}

/** The values of the fields hinted `hint` (e.g. `scenarioRef`), with their paths. */
export function paramsHinted(schema: z.ZodType, params: unknown, hint: UiHint): FoundValue[] {
  return findInParams(schema, params, (s) => uiHint(s) === hint);
}

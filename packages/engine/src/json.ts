import { z } from 'zod';

/** Any JSON value: what variables hold and what scenario files contain. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const JsonValue: z.ZodType<Json> = z.json().meta({ id: 'JsonValue', description: 'Any JSON value.' }) as z.ZodType<Json>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

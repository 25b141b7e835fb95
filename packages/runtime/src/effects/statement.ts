/**
 * Running a scenario's statement inside the shared transaction: under a
 * savepoint, so a failing statement undoes only itself and becomes the
 * node's `{ ok: false }` result; values converted between JSON and the driver.
 */
import type { Transaction } from '@tellflow/db';
import type { Json } from '@tellflow/engine';

/** The statement timeout of a scenario's statement when its node sets none. */
export const DEFAULT_SQL_TIMEOUT_MS = 10_000;

export type Failed = { ok: false; error: string; code?: string };

export async function guarded<T>(tx: Transaction, run: (sp: Transaction) => Promise<T>): Promise<T | Failed> {
  try {
    return await tx.savepoint(run);
  } catch (e) {
    const err = e as { message?: string; code?: string };
    return { ok: false, error: err.message ?? String(e), ...(typeof err.code === 'string' ? { code: err.code } : {}) };
  }
}

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** JSON values to driver parameters: objects and arrays travel as JSON text. */
export function toParam(value: Json): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

/** Driver values to JSON, so rows can live in variables. */
export function toJsonRow(row: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(row)) out[k] = toJson(v);
  return out;
}

function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') {
    const o: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJson(x);
    return o;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v as Json;
}

/**
 * The database effects, `sql` and `setStatus`. They run inside the same
 * transaction that commits the step consuming their result, so their writes
 * and the execution's progress commit together: exactly once, also across a
 * crash. A savepoint keeps a failing statement from aborting that transaction.
 */
import type { Transaction } from '@tellflow/db';
import { IDENTIFIER, MAX_QUERY_ROWS, sqlStatementProblem, toPositional, type Effect, type Json } from '@tellflow/engine';

type SqlEffect = Extract<Effect, { kind: 'sql' }>;
type SetStatusEffect = Extract<Effect, { kind: 'setStatus' }>;

export const DEFAULT_SQL_TIMEOUT_MS = 10_000;

type Failed = { ok: false; error: string; code?: string };
export type SqlOutcome = { ok: true; rows: Record<string, Json>[]; rowCount: number } | Failed;

export async function performSql(tx: Transaction, effect: SqlEffect): Promise<SqlOutcome> {
  // Validation refuses these; a version stored before that rule existed is refused here.
  const problem = sqlStatementProblem(effect.query);
  if (problem) return { ok: false, error: `the query ${problem}` };
  return guarded(tx, effect.timeoutMs ?? DEFAULT_SQL_TIMEOUT_MS, async (sp) => {
    const { text, values } = toPositional(effect.query, effect.params);
    const r = await sp.query(text, values.map(toParam));
    // Only what the node keeps is stored with the step; a runaway result is an error that undoes the statement.
    if (effect.result === 'rows' && r.rows.length > MAX_QUERY_ROWS) {
      throw new Error(
        `the query returned ${r.rows.length.toLocaleString('en-US')} rows; at most ${MAX_QUERY_ROWS.toLocaleString('en-US')} are taken: narrow it with WHERE or LIMIT`,
      );
    }
    const kept = effect.result === 'rows' ? r.rows : effect.result === 'first' ? r.rows.slice(0, 1) : [];
    return { ok: true as const, rows: kept.map(toJsonRow), rowCount: r.rowCount };
  });
}

export async function performSetStatus(tx: Transaction, effect: SetStatusEffect): Promise<{ ok: true; rowCount: number } | Failed> {
  return guarded(tx, DEFAULT_SQL_TIMEOUT_MS, async (sp) => {
    // Names come from the scenario file and were validated as identifiers; check again, then quote.
    const names = [effect.table, effect.idColumn, ...Object.keys(effect.fields)];
    const bad = names.find((n) => !IDENTIFIER.test(n));
    if (bad !== undefined) throw new Error(`not a valid name: ${JSON.stringify(bad)}`);
    const sets = [`status = $1`];
    const values: unknown[] = [effect.status];
    for (const [column, value] of Object.entries(effect.fields)) {
      values.push(toParam(value));
      sets.push(`${quote(column)} = $${values.length}`);
    }
    values.push(toParam(effect.id));
    const r = await sp.query(`update ${quote(effect.table)} set ${sets.join(', ')} where ${quote(effect.idColumn)} = $${values.length}`, values);
    return { ok: true as const, rowCount: r.rowCount };
  });
}

async function guarded<T>(tx: Transaction, timeoutMs: number, run: (sp: Transaction) => Promise<T>): Promise<T | Failed> {
  try {
    return await tx.savepoint(async (sp) => {
      // Local to the transaction, and undone with the savepoint when the statement fails.
      await sp.query(`select set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      const result = await run(sp);
      await sp.query(`select set_config('statement_timeout', '0', true)`);
      return result;
    });
  } catch (e) {
    const err = e as { message?: string; code?: string };
    return { ok: false, error: err.message ?? String(e), ...(typeof err.code === 'string' ? { code: err.code } : {}) };
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** JSON values to driver parameters: objects and arrays travel as JSON text. */
function toParam(value: Json): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

/** Driver values to JSON, so rows can live in variables. */
function toJsonRow(row: Record<string, unknown>): Record<string, Json> {
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

/**
 * Running a scenario's statement inside the shared transaction: under a
 * savepoint, so a failing statement undoes only itself and becomes the
 * node's `{ ok: false }` result; as the restricted role (the sandbox, see
 * docs/security.md), checked after the statement in the same round trip;
 * values converted between JSON and the driver.
 */
import type { Transaction } from '@tellflow/db';
import type { Json } from '@tellflow/engine';

/** The statement timeout of a scenario's statement when its node sets none. */
export const DEFAULT_SQL_TIMEOUT_MS = 10_000;

export type Failed = { ok: false; error: string; code?: string };

/**
 * What a scenario's statement must leave as it found it, as the transaction
 * set it (sql/claim.ts): the role it runs as, and the settings the statements
 * after it (other executions' steps, Tellflow's commits) rely on. The
 * transaction queue keeps `statementTimeout` current.
 */
export interface Sandbox {
  role: string;
  searchPath: string;
  /** As PostgreSQL shows it (`10s`). */
  statementTimeout: string;
}

const CHECK = `select current_user::text as role, current_setting('search_path') as search_path, current_setting('statement_timeout') as timeout`;

type Checked = { role: string; search_path: string; timeout: string };

/**
 * Runs the scenario's statement (`text`, bound `values`) under a savepoint
 * and checks the sandbox right after it, pipelined with it. A statement that
 * left the role (RESET ROLE, set_config, whatever text trick) or changed a
 * setting is refused: its savepoint is rolled back, which undoes it along
 * with what it did (also a session-level setting), and the node gets `error`.
 */
export async function guarded<T>(
  tx: Transaction,
  sandbox: Sandbox,
  text: string,
  values: unknown[],
  then: (r: { rows: Record<string, unknown>[]; rowCount: number }) => T,
): Promise<T | Failed> {
  try {
    return await tx.savepoint(async (sp) => {
      const ran = sp.query<Record<string, unknown>>(text, values);
      const checked = sp.query<Checked>(CHECK);
      checked.catch(() => {}); // fails after a failing statement: that one's error is reported
      const r = await ran;
      const problem = escaped((await checked).rows[0]!, sandbox);
      if (problem) throw new Error(`the query ${problem}: refused and undone (scenario SQL runs as ${sandbox.role}, see docs/security.md)`);
      return then(r);
    });
  } catch (e) {
    const err = e as { message?: string; code?: string };
    return { ok: false, error: err.message ?? String(e), ...(typeof err.code === 'string' ? { code: err.code } : {}) };
  }
}

/** How the statement changed the sandbox, or null. */
function escaped(now: Checked, was: Sandbox): string | null {
  if (now.role !== was.role) return `left its database role (it ran on as ${JSON.stringify(now.role)})`;
  if (now.search_path !== was.searchPath) return `changed search_path (to ${JSON.stringify(now.search_path)})`;
  if (now.timeout !== was.statementTimeout) return `changed statement_timeout (to ${JSON.stringify(now.timeout)})`;
  return null;
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

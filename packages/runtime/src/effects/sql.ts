/**
 * `sql`: the node's statement, performed in the transaction that commits the
 * step consuming its result (exactly once, also across a crash), under a
 * savepoint, as the sandbox's restricted role (statement.ts): a failing
 * statement is the node's `error` outcome and undoes nothing else.
 */
import type { Transaction } from '@tellflow/db';
import { MAX_QUERY_ROWS, sqlStatementProblem, toPositional, type Effect, type Json } from '@tellflow/engine';
import type { EffectHandler } from './handler.ts';
import { DEFAULT_SQL_TIMEOUT_MS, guarded, toJsonRow, toParam, type Failed, type Sandbox } from './statement.ts';

type SqlEffect = Extract<Effect, { kind: 'sql' }>;

export type SqlOutcome = { ok: true; rows: Record<string, Json>[]; rowCount: number } | Failed;

export async function performSql(tx: Transaction, sandbox: Sandbox, effect: Pick<SqlEffect, 'query' | 'params' | 'result'>): Promise<SqlOutcome> {
  // Validation refuses these; a version stored before that rule existed (or written around it) is refused here.
  const problem = sqlStatementProblem(effect.query);
  if (problem) return { ok: false, error: `the query ${problem}` };
  const { text, values } = toPositional(effect.query, effect.params);
  return guarded(tx, sandbox, text, values.map(toParam), (r) => {
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

export const sql: EffectHandler<SqlEffect> = {
  performed: () => 'inTransaction',
  inTransaction: {
    statementTimeoutMs: (e) => e.timeoutMs ?? DEFAULT_SQL_TIMEOUT_MS,
    perform: (tx, e, ctx) => performSql(tx, ctx.sandbox, e),
  },
};

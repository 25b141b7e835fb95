/** `setStatus`: one row's status (and fields) updated in the transaction that commits the next step, under a savepoint and in the sandbox like `sql`. */
import type { Transaction } from '@tellflow/db';
import { IDENTIFIER, type Effect } from '@tellflow/engine';
import type { EffectHandler } from './handler.ts';
import { DEFAULT_SQL_TIMEOUT_MS, guarded, quote, toParam, type Failed, type Sandbox } from './statement.ts';

type SetStatusEffect = Extract<Effect, { kind: 'setStatus' }>;

async function performSetStatus(tx: Transaction, sandbox: Sandbox, effect: SetStatusEffect): Promise<{ ok: true; rowCount: number } | Failed> {
  // Names come from the scenario file and were validated as identifiers; check again, then quote.
  const names = [effect.table, effect.idColumn, ...Object.keys(effect.fields)];
  const bad = names.find((n) => !IDENTIFIER.test(n));
  if (bad !== undefined) return { ok: false, error: `not a valid name: ${JSON.stringify(bad)}` };
  const sets = [`status = $1`];
  const values: unknown[] = [effect.status];
  for (const [column, value] of Object.entries(effect.fields)) {
    values.push(toParam(value));
    sets.push(`${quote(column)} = $${values.length}`);
  }
  values.push(toParam(effect.id));
  const text = `update ${quote(effect.table)} set ${sets.join(', ')} where ${quote(effect.idColumn)} = $${values.length}`;
  return guarded(tx, sandbox, text, values, (r) => ({ ok: true as const, rowCount: r.rowCount }));
}

export const setStatus: EffectHandler<SetStatusEffect> = {
  performed: () => 'inTransaction',
  inTransaction: {
    statementTimeoutMs: () => DEFAULT_SQL_TIMEOUT_MS,
    perform: (tx, e, ctx) => performSetStatus(tx, ctx.sandbox, e),
  },
};

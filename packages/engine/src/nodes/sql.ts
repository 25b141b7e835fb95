import { z } from 'zod';
import { EffectResults } from '../effects.ts';
import { Expression, Identifier } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import type { Json } from '../json.ts';
import { queryProblems } from '../sql-text.ts';
import { defineEffectNode, into } from './types.ts';

/** The most rows a query may return into a scenario (they are stored with its step): more is an error, and the statement is undone. */
export const MAX_QUERY_ROWS = 10_000;

export const SqlParams = z
  .strictObject({
    query: ui(z.string().regex(/\S/, 'must not be empty'), 'sql').describe('SQL text with named parameters `:name`; values are always bound, never spliced.'),
    params: ui(z.record(Identifier, Expression), 'sqlParams').describe('Values for the named parameters, as expressions.').optional(),
    result: z.enum(['rows', 'first', 'none']).describe('`rows` (an array), `first` (one object or null) or `none`. Default `rows`.').optional(),
    into: ui(Identifier, 'variable').describe('Variable that receives the result.').optional(),
    timeoutMs: ui(z.number().int().positive().max(600_000), 'durationMs').optional(),
  })
  .superRefine((p, ctx) => {
    for (const message of queryProblems(p.query, p.params)) ctx.addIssue({ code: 'custom', message, path: ['query'] });
  });

export const sql = defineEffectNode({
  type: 'sql',
  title: 'SQL query',
  description: 'Runs a parameterised query on the database; rows or the first row into a variable.',
  category: 'data',
  icon: 'database',
  params: SqlParams,
  effectKind: 'sql',
  result: EffectResults.sql,
  errorOutcome: 'error',
  outcomes: () => ['ok', 'empty', 'error'],
  writes: (p) => into(p.into),
  effect: (p, ctx) => {
    const params: Record<string, Json> = {};
    for (const [name, logic] of Object.entries(p.params ?? {})) params[name] = ctx.evaluate(logic);
    return { kind: 'sql', query: p.query, params, result: p.result ?? 'rows', ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}) };
  },
  resume: (p, r, ctx) => {
    if (!r.ok) {
      ctx.set('lastError', r.error);
      return { outcome: 'error' };
    }
    const mode = p.result ?? 'rows';
    if (p.into && mode !== 'none') ctx.set(p.into, mode === 'first' ? (r.rows[0] ?? null) : r.rows);
    const empty = mode === 'none' ? r.rowCount === 0 : r.rows.length === 0;
    return { outcome: empty ? 'empty' : 'ok' };
  },
});

import { z } from 'zod';
import { EffectResults } from '../effects.ts';
import { Expression, Identifier } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import type { Json } from '../json.ts';
import { defineEffectNode } from './types.ts';

export const SetStatusParams = z.strictObject({
  table: ui(Identifier, 'table').describe('Subscriber table; default `table_out_call`. A name, never taken from a variable.').optional(),
  idColumn: ui(Identifier, 'column').describe('Key column; default `Id`.').optional(),
  id: Expression.describe('Which row: usually `{"var": "subscriber.Id"}`.'),
  status: Expression.describe('The new status: 10 call back, 11 being served, 12 callback succeeded, or any integer.'),
  fields: ui(z.record(Identifier, Expression), 'expressionMap').describe('Other columns to set at the same time (callback time, operator…).').optional(),
});

export const setStatus = defineEffectNode({
  type: 'setStatus',
  title: 'Set status',
  description: "Sets a subscriber row's status and, optionally, other fields.",
  category: 'data',
  icon: 'flag',
  params: SetStatusParams,
  effectKind: 'setStatus',
  result: EffectResults.setStatus,
  errorOutcome: 'error',
  outcomes: () => ['next', 'error'],
  writes: () => [],
  effect: (p, ctx) => {
    const raw = ctx.evaluate(p.status);
    // Only a number or numeric text: Number(null), Number('') and Number(true) would give 0 or 1.
    const status = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : NaN;
    if (!Number.isInteger(status)) throw new Error(`status is not an integer: ${JSON.stringify(raw)}`);
    const id = ctx.evaluate(p.id);
    if (id === null || id === '') throw new Error('"id" is empty');
    const fields: Record<string, Json> = {};
    for (const [name, logic] of Object.entries(p.fields ?? {})) fields[name] = ctx.evaluate(logic);
    return { kind: 'setStatus', table: p.table ?? 'table_out_call', idColumn: p.idColumn ?? 'Id', id, status, fields };
  },
  resume: (p, r, ctx) => {
    if (r.ok && r.rowCount > 0) return { outcome: 'next' };
    ctx.set('lastError', r.ok ? `no row with ${p.idColumn ?? 'Id'} = ${JSON.stringify(ctx.evaluate(p.id))} in ${p.table ?? 'table_out_call'}` : r.error);
    return { outcome: 'error' };
  },
});

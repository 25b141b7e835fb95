import { z } from 'zod';
import { EffectResults } from '../effects.ts';
import { Expression } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { defineEffectNode } from './types.ts';

export const WaitParams = z
  .strictObject({
    seconds: ui(Expression, 'duration').describe('How long to wait, in seconds (a number or an expression).').optional(),
    until: ui(Expression, 'dateTime').describe('Or until this moment: epoch milliseconds or an ISO 8601 date-time.').optional(),
  })
  .refine((p) => (p.seconds === undefined) !== (p.until === undefined), { message: 'set exactly one of "seconds" or "until"' });

export function toEpochMs(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error(`${what} is not a time: ${JSON.stringify(value)}`);
}

export const wait = defineEffectNode({
  type: 'wait',
  title: 'Wait',
  description: 'Pauses the execution for a duration or until a time; durable across restarts.',
  category: 'flow',
  icon: 'clock',
  params: WaitParams,
  effectKind: 'timer',
  result: EffectResults.timer,
  outcomes: () => ['next'],
  writes: () => [],
  effect: (p, ctx) => {
    if (p.until !== undefined) return { kind: 'timer', wakeAt: toEpochMs(ctx.evaluate(p.until), '"until"') };
    const raw = ctx.evaluate(p.seconds);
    // Only a number or numeric text: Number(null), Number('') and Number(true) would give 0 or 1.
    const seconds = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : NaN;
    if (!Number.isFinite(seconds)) throw new Error(`"seconds" is not a number: ${JSON.stringify(raw)}`);
    return { kind: 'timer', wakeAt: ctx.now + Math.max(0, seconds) * 1000 };
  },
  resume: () => ({ outcome: 'next' }),
});

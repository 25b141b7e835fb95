import { z } from 'zod';
import { EffectResults, FIELD_TYPES, type FormFieldSpec } from '../effects.ts';
import { Expression, Identifier, PositiveSeconds } from '../format/common.ts';
import { ui } from '../format/ui.ts';
import { defineEffectNode } from './types.ts';

export const FormField = z
  .strictObject({
    name: ui(Identifier, 'variable').describe('The variable that receives the value.'),
    label: z.string().min(1, 'must not be empty'),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().optional(),
    readOnly: z.boolean().describe('Shown but not editable, e.g. data of the previous call.').optional(),
    default: Expression.describe('Initial value, usually from a variable.').optional(),
    options: z
      .array(z.strictObject({ value: z.string(), label: z.string().optional() }))
      .min(1)
      .describe('Choices of a `select` field.')
      .optional(),
  })
  .superRefine((f, ctx) => {
    if (f.type === 'select' && !f.options) ctx.addIssue({ code: 'custom', message: 'a select field needs "options"', path: ['options'] });
    if (f.type !== 'select' && f.options)
      ctx.addIssue({ code: 'custom', message: `"options" only applies to select fields, not ${f.type}`, path: ['options'] });
  });

export const ShowFormParams = z
  .strictObject({
    title: z.string().min(1, 'must not be empty'),
    description: ui(z.string(), 'multiline').optional(),
    fields: ui(z.array(FormField).min(1, 'must have at least one field'), 'formFields'),
    operator: ui(Expression, 'phone').describe('Whose screen: by default the operator of the current call.').optional(),
    timeoutSec: PositiveSeconds.describe('Without a submission by then, the `timeout` outcome is taken.').optional(),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.fields.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', message: `duplicate field name "${f.name}"`, path: ['fields', i, 'name'] });
      seen.add(f.name);
    });
  });

export const showForm = defineEffectNode({
  type: 'showForm',
  title: 'Show form',
  description: "Shows a form on the operator's screen and waits for it to be submitted.",
  category: 'operator',
  icon: 'forms',
  params: ShowFormParams,
  effectKind: 'form',
  result: EffectResults.form,
  outcomes: () => ['submitted', 'timeout'],
  writes: (p) => p.fields.filter((f) => !f.readOnly).map((f) => f.name),
  effect: (p, ctx) => {
    const fields = p.fields.map(
      (f): FormFieldSpec => ({
        name: f.name,
        label: f.label,
        type: f.type,
        required: f.required ?? false,
        readOnly: f.readOnly ?? false,
        ...(f.options ? { options: f.options.map((o) => ({ value: o.value, label: o.label ?? o.value })) } : {}),
        value: f.default === undefined ? null : ctx.evaluate(f.default),
      }),
    );
    const operator = p.operator === undefined ? null : ctx.evaluate(p.operator);
    return {
      kind: 'form',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      fields,
      ...(operator !== null && operator !== '' ? { operator: String(operator) } : {}),
      ...(p.timeoutSec ? { timeoutSec: p.timeoutSec } : {}),
    };
  },
  resume: (p, r, ctx) => {
    if ('timeout' in r) return { outcome: 'timeout' };
    for (const f of p.fields) {
      if (!f.readOnly && Object.hasOwn(r.submitted, f.name)) ctx.set(f.name, r.submitted[f.name]!);
    }
    return { outcome: 'submitted' };
  },
});

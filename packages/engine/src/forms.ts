/**
 * Checking a form submission against the form's fields: the operator's
 * values become typed variables, or each bad value gets a message naming
 * its field. Pure, so the API, the CLI and the editor's preview agree.
 */
import type { FormFieldSpec } from './effects.ts';
import { isJsonObject, storeProblem, UNSTORABLE_TEXT, type Json } from './json.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

export type FormCheck = { ok: true; values: Record<string, Json> } | { ok: false; problems: FieldProblem[] };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d))?$/;

export function checkFormValues(fields: readonly FormFieldSpec[], submitted: unknown): FormCheck {
  if (!isJsonObject(submitted)) return { ok: false, problems: [{ field: '', message: 'the values must be an object of field names to values' }] };
  const problems: FieldProblem[] = [];
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const name of Object.keys(submitted)) {
    if (!byName.has(name)) problems.push({ field: name, message: `the form has no field "${name}"` });
  }
  const values: Record<string, Json> = {};
  for (const field of fields) {
    if (field.readOnly) continue;
    const given = Object.hasOwn(submitted, field.name) ? submitted[field.name]! : field.value;
    const empty = given === null || given === '' || given === undefined;
    if (empty) {
      if (field.required) problems.push({ field: field.name, message: `"${field.label}" is required` });
      values[field.name] = null;
      continue;
    }
    const checked = checkValue(field, given);
    if (typeof checked === 'string') problems.push({ field: field.name, message: `"${field.label}" ${checked}` });
    else values[field.name] = checked.value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, values };
}

function checkValue(field: FormFieldSpec, v: Json): { value: Json } | string {
  switch (field.type) {
    case 'text':
    case 'multiline':
      if (typeof v === 'string' && UNSTORABLE_TEXT.test(v)) return storeProblem('contains a NUL character or an unpaired surrogate');
      return typeof v === 'string' ? { value: v } : typeof v === 'number' ? { value: String(v) } : 'must be text';
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? { value: n } : 'must be a number';
    }
    case 'checkbox':
      return typeof v === 'boolean' ? { value: v } : v === 'true' || v === 'false' ? { value: v === 'true' } : 'must be true or false';
    case 'date': {
      const m = typeof v === 'string' ? DATE.exec(v) : null;
      if (!m) return 'must be a date like 2026-11-22';
      const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
      return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]! ? { value: v } : 'is not a real date';
    }
    case 'time':
      return typeof v === 'string' && TIME.test(v) ? { value: v } : 'must be a time like 14:30';
    case 'datetime':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v))
        ? { value: v }
        : 'must be a date and time like 2026-11-22T14:30';
    case 'select':
      return typeof v === 'string' && field.options?.some((o) => o.value === v)
        ? { value: v }
        : `must be one of ${(field.options ?? []).map((o) => JSON.stringify(o.value)).join(', ')}`;
  }
}

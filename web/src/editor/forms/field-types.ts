import { FIELD_TYPES, type FieldType } from '@tellflow/engine';

const NAMES: Record<FieldType, string> = {
  text: 'Text',
  multiline: 'Text, several lines',
  number: 'Number',
  date: 'Date',
  time: 'Time',
  datetime: 'Date and time',
  select: 'Choice',
  checkbox: 'Checkbox',
};

/** The form field types for a select, with names an administrator reads. */
export const FIELD_TYPE_OPTIONS = FIELD_TYPES.map((t) => ({ value: t, label: NAMES[t] }));

export const fieldTypeName = (t: unknown): string => (typeof t === 'string' && t in NAMES ? NAMES[t as FieldType] : String(t ?? '?'));

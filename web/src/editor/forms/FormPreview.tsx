/**
 * The form as the operator will see it, from the field list being designed:
 * the same Mantine inputs, defaults that are literals filled in (those from
 * variables named), and "Submit" checked with the engine's own form checks.
 */
import { Alert, Button, Checkbox, NumberInput, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { checkFormValues, type FieldType, type FormFieldSpec, type Json } from '@tellflow/engine';
import { useId, useState } from 'react';
import classes from './forms.module.css';

export interface DesignedField {
  name?: unknown;
  label?: unknown;
  type?: unknown;
  required?: unknown;
  readOnly?: unknown;
  default?: unknown;
  options?: unknown;
}

const isLiteral = (v: unknown): v is Json => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** The engine's view of a designed field (an expression default is unknown until the call: empty). */
export function previewSpec(f: DesignedField, index: number): FormFieldSpec {
  const options = Array.isArray(f.options)
    ? f.options.map((o: { value?: unknown; label?: unknown }) => ({ value: String(o?.value ?? ''), label: String(o?.label ?? o?.value ?? '') }))
    : undefined;
  return {
    name: typeof f.name === 'string' && f.name ? f.name : `field${index + 1}`,
    label: typeof f.label === 'string' && f.label ? f.label : `Field ${index + 1}`,
    type: (typeof f.type === 'string' ? f.type : 'text') as FieldType,
    required: f.required === true,
    readOnly: f.readOnly === true,
    ...(options ? { options } : {}),
    value: isLiteral(f.default) ? f.default : null,
  };
}

export function FormPreview({ title, description, fields }: { title: string; description?: string; fields: DesignedField[] }) {
  const specs = fields.map(previewSpec);
  const [values, setValues] = useState<Record<string, Json>>({});
  const [result, setResult] = useState<{ ok: boolean; problems: Record<string, string> } | null>(null);
  const prefix = useId();
  const currentValue = (f: FormFieldSpec): Json => (Object.hasOwn(values, f.name) ? values[f.name]! : f.value);
  const setValue = (name: string, v: Json) => {
    setValues((all) => ({ ...all, [name]: v }));
    setResult(null);
  };
  const submit = () => {
    const submitted = Object.fromEntries(specs.filter((f) => !f.readOnly).map((f) => [f.name, currentValue(f)]));
    const check = checkFormValues(specs, submitted);
    setResult({ ok: check.ok, problems: check.ok ? {} : Object.fromEntries(check.problems.map((p) => [p.field, p.message])) });
  };
  return (
    <Paper className={classes.preview} withBorder shadow="xs" p="md" radius="md" aria-label="Form preview" component="section">
      <Title order={3} fz="md" mb={2}>
        {title || 'Untitled form'}
      </Title>
      {description && (
        <Text size="sm" c="dimmed" mb="sm">
          {description}
        </Text>
      )}
      <Stack gap="sm" mt="sm">
        {specs.map((f, i) => {
          const design = fields[i]!;
          const fromVariable = design.default !== undefined && !isLiteral(design.default) ? describeDefault(design.default) : undefined;
          const common = {
            id: `${prefix}-${i}`,
            label: f.label,
            required: f.required,
            readOnly: f.readOnly,
            error: result?.problems[f.name],
            description: fromVariable,
          };
          const v = currentValue(f);
          // biome-ignore lint/suspicious/noArrayIndexKey: two designed fields may share a name while being edited.
          return <PreviewInput key={`${f.name}-${i}`} type={f.type} common={common} spec={f} value={v} onChange={(x) => setValue(f.name, x)} />;
        })}
      </Stack>
      {result?.ok && (
        <Alert mt="sm" color="teal" icon={<IconCircleCheck size={16} />} p="xs">
          The operator could submit this.
        </Alert>
      )}
      <Button mt="md" onClick={submit} fullWidth>
        Submit
      </Button>
    </Paper>
  );
}

interface PreviewInputProps {
  type: FieldType;
  spec: FormFieldSpec;
  value: Json;
  onChange(v: Json): void;
  common: { id: string; label: string; required: boolean; readOnly: boolean; error: string | undefined; description: string | undefined };
}

function PreviewInput({ type, spec, value, onChange, common }: PreviewInputProps) {
  const text = value === null ? '' : String(value);
  switch (type) {
    case 'multiline':
      return <Textarea {...common} value={text} autosize minRows={2} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'number':
      return <NumberInput {...common} value={typeof value === 'number' ? value : text} onChange={(n) => onChange(n === '' ? null : n)} />;
    case 'checkbox':
      return (
        <Checkbox
          id={common.id}
          label={common.label}
          description={common.description}
          error={common.error}
          disabled={common.readOnly}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'select':
      return (
        <Select
          {...common}
          data={(spec.options ?? []).filter((o) => o.value !== '').map((o) => ({ value: o.value, label: o.label || o.value }))}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => onChange(v)}
          placeholder="Choose…"
          comboboxProps={{ withinPortal: true }}
        />
      );
    case 'date':
    case 'time':
    case 'datetime':
      return <TextInput {...common} type={type === 'datetime' ? 'datetime-local' : type} value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    default:
      return <TextInput {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}

/** Where an expression default comes from, in words: the variable it reads, or that it is computed. */
function describeDefault(expression: unknown): string {
  const name = (expression as { var?: unknown }).var;
  const variable = typeof name === 'string' ? name : Array.isArray(name) && typeof name[0] === 'string' ? name[0] : null;
  return variable ? `Filled from ${variable}` : 'Filled in when the form opens (computed)';
}

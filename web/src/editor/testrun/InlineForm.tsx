import { Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconClockPause, IconForms, IconSend } from '@tabler/icons-react';
import type { Json } from '@tellflow/engine';
import { useState } from 'react';
import type { FormField, PendingForm } from './model.ts';
import classes from './testrun.module.css';

/**
 * The form the run stopped at, as the operator would see it, with the values
 * its defaults gave; "Submit" answers it with the editable fields' values,
 * "Let it time out" answers null (the form takes its timeout outcome).
 */
export function InlineForm({ pending, busy, onAnswer }: { pending: PendingForm; busy: boolean; onAnswer(values: Record<string, Json> | null): void }) {
  const { form } = pending;
  const [values, setValues] = useState<Record<string, Json>>(() => Object.fromEntries(form.fields.map((f) => [f.name, f.value])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = () => {
    const missing = Object.fromEntries(
      form.fields.filter((f) => f.required && !f.readOnly && isEmpty(values[f.name])).map((f) => [f.name, `${f.label} is required`]),
    );
    setErrors(missing);
    if (Object.keys(missing).length) return;
    const answer: Record<string, Json> = {};
    for (const f of form.fields) if (!f.readOnly && !isEmpty(values[f.name])) answer[f.name] = values[f.name]!;
    onAnswer(answer);
  };
  return (
    <Paper withBorder p="sm" radius="md" className={classes.form} component="section" aria-label={`Form ${form.title}`}>
      <Group gap={8} mb={4} wrap="nowrap">
        <IconForms size={18} color="var(--mantine-color-grape-7)" />
        <Title order={3} fz="sm">
          {form.title}
        </Title>
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        The run waits at <b>{pending.nodeId}</b> for the operator's answer{form.description ? ` · ${form.description}` : ''}.
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap={8}>
          {form.fields.map((f) => (
            <Field key={f.name} field={f} value={values[f.name] ?? null} error={errors[f.name]} onChange={(v) => setValues({ ...values, [f.name]: v })} />
          ))}
          <Group justify="flex-end" gap="xs" mt={4}>
            <Button size="xs" variant="default" leftSection={<IconClockPause size={14} />} disabled={busy} onClick={() => onAnswer(null)}>
              Let it time out
            </Button>
            <Button size="xs" type="submit" leftSection={<IconSend size={14} />} loading={busy}>
              Submit
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

const isEmpty = (v: Json | undefined) => v === undefined || v === null || v === '';

function Field({ field, value, error, onChange }: { field: FormField; value: Json; error: string | undefined; onChange(v: Json): void }) {
  // Read-only fields show what the scenario filled in, greyed like the operator sees them.
  const common = {
    label: field.label,
    required: field.required,
    readOnly: field.readOnly,
    error,
    size: 'xs' as const,
    variant: field.readOnly ? 'filled' : 'default',
  };
  const text = value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  switch (field.type) {
    case 'multiline':
      return <Textarea {...common} autosize minRows={2} value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'number':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : v === '' ? null : Number(v))}
        />
      );
    case 'checkbox':
      return (
        <Checkbox
          label={field.label}
          size="xs"
          checked={value === true}
          disabled={field.readOnly}
          error={error}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'select':
      return <Select {...common} data={field.options ?? []} value={text || null} onChange={(v) => onChange(v)} disabled={field.readOnly} clearable />;
    default: {
      const type = field.type === 'date' ? 'date' : field.type === 'time' ? 'time' : field.type === 'datetime' ? 'datetime-local' : 'text';
      return <TextInput {...common} type={type} value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    }
  }
}

import { JsonInput, NumberInput, SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import type { Json } from '@tellflow/engine';
import { useState } from 'react';
import { useEditor } from '../store.ts';
import { useTestRun } from './state.ts';

type StartInput = { name: string; type?: string; required?: boolean; default?: Json; description?: string };

/** The start node's declared inputs. */
function useDeclaredInputs(): StartInput[] {
  return useEditor((s) => {
    const start = s.doc?.nodes.find((n) => n.type === 'start');
    return ((start?.params as { inputs?: StartInput[] } | undefined)?.inputs ?? EMPTY) as StartInput[];
  });
}
const EMPTY: StartInput[] = [];

/**
 * The run's input variables: a small form generated from the start node's
 * declared inputs, or the raw JSON object (for undeclared or structured values).
 */
export function InputsForm() {
  const declared = useDeclaredInputs();
  const input = useTestRun((s) => s.setup.input);
  const setSetup = useTestRun((s) => s.setSetup);
  const [mode, setMode] = useState<'form' | 'json'>(declared.length ? 'form' : 'json');
  const setValue = (name: string, value: Json | undefined) => {
    const next = { ...input };
    if (value === undefined) delete next[name];
    else next[name] = value;
    setSetup({ input: next });
  };
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        value={mode}
        onChange={(v) => setMode(v as 'form' | 'json')}
        data={[
          { value: 'form', label: 'Form', disabled: declared.length === 0 },
          { value: 'json', label: 'JSON' },
        ]}
        aria-label="Edit the inputs as"
      />
      {mode === 'form' ? (
        declared.map((spec) => <InputField key={spec.name} spec={spec} value={input[spec.name]} onChange={(v) => setValue(spec.name, v)} />)
      ) : (
        <JsonInputs value={input} onChange={(v) => setSetup({ input: v })} />
      )}
      {declared.length === 0 && (
        <Text size="xs" c="dimmed">
          The start node declares no inputs; values given here are set as variables all the same.
        </Text>
      )}
    </Stack>
  );
}

function InputField({ spec, value, onChange }: { spec: StartInput; value: Json | undefined; onChange(value: Json | undefined): void }) {
  const label = spec.name;
  const description = spec.description;
  const placeholder = spec.default !== undefined ? `default: ${JSON.stringify(spec.default)}` : undefined;
  const common = { label, description, withAsterisk: spec.required && spec.default === undefined, size: 'xs' as const };
  switch (spec.type) {
    case 'number':
      return (
        <NumberInput
          {...common}
          placeholder={placeholder}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : v === '' ? undefined : Number(v))}
        />
      );
    case 'boolean':
      return (
        <Switch
          label={label}
          description={description}
          size="sm"
          checked={value === undefined ? spec.default === true : value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'json':
      return <JsonField {...common} value={value} onChange={onChange} />;
    default: {
      const type = spec.type === 'date' ? 'date' : spec.type === 'time' ? 'time' : spec.type === 'datetime' ? 'datetime-local' : 'text';
      return (
        <TextInput
          {...common}
          type={type}
          placeholder={placeholder}
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
          onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
        />
      );
    }
  }
}

/** A JSON value typed as text: kept as typed, given on when it parses. */
function JsonField({
  value,
  onChange,
  ...rest
}: {
  label: string;
  description?: string | undefined;
  value: Json | undefined;
  onChange(v: Json | undefined): void;
}) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  const [error, setError] = useState<string | null>(null);
  return (
    <JsonInput
      {...rest}
      size="xs"
      autosize
      minRows={2}
      value={text}
      error={error}
      onChange={(t) => {
        setText(t);
        if (!t.trim()) {
          onChange(undefined);
          setError(null);
          return;
        }
        try {
          onChange(JSON.parse(t) as Json);
          setError(null);
        } catch {
          setError('not valid JSON yet');
        }
      }}
    />
  );
}

function JsonInputs({ value, onChange }: { value: Record<string, Json>; onChange(v: Record<string, Json>): void }) {
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [error, setError] = useState<string | null>(null);
  return (
    <JsonInput
      label="Input variables"
      description="A JSON object of variable names to values"
      size="xs"
      autosize
      minRows={4}
      maxRows={14}
      value={text}
      error={error}
      onChange={(t) => {
        setText(t);
        try {
          const parsed = JSON.parse(t || '{}') as unknown;
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return setError('must be a JSON object, like {"subscriberId": 1}');
          onChange(parsed as Record<string, Json>);
          setError(null);
        } catch {
          setError('not valid JSON yet');
        }
      }}
    />
  );
}

/**
 * An expression field: a json-logic expression or a literal in a CodeMirror
 * editor checked as you type. Fields whose hint says what the value usually
 * is (a duration, a moment, a phone number, a queue) offer a plain input for
 * that, with a switch to a full expression.
 */
import { NumberInput, SegmentedControl, TextInput } from '@mantine/core';
import type { UiHint } from '@tellflow/engine';
import { useCallback, useRef, useState } from 'react';
import type { ExpressionContext } from '../codemirror/expression.ts';
import { CodeField } from '../codemirror/LazyCodeField.tsx';
import { expressionText, parseExpressionText, sameExpression } from '../codemirror/expression-text.ts';
import { FieldFrame } from './FieldFrame.tsx';
import { QueueSelect } from './pickers.tsx';
import { useKnownVariables } from './variables.ts';

export interface CodeInputProps {
  label: string;
  value: unknown;
  onChange(value: unknown): void;
  invalid?: boolean;
  /** A literal JSON value, not an expression: no json-logic checks. */
  jsonOnly?: boolean;
  placeholder?: string;
}

/** The CodeMirror editor of an expression (or a JSON value); text that is not a value yet is kept in the editor, not saved. */
export function ExpressionCode({ label, value, onChange, invalid, jsonOnly, placeholder }: CodeInputProps) {
  const variables = useKnownVariables();
  const context = useRef<ExpressionContext>({ variables, jsonOnly: jsonOnly ?? false });
  context.current = { variables, jsonOnly: jsonOnly ?? false };
  const onText = useCallback(
    (text: string) => {
      const parsed = parseExpressionText(text);
      if (parsed.ok) onChange(parsed.value);
    },
    [onChange],
  );
  return (
    <CodeField
      label={label}
      text={expressionText(value)}
      onText={onText}
      same={sameExpression}
      extensions={(languages) => languages.expression(() => context.current)}
      lintKey={variables.map((v) => v.name).join(',')}
      invalid={invalid ?? false}
      placeholder={placeholder ?? (jsonOnly ? 'a value, e.g. 0 or "text"' : 'a value, or {"var": "name"}')}
    />
  );
}

/** The plain input a hint offers besides the expression editor, if any. */
const VALUE_INPUTS: Partial<Record<UiHint, string>> = {
  duration: 'Seconds',
  durationMs: 'Milliseconds',
  dateTime: 'Date and time',
  phone: 'Number',
  queue: 'Queue',
};

export interface ExpressionFieldProps {
  label: string;
  path: string;
  hint: UiHint;
  value: unknown;
  onChange(value: unknown): void;
  required?: boolean;
  description?: string | undefined;
}

export function ExpressionField({ label, path, hint, value, onChange, required, description }: ExpressionFieldProps) {
  const plain = VALUE_INPUTS[hint];
  const fitsPlain = value === undefined || (hint === 'duration' || hint === 'durationMs' ? typeof value === 'number' : typeof value === 'string');
  const [mode, setMode] = useState<'value' | 'expression'>(plain && fitsPlain ? 'value' : 'expression');
  const aside = plain ? (
    <SegmentedControl
      size="xs"
      aria-label={`How to give ${label}`}
      value={mode}
      onChange={(m) => setMode(m as 'value' | 'expression')}
      data={[
        { value: 'value', label: plain },
        { value: 'expression', label: 'Expression' },
      ]}
    />
  ) : undefined;
  return (
    <FieldFrame
      label={label}
      path={path}
      required={required ?? false}
      description={description}
      aside={aside}
      code={mode === 'expression'}
      missing={value === undefined}
    >
      {({ id, invalid, describedBy }) =>
        mode === 'expression' || !plain ? (
          <ExpressionCode label={label} value={value} onChange={onChange} invalid={invalid} />
        ) : (
          <PlainValue id={id} label={label} hint={hint} value={value} onChange={onChange} invalid={invalid} describedBy={describedBy} />
        )
      }
    </FieldFrame>
  );
}

interface PlainValueProps {
  id: string;
  label: string;
  hint: UiHint;
  value: unknown;
  onChange(value: unknown): void;
  invalid: boolean;
  describedBy: string;
}

function PlainValue({ id, hint, value, onChange, invalid, describedBy }: PlainValueProps) {
  const common = { id, error: invalid, 'aria-describedby': describedBy || undefined };
  if (hint === 'duration' || hint === 'durationMs')
    return (
      <NumberInput
        {...common}
        value={typeof value === 'number' ? value : ''}
        onChange={(v) => onChange(typeof v === 'number' ? v : undefined)}
        min={0}
        rightSection={<span>{hint === 'duration' ? 's' : 'ms'}</span>}
        rightSectionPointerEvents="none"
      />
    );
  if (hint === 'queue') return <QueueSelect {...common} value={typeof value === 'string' ? value : ''} onChange={onChange} />;
  return (
    <TextInput
      {...common}
      value={typeof value === 'string' ? value : ''}
      placeholder={hint === 'dateTime' ? '2026-11-22T14:30:00Z' : hint === 'phone' ? '+33 1 23 45 67 89' : undefined}
      onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
    />
  );
}

/** A query in a SQL editor: placeholders marked, the engine's query checks as you type, parameter names completed. */
import { useRef } from 'react';
import { CodeField } from '../codemirror/LazyCodeField.tsx';
import type { SqlContext } from '../codemirror/sql.ts';
import { FieldFrame } from './FieldFrame.tsx';
import { useKnownVariables } from './variables.ts';

export interface SqlFieldProps {
  label: string;
  path: string;
  value: string;
  onChange(value: string): void;
  required: boolean;
  description?: string | undefined;
  /** The query's parameter values, to tell which placeholders have none. */
  params: Record<string, unknown> | undefined;
}

export function SqlField({ label, path, value, onChange, required, description, params }: SqlFieldProps) {
  const variables = useKnownVariables();
  const context = useRef<SqlContext>({ params, variables });
  context.current = { params, variables };
  return (
    <FieldFrame label={label} path={path} required={required} description={description} code>
      {({ invalid }) => (
        <CodeField
          label={label}
          text={value}
          onText={onChange}
          extensions={(languages) => languages.sql(() => context.current)}
          lintKey={Object.keys(params ?? {}).join(',')}
          invalid={invalid}
          minLines={4}
          placeholder="select … from … where id = :id"
        />
      )}
    </FieldFrame>
  );
}

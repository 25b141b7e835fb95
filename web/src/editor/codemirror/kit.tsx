/** Everything that needs CodeMirror, in one chunk that LazyCodeField loads on first use. */
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import type { Extension } from '@codemirror/state';
import { useState } from 'react';
import { CodeField, type CodeFieldProps } from './CodeField.tsx';
import { expressionExtensions } from './expression.ts';
import { sqlExtensions } from './sql.ts';

/** The languages a field can be made with. */
export const LANGUAGES = {
  sql: sqlExtensions,
  expression: expressionExtensions,
  /** Plain PostgreSQL highlighting, for SQL that has no placeholders to check (a test run's setup). */
  postgres: (): Extension[] => [sql({ dialect: PostgreSQL })],
};

export interface LoadedCodeFieldProps extends Omit<CodeFieldProps, 'extensions'> {
  /** Makes the language, linter and completion; called once, when the editor is made. */
  extensions(languages: typeof LANGUAGES): Extension[];
}

export function LoadedCodeField({ extensions, ...props }: LoadedCodeFieldProps) {
  const [made] = useState(() => extensions(LANGUAGES));
  return <CodeField {...props} extensions={made} />;
}

/**
 * Named values as expressions (a query's parameters, a child scenario's
 * inputs, columns to set): one row per name. For a query, the placeholders
 * that have no value yet can be added in one click.
 */
import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { findPlaceholders, formatPath } from '@tellflow/engine';
import { useState } from 'react';
import type { Path } from './doc-edit.ts';
import { ExpressionCode } from './ExpressionInput.tsx';
import { FieldFrame, IssueList } from './FieldFrame.tsx';
import { useFieldIssues } from './field-issues.tsx';
import { useSetField } from './node-context.tsx';
import classes from './properties.module.css';
import { useKnownVariables } from './variables.ts';

export interface NamedExpressionsProps {
  label: string;
  path: Path;
  hint: 'sqlParams' | 'expressionMap';
  value: Record<string, unknown> | undefined;
  required: boolean;
  description?: string | undefined;
  /** For query parameters: the query, whose placeholders need values. */
  query?: string | undefined;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function NamedExpressions({ label, path, hint, value, required, description, query }: NamedExpressionsProps) {
  const set = useSetField();
  const variables = useKnownVariables();
  const entries = Object.entries(value ?? {});
  const setAll = (next: [string, unknown][]) => set(path, next.length === 0 && !required ? undefined : Object.fromEntries(next), true);
  const used = query !== undefined ? [...new Set(findPlaceholders(query).map((p) => p.name))] : [];
  const missing = used.filter((name) => !value || !Object.hasOwn(value, name));
  const known = new Set(variables.map((v) => v.name));
  const fresh = () => {
    for (let i = entries.length + 1; ; i++) if (!value || !Object.hasOwn(value, `name${i}`)) return `name${i}`;
  };
  return (
    <FieldFrame label={label} path={formatPath(path)} required={required} description={description} whole={false}>
      {() => (
        <Stack gap={6}>
          {entries.length === 0 && (
            <Text size="xs" c="dimmed">
              {hint === 'sqlParams' ? 'No parameters.' : 'None.'}
            </Text>
          )}
          {entries.map(([name, expression], i) => (
            <NamedRow
              // biome-ignore lint/suspicious/noArrayIndexKey: a row keeps its place while its name is retyped.
              key={i}
              name={name}
              others={entries.filter((_, k) => k !== i).map(([n]) => n)}
              expression={expression}
              path={[...path, name]}
              unused={query !== undefined && !used.includes(name)}
              onRename={(to) => setAll(entries.map((e, k) => (k === i ? [to, e[1]] : e)))}
              onRemove={() => setAll(entries.filter((_, k) => k !== i))}
            />
          ))}
          <Group gap={6}>
            <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setAll([...entries, [fresh(), '']])}>
              Add {hint === 'sqlParams' ? 'parameter' : 'value'}
            </Button>
            {missing.length > 0 && (
              <Button
                size="xs"
                variant="filled"
                color="violet"
                onClick={() => setAll([...entries, ...missing.map((n): [string, unknown] => [n, known.has(n) ? { var: n } : ''])])}
              >
                Add {missing.map((n) => `:${n}`).join(', ')}
              </Button>
            )}
          </Group>
        </Stack>
      )}
    </FieldFrame>
  );
}

interface NamedRowProps {
  name: string;
  others: string[];
  expression: unknown;
  path: Path;
  unused: boolean;
  onRename(to: string): void;
  onRemove(): void;
}

function NamedRow({ name, others, expression, path, unused, onRename, onRemove }: NamedRowProps) {
  const set = useSetField();
  const [draft, setDraft] = useState(name);
  const issues = useFieldIssues(formatPath(path), true);
  const shown = draft === name || !IDENTIFIER.test(draft) || others.includes(draft) ? draft : name;
  const problem = !IDENTIFIER.test(shown)
    ? 'a name starts with a letter or "_" and has only letters, digits and "_"'
    : others.includes(shown)
      ? `"${shown}" is already given`
      : null;
  return (
    <div className={classes.item} data-field-path={formatPath(path)}>
      <Group gap={6} wrap="nowrap" align="flex-start" mb={6}>
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          ff="monospace"
          aria-label="Name"
          value={shown}
          error={problem ?? undefined}
          onChange={(e) => {
            const to = e.currentTarget.value;
            setDraft(to);
            if (IDENTIFIER.test(to) && !others.includes(to)) onRename(to);
          }}
        />
        <ActionIcon size="md" variant="subtle" color="red" aria-label={`Remove ${name}`} onClick={onRemove}>
          <IconTrash size={14} />
        </ActionIcon>
      </Group>
      <ExpressionCode label={`Value of ${name}`} value={expression} onChange={(v) => set(path, v ?? '')} invalid={issues.some((i) => i.severity === 'error')} />
      {unused && (
        <Text size="xs" c="dimmed" mt={4}>
          Not used in the query.
        </Text>
      )}
      <IssueList issues={issues} />
    </div>
  );
}

import { Group, Input, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleX } from '@tabler/icons-react';
import { type ReactNode, useId } from 'react';
import { type FieldIssue, useFieldIssues } from './field-issues.tsx';
import classes from './properties.module.css';

export interface FieldFrameProps {
  label: string;
  /** The field's path inside the node (`params.query`): its issues and the target of "jump to problem". */
  path: string;
  required?: boolean;
  description?: string | undefined;
  /** Whether issues inside the field (deeper paths) are shown here too: fields edited as one piece. */
  whole?: boolean;
  /** Next to the label: a mode switch, a link. */
  aside?: ReactNode;
  /** The control is a code editor, not a native input: the label focuses it on click instead of `for`. */
  code?: boolean;
  /** The field has no value: the schema's bare "Invalid input" for it means it is required. */
  missing?: boolean;
  children: (control: { id: string; invalid: boolean; describedBy: string }) => ReactNode;
}

/** A field's label (required marked), help text, control, and the engine's issues about it (red errors, yellow warnings). */
export function FieldFrame({ label, path, required, description, whole = true, aside, code, missing, children }: FieldFrameProps) {
  const id = useId();
  const found = useFieldIssues(path, whole);
  const issues = missing ? found.map((i) => (i.path === path && i.message.startsWith('Invalid input') ? { ...i, message: `${label} is required` } : i)) : found;
  const invalid = issues.some((i) => i.severity === 'error');
  return (
    <div className={classes.field} data-field-path={path}>
      <Group justify="space-between" gap={6} wrap="nowrap" mb={2}>
        <Input.Label
          htmlFor={code ? undefined : id}
          required={required}
          id={`${id}-label`}
          className={classes.label}
          onClick={code ? (e) => focusCodeIn(e.currentTarget) : undefined}
        >
          {label}
        </Input.Label>
        {aside}
      </Group>
      {description && (
        <Text size="xs" c="dimmed" mb={4} id={`${id}-help`} className={classes.help}>
          {plainMarkdown(description)}
        </Text>
      )}
      {children({ id, invalid, describedBy: description ? `${id}-help` : '' })}
      <IssueList issues={issues} />
    </div>
  );
}

export function IssueList({ issues }: { issues: FieldIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul className={classes.issues}>
      {issues.map((i) => (
        <li key={`${i.path}|${i.message}`} data-severity={i.severity} className={classes.issue}>
          {i.severity === 'error' ? (
            <IconCircleX size={14} color="var(--mantine-color-red-7)" aria-label="Error" />
          ) : (
            <IconAlertTriangle size={14} color="var(--mantine-color-yellow-7)" aria-label="Warning" />
          )}
          <span>{i.message}</span>
        </li>
      ))}
    </ul>
  );
}

/** Catalogue descriptions use `code` quotes: shown as plain text, quotes dropped. */
export function plainMarkdown(text: string): string {
  return text.replace(/`([^`]*)`/g, '$1');
}

function focusCodeIn(label: HTMLElement) {
  label.closest('[data-field-path]')?.querySelector<HTMLElement>('.cm-content')?.focus();
}

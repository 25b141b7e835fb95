/**
 * The form designer of the `formFields` hint (a showForm's fields): one card
 * per field (label, variable, type, required, read-only, default from a
 * variable, choices) with add, remove and reorder, and a live preview of the
 * form as the operator will see it.
 */
import { ActionIcon, Badge, Button, Checkbox, Collapse, Group, Select, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconChevronRight, IconPlus, IconTrash } from '@tabler/icons-react';
import { formatPath } from '@tellflow/engine';
import { useEffect, useId, useState } from 'react';
import { usePanels } from '../panels/panel-state.ts';
import { moveItem, type Path } from '../properties/doc-edit.ts';
import { FieldFrame, IssueList } from '../properties/FieldFrame.tsx';
import { useFieldIssues, useHasIssuesWithin } from '../properties/field-issues.tsx';
import { useNodeFields, useSetField } from '../properties/node-context.tsx';
import { SchemaField } from '../properties/SchemaField.tsx';
import { type JsonSchema, resolve } from '../properties/schema.ts';
import { FIELD_TYPE_OPTIONS, fieldTypeName } from './field-types.ts';
import classes from './forms.module.css';
import { type DesignedField, FormPreview } from './FormPreview.tsx';

export interface FormDesignerProps {
  path: Path;
  schema: JsonSchema;
  value: unknown[];
  description?: string | undefined;
  /** The form's title and description (siblings of the fields), for the preview. */
  title: unknown;
  formDescription: unknown;
}

export function FormDesigner({ path, schema, value, title, formDescription }: FormDesignerProps) {
  const { root } = useNodeFields();
  const set = useSetField();
  const at = formatPath(path);
  const issues = useFieldIssues(at, false);
  const item = resolve(schema.items ?? {}, root);
  const fields = value as DesignedField[];
  const [open, setOpen] = useState<Set<number>>(() => new Set(fields.length <= 2 ? fields.map((_, i) => i) : []));
  const toggle = (i: number, to?: boolean) =>
    setOpen((s) => {
      const next = new Set(s);
      if (to ?? !next.has(i)) next.add(i);
      else next.delete(i);
      return next;
    });

  // A click on a problem inside a field opens that field's card.
  const focus = usePanels((s) => s.focus);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `toggle` only sets state; the request is what matters.
  useEffect(() => {
    const m = focus ? new RegExp(`^${at.replace(/[.[\]]/g, '\\$&')}\\[(\\d+)\\]`).exec(focus.path) : null;
    if (m) toggle(Number(m[1]), true);
  }, [focus, at]);

  const setList = (next: unknown[]) => set(path, next, true);
  const add = () => {
    const taken = new Set(fields.map((f) => f.name));
    let n = fields.length + 1;
    while (taken.has(`field${n}`)) n++;
    setList([...fields, { name: `field${n}`, label: `Field ${n}`, type: 'text' }]);
    toggle(fields.length, true);
  };
  const move = (from: number, to: number) => {
    setList(moveItem(fields, from, to));
    setOpen((s) => new Set([...s].map((i) => (i === from ? to : i === to ? from : i))));
  };

  return (
    <Stack gap="sm" data-field-path={at}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          Form fields
          <Text span c="red.7" aria-hidden>
            {' '}
            *
          </Text>
        </Text>
        <Text size="xs" c="dimmed">
          {fields.length} {fields.length === 1 ? 'field' : 'fields'}
        </Text>
      </Group>
      <IssueList issues={issues} />
      <Stack gap={6}>
        {fields.map((f, i) => (
          <FieldCard
            // biome-ignore lint/suspicious/noArrayIndexKey: a field keeps its card while its name is retyped; reorder moves the open state along.
            key={i}
            index={i}
            count={fields.length}
            field={f}
            item={item}
            path={[...path, i]}
            open={open.has(i)}
            onToggle={() => toggle(i)}
            onMove={(to) => move(i, to)}
            onRemove={() => setList(fields.filter((_, k) => k !== i))}
          />
        ))}
      </Stack>
      <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={add} w="fit-content">
        Add field
      </Button>
      <div className={classes.previewFrame}>
        <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb={6}>
          Live preview — as the operator sees it
        </Text>
        <FormPreview
          title={typeof title === 'string' ? title : ''}
          {...(typeof formDescription === 'string' ? { description: formDescription } : {})}
          fields={fields}
        />
      </div>
    </Stack>
  );
}

interface FieldCardProps {
  index: number;
  count: number;
  field: DesignedField;
  item: JsonSchema;
  path: Path;
  open: boolean;
  onToggle(): void;
  onMove(to: number): void;
  onRemove(): void;
}

function FieldCard({ index, count, field, item, path, open, onToggle, onMove, onRemove }: FieldCardProps) {
  const set = useSetField();
  const bodyId = useId();
  const at = formatPath(path);
  const troubled = useHasIssuesWithin(at);
  const ownIssues = useFieldIssues(at, false);
  const label = typeof field.label === 'string' && field.label ? field.label : `Field ${index + 1}`;
  const props = item.properties ?? {};
  const required = new Set(item.required ?? []);
  const sub = (key: string) =>
    props[key] ? (
      <SchemaField
        name={key}
        schema={props[key]}
        path={[...path, key]}
        value={(field as Record<string, unknown>)[key]}
        required={required.has(key)}
        parent={field as Record<string, unknown>}
      />
    ) : null;
  const setType = (type: string) => {
    const { options, ...rest } = field as Record<string, unknown>;
    const next =
      type === 'select'
        ? {
            ...rest,
            type,
            options: Array.isArray(options)
              ? options
              : [
                  { value: 'yes', label: 'Yes' },
                  { value: 'no', label: 'No' },
                ],
          }
        : { ...rest, type };
    set(path, next, true);
  };
  return (
    <section className={classes.card} data-invalid={troubled || undefined} aria-label={`Form field ${label}`} data-field-path={at}>
      <div className={classes.cardHead}>
        <UnstyledButton className={classes.toggle} onClick={onToggle} aria-expanded={open || troubled} aria-controls={bodyId}>
          <IconChevronRight size={14} style={{ transform: open || troubled ? 'rotate(90deg)' : undefined, transition: 'transform 120ms', flex: 'none' }} />
          <Text size="sm" fw={600} truncate>
            {label}
          </Text>
          <Badge size="xs" variant="light" color="gray" style={{ flex: 'none' }}>
            {fieldTypeName(field.type)}
          </Badge>
          {field.required === true && (
            <Badge size="xs" variant="light" color="blue" style={{ flex: 'none' }}>
              required
            </Badge>
          )}
        </UnstyledButton>
        <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Move ${label} up`} disabled={index === 0} onClick={() => onMove(index - 1)}>
          <IconArrowUp size={14} />
        </ActionIcon>
        <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Move ${label} down`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>
          <IconArrowDown size={14} />
        </ActionIcon>
        <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Remove ${label}`} onClick={onRemove}>
          <IconTrash size={14} />
        </ActionIcon>
      </div>
      <Collapse expanded={open || troubled}>
        <Stack gap="sm" className={classes.cardBody} id={bodyId}>
          <IssueList issues={ownIssues} />
          {sub('label')}
          {sub('name')}
          <FieldFrame label="Type" path={formatPath([...path, 'type'])} required>
            {({ id, invalid }) => (
              <Select
                id={id}
                data={FIELD_TYPE_OPTIONS}
                value={typeof field.type === 'string' ? field.type : null}
                onChange={(v) => v && setType(v)}
                allowDeselect={false}
                error={invalid}
              />
            )}
          </FieldFrame>
          <Group gap="lg">
            <Checkbox
              label="Required"
              checked={field.required === true}
              onChange={(e) => set([...path, 'required'], e.currentTarget.checked || undefined, true)}
            />
            <Checkbox
              label="Read-only"
              checked={field.readOnly === true}
              onChange={(e) => set([...path, 'readOnly'], e.currentTarget.checked || undefined, true)}
            />
          </Group>
          {sub('default')}
          {field.type === 'select' && sub('options')}
        </Stack>
      </Collapse>
    </section>
  );
}

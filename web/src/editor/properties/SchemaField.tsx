/**
 * One field of a node's params, edited the way its JSON Schema and UI hint
 * say (schema.ts decides; this renders). Objects and lists recurse, so any
 * node type's params get a form with no form written for it.
 */
import { ActionIcon, Button, Group, NumberInput, SegmentedControl, Select, Stack, Switch, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { formatPath } from '@tellflow/engine';
import type { ReactNode } from 'react';
import { FormDesigner } from '../forms/FormDesigner.tsx';
import { type Path, moveItem } from './doc-edit.ts';
import { ExpressionCode, ExpressionField } from './ExpressionInput.tsx';
import { FieldFrame, IssueList, plainMarkdown } from './FieldFrame.tsx';
import { useFieldIssues } from './field-issues.tsx';
import { NamedExpressions } from './NamedExpressions.tsx';
import { useNodeFields, useSetField } from './node-context.tsx';
import { QueueSelect, ScenarioSelect, VariableInput } from './pickers.tsx';
import classes from './properties.module.css';
import { emptyValue, fieldKind, type JsonSchema, labelOf, resolve } from './schema.ts';
import { SqlField } from './SqlField.tsx';

export interface SchemaFieldProps {
  name: string;
  schema: JsonSchema;
  /** Where the value is in the node, e.g. `['params', 'cases', 0, 'when']`. */
  path: Path;
  value: unknown;
  required: boolean;
  /** The object this field belongs to (a query's `params` reads the query beside it). */
  parent?: Record<string, unknown> | undefined;
}

/** Descriptions every field of a kind carries (the placeholder says as much): not repeated under each field. */
const GENERIC_DESCRIPTIONS = new Set(['Any JSON value.', 'A json-logic expression (https://jsonlogic.com) or a literal value.']);

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export function SchemaField({ name, schema, path, value, required, parent }: SchemaFieldProps) {
  const { root } = useNodeFields();
  const set = useSetField();
  const s = resolve(schema, root);
  const kind = fieldKind(s, root);
  const label = labelOf(name, s);
  const at = formatPath(path);
  const description = s.description && !GENERIC_DESCRIPTIONS.has(s.description) ? plainMarkdown(s.description) : undefined;
  const change = (v: unknown) => set(path, v);
  const frame = (control: (c: { id: string; invalid: boolean; describedBy: string }) => ReactNode, code = false) => (
    <FieldFrame label={label} path={at} required={required} description={description} code={code} missing={value === undefined}>
      {control}
    </FieldFrame>
  );
  const text = typeof value === 'string' ? value : '';
  const setText = (v: string) => change(v === '' && !required ? undefined : v);

  switch (kind.kind) {
    case 'expression':
      return <ExpressionField label={label} path={at} hint={kind.hint} value={value} onChange={change} required={required} description={description} />;
    case 'sql':
      return (
        <SqlField label={label} path={at} value={text} onChange={setText} required={required} description={description} params={asRecord(parent?.params)} />
      );
    case 'namedExpressions':
      return (
        <NamedExpressions
          label={label}
          path={path}
          hint={kind.hint}
          value={asRecord(value)}
          required={required}
          description={description}
          query={typeof parent?.query === 'string' ? parent.query : undefined}
        />
      );
    case 'formFields':
      return (
        <FormDesigner
          path={path}
          schema={s}
          value={Array.isArray(value) ? value : []}
          description={description}
          title={parent?.title}
          formDescription={parent?.description}
        />
      );
    case 'json':
      return frame(({ invalid }) => <ExpressionCode label={label} value={value} onChange={change} invalid={invalid} jsonOnly />, true);
    case 'scenarioRef':
      return frame(({ id, invalid, describedBy }) => (
        <ScenarioSelect id={id} value={text} onChange={(v) => change(v)} error={invalid} required={required} aria-describedby={describedBy || undefined} />
      ));
    case 'variable':
      return frame(({ id, invalid, describedBy }) => (
        <VariableInput id={id} value={text} onChange={(v) => change(v)} error={invalid} required={required} aria-describedby={describedBy || undefined} />
      ));
    case 'queue':
      return frame(({ id, invalid, describedBy }) => (
        <QueueSelect id={id} value={text} onChange={(v) => change(v)} error={invalid} aria-describedby={describedBy || undefined} />
      ));
    case 'multiline':
      return frame(({ id, invalid, describedBy }) => (
        <Textarea
          id={id}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={invalid}
          autosize
          minRows={2}
          maxRows={8}
          aria-describedby={describedBy || undefined}
        />
      ));
    case 'text':
      return frame(({ id, invalid, describedBy }) => (
        <TextInput
          id={id}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={invalid}
          ff={s.pattern ? 'monospace' : undefined}
          aria-describedby={describedBy || undefined}
        />
      ));
    case 'number':
      return frame(({ id, invalid, describedBy }) => (
        <NumberInput
          id={id}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => change(typeof v === 'number' ? v : required ? 0 : undefined)}
          error={invalid}
          min={s.minimum ?? s.exclusiveMinimum}
          max={s.maximum ?? s.exclusiveMaximum}
          allowDecimal={!kind.integer}
          rightSection={kind.unit ? <span>{kind.unit === 'seconds' ? 's' : 'ms'}</span> : undefined}
          rightSectionPointerEvents="none"
          aria-describedby={describedBy || undefined}
        />
      ));
    case 'boolean':
      return frame(({ id, describedBy }) =>
        required ? (
          <Switch id={id} checked={value === true} onChange={(e) => change(e.currentTarget.checked)} aria-describedby={describedBy || undefined} />
        ) : (
          <SegmentedControl
            id={id}
            size="xs"
            aria-label={label}
            value={value === true ? 'yes' : value === false ? 'no' : 'default'}
            onChange={(v) => change(v === 'yes' ? true : v === 'no' ? false : undefined)}
            data={[
              { value: 'default', label: 'Default' },
              { value: 'yes', label: 'Yes' },
              { value: 'no', label: 'No' },
            ]}
          />
        ),
      );
    case 'enum':
      return frame(({ id, invalid, describedBy }) => (
        <Select
          id={id}
          data={kind.values}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => change(v ?? undefined)}
          clearable={!required}
          placeholder={required ? 'Choose' : 'Default'}
          error={invalid}
          allowDeselect={false}
          aria-describedby={describedBy || undefined}
        />
      ));
    case 'list':
      return <ListField label={label} schema={s} path={path} value={Array.isArray(value) ? value : []} required={required} description={description} />;
    case 'object':
      return <ObjectField label={label} schema={s} path={path} value={asRecord(value)} required={required} description={description} />;
    case 'choice':
      return <ChoiceField label={label} options={kind.options} path={path} value={value} required={required} description={description} />;
  }
}

/** The properties of an object schema, in the schema's order. */
export function ObjectFields({ schema, path, value }: { schema: JsonSchema; path: Path; value: Record<string, unknown> | undefined }) {
  const required = new Set(schema.required ?? []);
  return (
    <Stack gap="sm">
      {Object.entries(schema.properties ?? {}).map(([key, prop]) => (
        <SchemaField key={key} name={key} schema={prop} path={[...path, key]} value={value?.[key]} required={required.has(key)} parent={value} />
      ))}
    </Stack>
  );
}

interface GroupProps {
  label: string;
  schema: JsonSchema;
  path: Path;
  required: boolean;
  description?: string | undefined;
}

/** A nested object: its fields in a box; an optional one can be added and removed. */
function ObjectField({ label, schema, path, value, required, description }: GroupProps & { value: Record<string, unknown> | undefined }) {
  const { root } = useNodeFields();
  const set = useSetField();
  const at = formatPath(path);
  const issues = useFieldIssues(at, false);
  if (!value && !required)
    return (
      <div data-field-path={at}>
        <Text size="sm" fw={600}>
          {label}
        </Text>
        {description && (
          <Text size="xs" c="dimmed" mb={4}>
            {description}
          </Text>
        )}
        <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => set(path, emptyValue(schema, root), true)}>
          Add {label.toLowerCase()}
        </Button>
      </div>
    );
  return (
    <fieldset className={classes.group} data-field-path={at}>
      <Group justify="space-between" mb={4}>
        <Text component="legend" size="sm" fw={600} p={0}>
          {label}
        </Text>
        {!required && (
          <Tooltip label={`Remove ${label.toLowerCase()}`}>
            <ActionIcon variant="subtle" color="gray" aria-label={`Remove ${label.toLowerCase()}`} onClick={() => set(path, undefined, true)}>
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      {description && (
        <Text size="xs" c="dimmed" mb="xs">
          {description}
        </Text>
      )}
      <IssueList issues={issues} />
      <ObjectFields schema={schema} path={path} value={value} />
    </fieldset>
  );
}

/** A list of objects: one box per item, with add, remove and reorder. */
function ListField({ label, schema, path, value, required, description }: GroupProps & { value: unknown[] }) {
  const { root } = useNodeFields();
  const set = useSetField();
  const at = formatPath(path);
  const issues = useFieldIssues(at, false);
  const item = resolve(schema.items ?? {}, root);
  const noun = label.endsWith('s') ? label.slice(0, -1).toLowerCase() : 'item';
  const setList = (next: unknown[]) => set(path, next.length === 0 && !required ? undefined : next, true);
  return (
    <div data-field-path={at}>
      <Group justify="space-between" mb={2}>
        <Text size="sm" fw={600}>
          {label}
          {required && (
            <Text span c="red.7" aria-hidden>
              {' '}
              *
            </Text>
          )}
        </Text>
        <Text size="xs" c="dimmed">
          {value.length} {value.length === 1 ? noun : `${noun}s`}
        </Text>
      </Group>
      {description && (
        <Text size="xs" c="dimmed" mb={6}>
          {description}
        </Text>
      )}
      <IssueList issues={issues} />
      <Stack gap={8} mt={4}>
        {value.map((entry, i) => {
          const title = itemTitle(entry, i);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: items have no identity of their own; the index is their place in the list.
            <section key={i} className={classes.item} aria-label={`${label} ${title}`}>
              <div className={classes.itemHead}>
                <Text size="xs" fw={700} c="dimmed" ff="monospace" truncate>
                  {title}
                </Text>
                <Group gap={2} wrap="nowrap">
                  <ActionIcon
                    size="sm"
                    variant="subtle"
                    color="gray"
                    aria-label={`Move ${title} up`}
                    disabled={i === 0}
                    onClick={() => setList(moveItem(value, i, i - 1))}
                  >
                    <IconArrowUp size={14} />
                  </ActionIcon>
                  <ActionIcon
                    size="sm"
                    variant="subtle"
                    color="gray"
                    aria-label={`Move ${title} down`}
                    disabled={i === value.length - 1}
                    onClick={() => setList(moveItem(value, i, i + 1))}
                  >
                    <IconArrowDown size={14} />
                  </ActionIcon>
                  <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Remove ${title}`} onClick={() => setList(value.filter((_, k) => k !== i))}>
                    <IconTrash size={14} />
                  </ActionIcon>
                </Group>
              </div>
              <ObjectFields schema={item} path={[...path, i]} value={asRecord(entry)} />
            </section>
          );
        })}
      </Stack>
      <Button mt={8} size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setList([...value, emptyValue(item, root, value)])}>
        Add {noun}
      </Button>
    </div>
  );
}

function itemTitle(entry: unknown, index: number): string {
  const name = asRecord(entry)?.name;
  return typeof name === 'string' && name !== '' ? name : `#${index + 1}`;
}

/** `anyOf`/`oneOf`: choose the kind of value, then edit it. */
function ChoiceField({ label, options, path, value, required, description }: Omit<GroupProps, 'schema'> & { options: JsonSchema[]; value: unknown }) {
  const { root } = useNodeFields();
  const set = useSetField();
  const resolved = options.map((o) => resolve(o, root));
  const names = resolved.map((o, i) => o.title ?? (typeof o.type === 'string' ? o.type : `option ${i + 1}`));
  const current = Math.max(
    0,
    resolved.findIndex((o) => matches(o, value)),
  );
  return (
    <FieldFrame label={label} path={formatPath(path)} required={required} description={description} whole={false}>
      {() => (
        <Stack gap={6}>
          <SegmentedControl
            size="xs"
            aria-label={`Kind of ${label}`}
            value={String(current)}
            onChange={(v) => set(path, emptyValue(options[Number(v)]!, root), true)}
            data={names.map((n, i) => ({ value: String(i), label: n }))}
          />
          <SchemaField name={label} schema={options[current]!} path={path} value={value} required={required} />
        </Stack>
      )}
    </FieldFrame>
  );
}

function matches(s: JsonSchema, value: unknown): boolean {
  if (s.const !== undefined) return s.const === value;
  switch (s.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
    case 'integer':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return asRecord(value) !== undefined;
    case 'null':
      return value === null;
    default:
      return false;
  }
}

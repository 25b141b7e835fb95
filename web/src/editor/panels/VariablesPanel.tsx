/**
 * The scenario's variables: its declarations (name, type, default,
 * description) and the start node's inputs (what a caller passes in), each
 * edited in a table; and, for reference, what the nodes set.
 */
import { ActionIcon, Badge, Button, Checkbox, Group, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { type Issue, VariableType } from '@tellflow/engine';
import { useState } from 'react';
import { expressionText, parseExpressionText } from '../codemirror/expression-text.ts';
import { setNodeField } from '../properties/doc-edit.ts';
import { IssueList } from '../properties/FieldFrame.tsx';
import { useKnownVariables } from '../properties/variables.ts';
import { type Doc, useEditor } from '../store.ts';
import { pathInNode } from './panel-state.ts';
import classes from './panels.module.css';

interface VariableRow {
  name: string;
  type?: string;
  required?: boolean;
  default?: unknown;
  description?: string;
}

const TYPES = VariableType.options;
/** The type select's entry for "no type given". */
const ANY = '(any)';

export function VariablesPanel({ issues }: { issues: Issue[] }) {
  const doc = useEditor((s) => s.doc)!;
  const apply = useEditor((s) => s.apply);
  const known = useKnownVariables();
  const startIndex = doc.nodes.findIndex((n) => n.type === 'start');
  const start = doc.nodes[startIndex];
  const inputs = ((start?.params as { inputs?: VariableRow[] } | undefined)?.inputs ?? []) as VariableRow[];
  const set = (recipe: (d: Doc) => Doc, merge?: string) => apply(recipe, merge ? { merge } : undefined);
  const setDeclared = (rows: VariableRow[], merge?: string) =>
    set(({ variables: _, ...d }) => (rows.length ? ({ ...d, variables: rows } as Doc) : (d as Doc)), merge);
  const setInputs = (rows: VariableRow[], merge?: string) =>
    start && set((d) => setNodeField(d, start.id, ['params', 'inputs'], rows.length ? rows : undefined), merge);
  const written = known.filter((v) => v.source.startsWith('set by') || v.source === 'built-in');
  return (
    <Stack gap="lg">
      <VariableTable
        title="Scenario variables"
        help="Declared with a type and a starting value; any node may read or set them."
        rows={(doc.variables ?? []) as VariableRow[]}
        onChange={setDeclared}
        issues={issues.filter((i) => !i.nodeId && i.path.startsWith('variables'))}
        issuePath={(i) => `variables[${i}]`}
        noun="variable"
      />
      {start && (
        <VariableTable
          title="Inputs"
          help={`Passed in by whoever starts the scenario (the start node "${start.id}").`}
          rows={inputs}
          onChange={setInputs}
          withRequired
          issues={issues.filter((i) => i.nodeId === start.id).map((i) => ({ ...i, path: pathInNode(i.path, startIndex) }))}
          issuePath={(i) => `params.inputs[${i}]`}
          noun="input"
        />
      )}
      <div>
        <Title order={3} fz="sm" mb={4}>
          Set by nodes
        </Title>
        <Text size="xs" c="dimmed" mb={6}>
          Variables the nodes write (their “into”, form fields, assignments), and the built-in ones.
        </Text>
        <Group gap={6}>
          {written.map((v) => (
            <Badge key={v.name} variant="light" color={v.source === 'built-in' ? 'gray' : 'indigo'} tt="none" title={v.source}>
              {v.name}{' '}
              <Text span size="xs" c="dimmed" fw={400}>
                · {v.source}
              </Text>
            </Badge>
          ))}
        </Group>
      </div>
    </Stack>
  );
}

interface VariableTableProps {
  title: string;
  help: string;
  rows: VariableRow[];
  onChange(rows: VariableRow[], merge?: string): void;
  withRequired?: boolean;
  issues: Issue[];
  issuePath(index: number): string;
  noun: string;
}

function VariableTable({ title, help, rows, onChange, withRequired, issues, issuePath, noun }: VariableTableProps) {
  const update = (i: number, patch: Partial<VariableRow>, merge?: string) =>
    onChange(
      rows.map((r, k) => {
        if (k !== i) return r;
        const next: Record<string, unknown> = { ...r, ...patch };
        for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
        return next as unknown as VariableRow;
      }),
      merge,
    );
  const add = () => {
    const taken = new Set(rows.map((r) => r.name));
    let n = rows.length + 1;
    while (taken.has(`${noun}${n}`)) n++;
    onChange([...rows, { name: `${noun}${n}`, type: 'string' }]);
  };
  return (
    <section aria-label={title}>
      <Title order={3} fz="sm" mb={2}>
        {title}
      </Title>
      <Text size="xs" c="dimmed" mb={6}>
        {help}
      </Text>
      {rows.length > 0 && (
        <Table className={classes.variables} verticalSpacing={4} horizontalSpacing={4} withRowBorders={false}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th w={104}>Type</Table.Th>
              <Table.Th>Default</Table.Th>
              <Table.Th w={30}>
                <VisuallyHidden>Remove</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          {rows.map((row, i) => {
            const prefix = issuePath(i);
            const rowIssues = issues
              .filter((x) => x.path === prefix || x.path.startsWith(`${prefix}.`) || x.path.startsWith(`${prefix}[`))
              .map((x) => ({ path: x.path, severity: x.severity, message: `${x.path.slice(prefix.length + 1) || noun}: ${x.message}` }));
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows keep their place while a name is retyped.
              <Table.Tbody key={i} className={classes.variableRow} data-field-path={prefix}>
                <Table.Tr>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      ff="monospace"
                      aria-label={`Name of ${noun} ${i + 1}`}
                      value={row.name}
                      onChange={(e) => update(i, { name: e.currentTarget.value }, `${title}|${i}|name`)}
                      error={rowIssues.some((x) => x.path.startsWith(`${prefix}.name`))}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      aria-label={`Type of ${row.name}`}
                      data={[{ value: ANY, label: 'any' }, ...TYPES]}
                      value={row.type ?? ANY}
                      allowDeselect={false}
                      onChange={(v) => update(i, { type: v && v !== ANY ? v : undefined })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <DefaultInput label={`Default of ${row.name}`} value={row.default} onChange={(v) => update(i, { default: v }, `${title}|${i}|default`)} />
                  </Table.Td>
                  <Table.Td>
                    <ActionIcon variant="subtle" color="red" aria-label={`Remove ${row.name}`} onClick={() => onChange(rows.filter((_, k) => k !== i))}>
                      <IconTrash size={14} />
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td colSpan={4} pt={0}>
                    <Group gap="xs" wrap="nowrap">
                      <TextInput
                        size="xs"
                        style={{ flex: 1 }}
                        aria-label={`Description of ${row.name}`}
                        placeholder="Description"
                        value={row.description ?? ''}
                        onChange={(e) => update(i, { description: e.currentTarget.value || undefined }, `${title}|${i}|description`)}
                      />
                      {withRequired && (
                        <Checkbox
                          size="xs"
                          label="Required"
                          checked={row.required === true}
                          onChange={(e) => update(i, { required: e.currentTarget.checked || undefined })}
                        />
                      )}
                    </Group>
                    <IssueList issues={rowIssues} />
                  </Table.Td>
                </Table.Tr>
              </Table.Tbody>
            );
          })}
        </Table>
      )}
      <Button size="xs" variant="light" mt={6} leftSection={<IconPlus size={14} />} onClick={add}>
        Add {noun}
      </Button>
    </section>
  );
}

/** A literal default: bare text is a string, `42` a number, JSON for the rest; text that is not a value yet stays here. */
function DefaultInput({ label, value, onChange }: { label: string; value: unknown; onChange(v: unknown): void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? expressionText(value);
  const parsed = parseExpressionText(text);
  return (
    <TextInput
      size="xs"
      ff="monospace"
      aria-label={label}
      placeholder="none"
      value={text}
      error={parsed.ok ? undefined : 'not valid JSON'}
      onChange={(e) => {
        const next = e.currentTarget.value;
        const p = parseExpressionText(next);
        setDraft(p.ok ? null : next);
        if (p.ok) onChange(p.value);
      }}
    />
  );
}

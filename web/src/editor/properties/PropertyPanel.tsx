/**
 * The selected node's properties: id (renaming moves its edges), label,
 * description, and its params as a form generated from the catalogue's JSON
 * Schema. The engine's issues show under the fields they name; a click on a
 * problem elsewhere scrolls here and focuses the field.
 */
import { Alert, Badge, Divider, Group, Stack, Text, Textarea, TextInput, ThemeIcon } from '@mantine/core';
import { IconInfoCircle, IconPointer } from '@tabler/icons-react';
import type { Issue, NodeCatalogEntry } from '@tellflow/engine';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CATEGORY_COLORS, NodeIcon } from '../canvas/icons.tsx';
import { pathInNode, usePanels } from '../panels/panel-state.ts';
import { type DocNode, useEditor } from '../store.ts';
import { nodeIdProblem, renameNode, setNodeField } from './doc-edit.ts';
import { ExpressionCode } from './ExpressionInput.tsx';
import { FieldFrame, IssueList } from './FieldFrame.tsx';
import { type FieldIssue, FieldIssuesProvider } from './field-issues.tsx';
import { NodeFieldsProvider } from './node-context.tsx';
import classes from './properties.module.css';
import { ObjectFields } from './SchemaField.tsx';
import type { JsonSchema } from './schema.ts';
import { ScenarioProperties } from './ScenarioProperties.tsx';

export function PropertyPanel({ catalog, issues }: { catalog: Map<string, NodeCatalogEntry>; issues: Issue[] }) {
  const selected = useEditor((s) => s.selectedNodes);
  const node = useEditor((s) => (s.selectedNodes.length === 1 ? s.doc?.nodes.find((n) => n.id === s.selectedNodes[0]) : undefined));
  const index = useEditor((s) => (node ? (s.doc?.nodes.indexOf(node) ?? -1) : -1));
  if (selected.length > 1)
    return (
      <Stack align="center" gap={6} py="xl">
        <Text fw={600}>{selected.length} nodes selected</Text>
        <Text size="sm" c="dimmed">
          Select one node to edit its properties.
        </Text>
      </Stack>
    );
  if (!node)
    return (
      <Stack gap="md">
        <Group gap="sm" wrap="nowrap">
          <ThemeIcon variant="light" color="blue" radius="xl" size={32}>
            <IconPointer size={18} />
          </ThemeIcon>
          <Text size="sm" c="dimmed">
            Select a node on the canvas to edit it. The scenario's own settings:
          </Text>
        </Group>
        <ScenarioProperties />
      </Stack>
    );
  return <NodeProperties key={node.id} node={node} index={index} entry={catalog.get(node.type)} issues={issues} />;
}

function NodeProperties({ node, index, entry, issues }: { node: DocNode; index: number; entry: NodeCatalogEntry | undefined; issues: Issue[] }) {
  const apply = useEditor((s) => s.apply);
  const panel = useRef<HTMLDivElement>(null);
  const fieldIssues = useMemo<FieldIssue[]>(
    () => issues.filter((i) => i.nodeId === node.id).map((i) => ({ path: pathInNode(i.path, index), severity: i.severity, message: i.message })),
    [issues, node.id, index],
  );
  const elsewhere = fieldIssues.filter((i) => !/^(params|id|label|description)\b/.test(i.path));
  const focus = usePanels((s) => s.focus);
  // A newly selected node's properties start at the top (unless a problem asked for a field).
  useEffect(() => {
    if (!usePanels.getState().focus) panel.current?.closest('[role="tabpanel"]')?.scrollTo(0, 0);
  }, []);
  useEffect(() => {
    if (!focus || focus.nodeId !== node.id) return;
    // After the tab and any collapsed group have opened.
    const timer = setTimeout(() => {
      if (panel.current) focusField(panel.current, focus.path);
      usePanels.setState({ focus: null });
    }, 60);
    return () => clearTimeout(timer);
  }, [focus, node.id]);

  const setField = (key: 'label' | 'description', value: string) =>
    apply((doc) => setNodeField(doc, node.id, [key], value === '' ? undefined : value), { merge: `${node.id}|${key}` });
  const color = CATEGORY_COLORS[entry?.category ?? ''] ?? 'gray';
  const root = (entry?.params ?? {}) as JsonSchema;
  return (
    <FieldIssuesProvider value={fieldIssues}>
      <NodeFieldsProvider value={{ nodeId: node.id, root }}>
        <Stack gap="sm" ref={panel} aria-label={`Properties of ${node.id}`}>
          <div className={classes.header}>
            <ThemeIcon variant="light" color={color} size={36} radius="md">
              <NodeIcon name={entry?.icon} size={20} />
            </ThemeIcon>
            <div style={{ minWidth: 0 }}>
              <Group gap={6}>
                <Text component="h2" fw={700} fz="md" m={0}>
                  {entry?.title ?? node.type}
                </Text>
                <Badge size="xs" variant="light" color={color}>
                  {entry?.category ?? 'unknown'}
                </Badge>
              </Group>
              <Text size="xs" c="dimmed">
                {entry?.description ?? `This server does not know the node type "${node.type}".`}
              </Text>
            </div>
          </div>
          <IssueList issues={elsewhere} />
          <NodeIdField node={node} />
          <FieldFrame label="Label" path="label">
            {({ id }) => <TextInput id={id} value={node.label ?? ''} placeholder={entry?.title} onChange={(e) => setField('label', e.currentTarget.value)} />}
          </FieldFrame>
          <FieldFrame label="Description" path="description">
            {({ id }) => (
              <Textarea
                id={id}
                value={node.description ?? ''}
                autosize
                minRows={1}
                maxRows={5}
                onChange={(e) => setField('description', e.currentTarget.value)}
              />
            )}
          </FieldFrame>
          <Divider label="Parameters" labelPosition="left" mt={4} />
          {entry ? (
            Object.keys(root.properties ?? {}).length ? (
              <ObjectFields schema={root} path={['params']} value={node.params as Record<string, unknown> | undefined} />
            ) : (
              <Text size="sm" c="dimmed">
                This node has no parameters.
              </Text>
            )
          ) : (
            <UnknownParams node={node} />
          )}
        </Stack>
      </NodeFieldsProvider>
    </FieldIssuesProvider>
  );
}

/** The node id: committed when it is a valid, unused id (on Enter or leaving the field); edges follow the rename. */
function NodeIdField({ node }: { node: DocNode }) {
  const apply = useEditor((s) => s.apply);
  const select = useEditor((s) => s.select);
  const doc = useEditor((s) => s.doc)!;
  const [draft, setDraft] = useState(node.id);
  const problem = nodeIdProblem(doc, node.id, draft.trim());
  const commit = () => {
    const to = draft.trim();
    if (problem || to === node.id) return;
    apply((d) => renameNode(d, node.id, to));
    select([to]);
    usePanels.setState({ focus: null });
  };
  return (
    <FieldFrame label="Node id" path="id" required description="Unique in the scenario; edges and test cases refer to it.">
      {({ id, describedBy }) => (
        <TextInput
          id={id}
          ff="monospace"
          value={draft}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setDraft(node.id);
          }}
          error={problem}
          aria-describedby={describedBy || undefined}
        />
      )}
    </FieldFrame>
  );
}

function UnknownParams({ node }: { node: DocNode }) {
  const apply = useEditor((s) => s.apply);
  return (
    <Stack gap="xs">
      <Alert color="yellow" icon={<IconInfoCircle size={16} />} p="xs">
        Without its type's schema the parameters are edited as JSON.
      </Alert>
      <ExpressionCode
        label="Parameters (JSON)"
        value={node.params}
        jsonOnly
        onChange={(v) => apply((doc) => setNodeField(doc, node.id, ['params'], v), { merge: `${node.id}|params` })}
      />
    </Stack>
  );
}

/** Scrolls to the field whose path is the longest prefix of `path` and focuses its first control. */
export function focusField(container: HTMLElement, path: string) {
  let best: HTMLElement | null = null;
  let bestLength = -1;
  for (const el of container.querySelectorAll<HTMLElement>('[data-field-path]')) {
    const p = el.dataset.fieldPath ?? '';
    const covers = path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
    if (covers && p.length > bestLength) {
      best = el;
      bestLength = p.length;
    }
  }
  if (!best) return;
  best.scrollIntoView({ block: 'center' });
  const control = best.querySelector<HTMLElement>('input:not([disabled]):not([type="hidden"]), textarea, .cm-content, button:not([disabled])');
  control?.focus({ preventScroll: true });
  best.dataset.flash = '';
  setTimeout(() => {
    if (best) delete best.dataset.flash;
  }, 1300);
}

/**
 * /scenarios/:id/diff?from=A&to=B — two versions on one canvas, coloured by
 * the engine's diff, with the changes listed beside it field by field.
 * Clicking a change selects its node and brings it into view.
 */
import { ActionIcon, Alert, Badge, Box, Button, Center, Group, Loader, ScrollArea, Select, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconArrowLeft, IconArrowsExchange } from '@tabler/icons-react';
import { diffScenarios } from '@tellflow/engine';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useEffect, useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useCatalog } from '../../shared/catalog.ts';
import { errorText } from '../../shared/errors.ts';
import { Canvas } from '../canvas/Canvas.tsx';
import editorClasses from '../editor.module.css';
import { useEditor } from '../store.ts';
import { useVersionDoc, useVersions } from './data.ts';
import { DiffList } from './DiffList.tsx';
import { labelLookup } from './labels.ts';
import { unionOf } from './union.ts';

export function DiffPage() {
  const { id = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const versions = useVersions(id);
  const catalog = useCatalog();
  const list = versions.data?.versions ?? [];
  const latest = list[0]?.version ?? null;
  const published = versions.data?.publishedVersion ?? null;
  const to = Number(search.get('to')) || latest;
  const from = Number(search.get('from')) || (published !== null && published !== to ? published : list.find((v) => v.version < (to ?? 0))?.version) || null;
  const before = useVersionDoc(id, from);
  const after = useVersionDoc(id, to);
  const diff = useMemo(() => (before.data && after.data ? diffScenarios(before.data, after.data) : null), [before.data, after.data]);

  const error = versions.error ?? catalog.error ?? before.error ?? after.error;
  const choose = (which: 'from' | 'to', value: string | null) => {
    if (!value) return;
    const next = { from: String(from ?? ''), to: String(to ?? ''), [which]: value };
    setSearch(next, { replace: true });
  };
  const options = list.map((v) => ({
    value: String(v.version),
    label: `v${v.version}${v.version === published ? ' (published)' : ''}${v.comment ? ` — ${v.comment}` : ''}`,
  }));
  const name = after.data?.name ?? before.data?.name ?? id;

  return (
    <ReactFlowProvider>
      <div className={editorClasses.editor}>
        <header className={editorClasses.toolbar}>
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Tooltip label="Back to the editor">
              <ActionIcon component={Link} to={`/scenarios/${encodeURIComponent(id)}`} variant="subtle" color="gray" aria-label="Back to the editor">
                <IconArrowLeft size={18} />
              </ActionIcon>
            </Tooltip>
            <Text component="h1" fw={700} fz="lg" m={0} truncate>
              Compare versions of {name}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Select
              aria-label="From version"
              w={230}
              size="sm"
              data={options}
              value={from ? String(from) : null}
              onChange={(v) => choose('from', v)}
              allowDeselect={false}
            />
            <Tooltip label="Swap">
              <ActionIcon
                variant="default"
                aria-label="Swap the versions"
                onClick={() => setSearch({ from: String(to ?? ''), to: String(from ?? '') }, { replace: true })}
                disabled={!from || !to}
              >
                <IconArrowsExchange size={16} />
              </ActionIcon>
            </Tooltip>
            <Select
              aria-label="To version"
              w={230}
              size="sm"
              data={options}
              value={to ? String(to) : null}
              onChange={(v) => choose('to', v)}
              allowDeselect={false}
            />
          </Group>
        </header>
        {error ? (
          <Center h="60vh">
            <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Could not compare the versions" maw={560}>
              {errorText(error)}
            </Alert>
          </Center>
        ) : versions.data && list.length < 2 ? (
          <Center h="60vh">
            <Alert color="blue" title="Nothing to compare yet" maw={560}>
              This scenario has one version. Save a change to compare it with the first.
              <Button component={Link} to={`/scenarios/${encodeURIComponent(id)}`} mt="sm" display="block" variant="light">
                Open the editor
              </Button>
            </Alert>
          </Center>
        ) : !diff || !catalog.data || !before.data || !after.data ? (
          <Center h="60vh">
            <Loader aria-label="Loading the versions" />
          </Center>
        ) : (
          <DiffView before={before.data} after={after.data} diff={diff} catalog={catalog.data} from={from!} to={to!} />
        )}
      </div>
    </ReactFlowProvider>
  );
}

interface DiffViewProps {
  before: Parameters<typeof unionOf>[0];
  after: Parameters<typeof unionOf>[1];
  diff: Parameters<typeof unionOf>[2];
  catalog: NonNullable<ReturnType<typeof useCatalog>['data']>;
  from: number;
  to: number;
}

function DiffView({ before, after, diff, catalog, from, to }: DiffViewProps) {
  const flow = useReactFlow();
  const selected = useEditor((s) => s.selectedNodes);
  const loaded = useEditor((s) => s.doc);
  const union = useMemo(() => unionOf(before, after, diff), [before, after, diff]);

  useEffect(() => {
    const store = useEditor.getState();
    store.load(union.doc, null, { readOnly: true });
    store.setOverlay(union.overlay);
    void flow.fitView({ duration: 0 });
  }, [union, flow]);
  // The store holds this union only while the page is open: the editor loads its own draft.
  useEffect(() => () => useEditor.setState({ scenarioId: null, doc: null, savedDoc: null, overlay: {}, selectedNodes: [], selectedEdges: [] }), []);

  const show = (nodeId: string) => {
    useEditor.getState().select([nodeId]);
    void flow.fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.2 });
  };

  return (
    <div className={editorClasses.body}>
      <main className={editorClasses.canvas} aria-label={`Versions ${from} and ${to} on the canvas`}>
        {loaded === union.doc && <Canvas catalog={catalog} />}
      </main>
      <aside className={editorClasses.side} aria-label="Changes">
        <Group px="md" py="sm" gap={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <Text fw={700} size="sm">
            Changes
          </Text>
          <Badge variant="light" color="gray">
            v{from} → v{to}
          </Badge>
        </Group>
        <ScrollArea style={{ flex: 1 }} type="auto">
          <Box p="md">
            <DiffList diff={diff} labelOf={labelLookup(before, after)} onNode={show} selected={selected.length === 1 ? selected[0] : undefined} />
          </Box>
        </ScrollArea>
      </aside>
    </div>
  );
}

import { Alert, Badge, Center, Group, Loader, Tabs, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { NodeCatalogEntry } from '@tellflow/engine';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import { KIND_COLORS } from '../scenarios/kinds.ts';
import { api } from '../shared/api.ts';
import { useCatalog } from '../shared/catalog.ts';
import { errorText } from '../shared/errors.ts';
import { Canvas } from './canvas/Canvas.tsx';
import { preloadCodeMirror } from './codemirror/LazyCodeField.tsx';
import { CanvasToolbar } from './commands/CanvasToolbar.tsx';
import classes from './editor.module.css';
import { type PanelTab, usePanels } from './panels/panel-state.ts';
import { usePaletteDrop } from './palette/drop.ts';
import { Palette } from './palette/Palette.tsx';
import { ProblemsPanel } from './panels/ProblemsPanel.tsx';
import { VariablesPanel } from './panels/VariablesPanel.tsx';
import { PropertyPanel } from './properties/PropertyPanel.tsx';
import { SaveButton } from './SaveButton.tsx';
import { useDirty, useEditor } from './store.ts';
import { TestRunButton } from './testrun/TestRunButton.tsx';
import { TestRunPanel } from './testrun/TestRunPanel.tsx';
import { TestsPanel } from './testrun/TestsPanel.tsx';
import { useIssues } from './validation.ts';
import { PublishButton } from './versions/PublishButton.tsx';
import { VersionBanner } from './versions/VersionBanner.tsx';
import { VersionsPanel } from './versions/VersionsPanel.tsx';

export function EditorPage() {
  const { id = '' } = useParams();
  const catalog = useCatalog();
  const scenario = useQuery({ queryKey: ['scenario', id], queryFn: () => api.get('/api/scenarios/{id}', { params: { id } }) });
  const load = useEditor((s) => s.load);
  const loadedId = useEditor((s) => s.scenarioId);

  useEffect(() => {
    if (scenario.data) load(scenario.data.document, scenario.data.latestVersion);
  }, [scenario.data, load]);
  useEffect(() => preloadCodeMirror(), []);

  if (scenario.isError || catalog.isError)
    return (
      <Center h="60vh">
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Could not open the scenario" maw={560}>
          {errorText(scenario.error ?? catalog.error)}
        </Alert>
      </Center>
    );
  if (!scenario.data || !catalog.data || loadedId !== id)
    return (
      <Center h="60vh">
        <Loader aria-label="Loading the scenario" />
      </Center>
    );
  return (
    <ReactFlowProvider>
      <div className={classes.editor}>
        <Toolbar catalog={catalog.data} />
        <div className={classes.body}>
          <Palette catalog={catalog.data} />
          <main className={classes.canvas} aria-label="Scenario canvas">
            <DroppableCanvas catalog={catalog.data} />
            <VersionBanner />
          </main>
          <aside className={classes.side} aria-label="Scenario panels">
            <SidePanels catalog={catalog.data} />
          </aside>
        </div>
      </div>
    </ReactFlowProvider>
  );
}

/** The canvas, accepting nodes dragged from the palette. */
function DroppableCanvas({ catalog }: { catalog: Map<string, NodeCatalogEntry> }) {
  const drop = usePaletteDrop(catalog);
  return <Canvas catalog={catalog} flowProps={drop} />;
}

function Toolbar({ catalog }: { catalog: Map<string, NodeCatalogEntry> }) {
  const doc = useEditor((s) => s.doc)!;
  const baseVersion = useEditor((s) => s.baseVersion);
  const dirty = useDirty();
  return (
    <header className={classes.toolbar}>
      {/* The name gives way when the toolbar is narrow; the badges keep their words. */}
      <Group gap="sm" wrap="nowrap" miw={0}>
        <Tooltip label={`Scenario id: ${doc.id}`} openDelay={400}>
          <Text component="h1" fw={700} fz="lg" m={0} miw={80} truncate>
            {doc.name}
          </Text>
        </Tooltip>
        <Badge variant="light" color={KIND_COLORS[doc.kind] ?? 'gray'} className={classes.keep}>
          {doc.kind}
        </Badge>
        {baseVersion !== null && (
          <Tooltip label="The version this draft started from">
            <Badge variant="outline" color="gray" className={classes.keep}>
              v{baseVersion}
            </Badge>
          </Tooltip>
        )}
        {dirty && (
          <Badge color="orange" variant="dot" className={classes.keep}>
            unsaved changes
          </Badge>
        )}
      </Group>
      <Group gap="xs" wrap="nowrap">
        <CanvasToolbar catalog={catalog} />
        <TestRunButton />
        <SaveButton />
        <PublishButton />
      </Group>
    </header>
  );
}

function SidePanels({ catalog }: { catalog: Map<string, NodeCatalogEntry> }) {
  const issues = useIssues();
  const scenarioId = useEditor((s) => s.scenarioId)!;
  const errors = issues.filter((i) => i.severity === 'error').length;
  const tab = usePanels((s) => s.tab);
  const setTab = usePanels((s) => s.setTab);
  // Selecting a node opens its properties.
  const selected = useEditor((s) => (s.selectedNodes.length === 1 ? s.selectedNodes[0] : null));
  useEffect(() => {
    if (selected) usePanels.getState().setTab('properties');
  }, [selected]);
  const testCount = useEditor((s) => s.doc?.tests?.length ?? 0);
  return (
    <Tabs value={tab} onChange={(t) => t && setTab(t as PanelTab)} keepMounted={false} variant="pills" radius="sm" className={classes.tabs}>
      {/* Six panels in a 3 × 2 grid: one row of tabs does not fit the side panel's width. */}
      <Tabs.List className={classes.tabList}>
        <Tabs.Tab value="properties">Properties</Tabs.Tab>
        <Tabs.Tab value="variables">Variables</Tabs.Tab>
        <Tabs.Tab
          value="problems"
          rightSection={
            issues.length ? (
              <Badge size="xs" color={errors ? 'red' : 'yellow'}>
                {issues.length}
              </Badge>
            ) : null
          }
        >
          Problems
        </Tabs.Tab>
        <Tabs.Tab value="versions">Versions</Tabs.Tab>
        <Tabs.Tab value="testrun">Test run</Tabs.Tab>
        <Tabs.Tab
          value="tests"
          rightSection={
            testCount ? (
              <Badge size="xs" color="gray" variant="light">
                {testCount}
              </Badge>
            ) : null
          }
        >
          Tests
        </Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="properties" className={classes.panel}>
        <PropertyPanel catalog={catalog} issues={issues} />
      </Tabs.Panel>
      <Tabs.Panel value="variables" className={classes.panel}>
        <VariablesPanel issues={issues} />
      </Tabs.Panel>
      <Tabs.Panel value="problems" className={classes.panel}>
        <ProblemsPanel issues={issues} />
      </Tabs.Panel>
      <Tabs.Panel value="versions" className={classes.panel}>
        <VersionsPanel scenarioId={scenarioId} />
      </Tabs.Panel>
      <Tabs.Panel value="testrun" className={classes.panel}>
        <TestRunPanel />
      </Tabs.Panel>
      <Tabs.Panel value="tests" className={classes.panel}>
        <TestsPanel />
      </Tabs.Panel>
    </Tabs>
  );
}

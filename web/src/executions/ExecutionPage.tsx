/**
 * /executions/:id — an execution on its own version's canvas (read only)
 * with a replay timeline: step forward and back (buttons, arrow keys, Home,
 * End, or a click in the step list); the canvas marks the node it is at and
 * the path so far; the side panel shows the step's variables and effect.
 */
import { ActionIcon, Alert, Badge, Center, Group, Loader, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconArrowLeft } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import type { ExecutionDetail } from '@tellflow/api';
import type { NodeCatalogEntry, Scenario } from '@tellflow/engine';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Canvas } from '../editor/canvas/Canvas.tsx';
import editorClasses from '../editor/editor.module.css';
import { useEditor } from '../editor/store.ts';
import { useVersionDoc } from '../editor/versions/data.ts';
import { api } from '../shared/api.ts';
import { useCatalog } from '../shared/catalog.ts';
import { errorText } from '../shared/errors.ts';
import { formatDateTime, formatDuration } from '../shared/format.ts';
import { ReplayPanel } from './ReplayPanel.tsx';
import { replaySteps } from './replay.ts';
import { durationMs, StatusBadge } from './status.tsx';

const UNFINISHED = new Set(['running', 'waiting']);

export function ExecutionPage() {
  const { id = '' } = useParams();
  const execution = useQuery({
    queryKey: ['execution', id],
    queryFn: () => api.get('/api/executions/{id}', { params: { id } }),
    // An unfinished execution moves on: look again now and then.
    refetchInterval: (q) => (q.state.data && UNFINISHED.has(q.state.data.status) ? 3000 : false),
  });
  const doc = useVersionDoc(execution.data?.scenarioId ?? '', execution.data?.version);
  const catalog = useCatalog();
  const error = execution.error ?? doc.error ?? catalog.error;

  return (
    <ReactFlowProvider>
      <div className={editorClasses.editor}>
        <header className={editorClasses.toolbar}>
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Tooltip label="All executions">
              <ActionIcon component={Link} to="/executions" variant="subtle" color="gray" aria-label="Back to the executions">
                <IconArrowLeft size={18} />
              </ActionIcon>
            </Tooltip>
            <Text component="h1" fw={700} fz="lg" m={0} truncate>
              {doc.data?.name ?? execution.data?.scenarioId ?? 'Execution'}
            </Text>
            {execution.data && (
              <>
                <Badge variant="outline" color="gray">
                  v{execution.data.version}
                </Badge>
                <StatusBadge status={execution.data.status} />
                <Text size="sm" c="dimmed" ff="monospace" truncate>
                  {execution.data.id}
                </Text>
              </>
            )}
          </Group>
          {execution.data && (
            <Group gap="md" wrap="nowrap">
              <Text size="sm" c="dimmed">
                started {formatDateTime(execution.data.createdAt)} · {formatDuration(durationMs(execution.data))}
                {execution.data.endedAt ? '' : ' so far'}
              </Text>
              <Text component={Link} to={`/scenarios/${encodeURIComponent(execution.data.scenarioId)}`} size="sm" fw={600} c="teal.8">
                Open the scenario
              </Text>
            </Group>
          )}
        </header>
        {error ? (
          <Center h="60vh">
            <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Could not open the execution" maw={560}>
              {errorText(error)}
            </Alert>
          </Center>
        ) : !execution.data || !doc.data || !catalog.data ? (
          <Center h="60vh">
            <Loader aria-label="Loading the execution" />
          </Center>
        ) : (
          <Replay execution={execution.data} doc={doc.data} catalog={catalog.data} />
        )}
      </div>
    </ReactFlowProvider>
  );
}

function Replay({ execution, doc, catalog }: { execution: ExecutionDetail; doc: Scenario; catalog: Map<string, NodeCatalogEntry> }) {
  const flow = useReactFlow();
  const steps = useMemo(() => replaySteps(execution, doc), [execution, doc]);
  const [index, setIndex] = useState(0);
  const at = Math.min(index, Math.max(steps.length - 1, 0));
  const step = steps[at];
  const loaded = useEditor((s) => s.doc);

  useEffect(() => {
    useEditor.getState().load(doc, execution.version, { readOnly: true });
  }, [doc, execution.version]);
  useEffect(() => () => useEditor.setState({ scenarioId: null, doc: null, savedDoc: null, overlay: {}, selectedNodes: [], selectedEdges: [] }), []);
  useEffect(() => {
    useEditor.getState().setOverlay(step ? { current: step.nodeId, path: step.path, pathEdges: step.pathEdges } : {});
  }, [step]);

  const go = (to: number) => {
    const next = Math.max(0, Math.min(steps.length - 1, to));
    setIndex(next);
    const nodeId = steps[next]?.nodeId;
    // Keep the current node in view without jumping around when it already is.
    if (nodeId && !flow.getNodes().some((n) => n.id === nodeId && isVisible(flow, n)))
      void flow.fitView({ nodes: [{ id: nodeId }], duration: 250, maxZoom: 1 });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const to = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? steps.length - 1 : null;
      if (to === null || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      go(to);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div className={editorClasses.body}>
      <main className={editorClasses.canvas} aria-label="The execution's scenario version on the canvas">
        {loaded === doc && <Canvas catalog={catalog} />}
      </main>
      <aside className={editorClasses.side} aria-label="Replay">
        <ReplayPanel execution={execution} doc={doc} steps={steps} index={at} onGo={go} />
      </aside>
    </div>
  );
}

function isVisible(flow: ReturnType<typeof useReactFlow>, node: { position: { x: number; y: number } }): boolean {
  const { x, y, zoom } = flow.getViewport();
  const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
  if (!pane) return false;
  const sx = node.position.x * zoom + x;
  const sy = node.position.y * zoom + y;
  return sx > 0 && sy > 0 && sx + 240 * zoom < pane.width && sy + 80 * zoom < pane.height;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.getAttribute('role') === 'slider';
}

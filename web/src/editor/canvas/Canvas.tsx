/**
 * The scenario on a React Flow canvas. The document in the editor store is
 * the source of truth; nodes and edges for React Flow are derived from it,
 * and a node object is rebuilt only when its document node, selection,
 * marks or measured size changed, so dragging one node in a 1,000-node
 * scenario re-renders one card.
 */
import {
  Background,
  BackgroundVariant,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  type FitViewOptions,
  MarkerType,
  MiniMap,
  type NodeChange,
  ReactFlow,
  type ReactFlowProps,
} from '@xyflow/react';
import type { NodeCatalogEntry } from '@tellflow/engine';
import { type ReactNode, useCallback, useMemo, useReducer, useRef, useState } from 'react';
import { outcomesOf } from '../outcomes.ts';
import { type Doc, type DocNode, edgeId, type Overlay, useEditor } from '../store.ts';
import { issuesByNode, useIssues } from '../validation.ts';
import { type CardData, type CardNode, ScenarioNodeCard } from './ScenarioNodeCard.tsx';
import { estimatedCardLayout } from './size.ts';

const NODE_TYPES = { scenario: ScenarioNodeCard };
const PRO_OPTIONS = { hideAttribution: true };
const DEFAULT_POSITION = { x: 0, y: 0 };

export interface CanvasProps {
  catalog: Map<string, NodeCatalogEntry>;
  /** Extra React Flow props (drop handlers from the palette, etc.). */
  flowProps?: Partial<ReactFlowProps<CardNode, Edge>>;
  children?: ReactNode;
}

export function Canvas({ catalog, flowProps, children }: CanvasProps) {
  const doc = useEditor((s) => s.doc);
  const readOnly = useEditor((s) => s.readOnly);
  const selectedNodes = useEditor((s) => s.selectedNodes);
  const selectedEdges = useEditor((s) => s.selectedEdges);
  const overlay = useEditor((s) => s.overlay);
  const issues = useIssues();
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const cache = useRef(new WeakMap<DocNode, { key: string; rf: CardNode }>());
  const [measureTick, bumpMeasure] = useTick();
  const [fitOptions] = useState(() => initialFitOptions(doc));

  const problems = useMemo(() => issuesByNode(issues), [issues]);
  const nodes = useMemo(() => {
    if (!doc) return [];
    const selected = new Set(selectedNodes);
    const visited = new Set(overlay.path);
    void measureTick;
    return doc.nodes.map((node) => {
      const problem = problems.get(node.id);
      const mark = markOf(node.id, overlay, visited);
      const size = measured.current.get(node.id);
      const entry = catalog.get(node.type);
      const key = `${selected.has(node.id)}|${problem?.severity}|${problem?.message}|${mark}|${size?.width}x${size?.height}|${entry ? 1 : 0}|${readOnly}`;
      const hit = cache.current.get(node);
      if (hit && hit.key === key) return hit.rf;
      const outcomes = outcomesOf(node);
      const data: CardData = { node, entry, outcomes };
      if (problem) Object.assign(data, { problem: problem.severity, problemText: problem.message });
      if (mark) data.mark = mark;
      const rf: CardNode = {
        id: node.id,
        type: 'scenario',
        position: node.position ?? DEFAULT_POSITION,
        data,
        selected: selected.has(node.id),
        draggable: !readOnly,
        connectable: !readOnly,
        deletable: !readOnly,
        // A card never drawn yet gets its expected size and handles, so React Flow need not draw it to place its edges.
        ...(size ? { measured: size } : estimated(node, entry, outcomes)),
      };
      cache.current.set(node, { key, rf });
      return rf;
    });
  }, [doc, selectedNodes, problems, overlay, catalog, readOnly, measureTick]);

  // Moving nodes keeps `doc.edges`, so a drag does not rebuild the edges.
  const docEdges = doc?.edges;
  const edges = useMemo<Edge[]>(() => {
    if (!docEdges) return [];
    const selected = new Set(selectedEdges);
    const followed = new Set(overlay.pathEdges);
    return docEdges.map((e) => {
      const id = edgeId(e);
      const change = overlay.edgeChanges?.[id];
      const color =
        change === 'added'
          ? 'var(--mantine-color-green-6)'
          : change === 'removed'
            ? 'var(--mantine-color-red-6)'
            : followed.has(id)
              ? 'var(--mantine-color-teal-6)'
              : undefined;
      return {
        id,
        source: e.source,
        sourceHandle: e.sourceHandle,
        target: e.target,
        selected: selected.has(id),
        animated: followed.has(id),
        deletable: !readOnly,
        markerEnd: { type: MarkerType.ArrowClosed, ...(color ? { color } : {}) },
        ...(color ? { style: { stroke: color, strokeWidth: 2.5, ...(change === 'removed' ? { strokeDasharray: '6 4' } : {}) } } : {}),
      };
    });
  }, [docEdges, selectedEdges, overlay, readOnly]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CardNode>[]) => {
      const store = useEditor.getState();
      const moves: Record<string, { x: number; y: number }> = {};
      let final = false;
      let selection: Set<string> | undefined;
      const removed: string[] = [];
      let resized = false;
      for (const c of changes) {
        if (c.type === 'position' && c.position) {
          moves[c.id] = c.position;
          if (!c.dragging) final = true;
        } else if (c.type === 'position' && c.dragging === false) final = true;
        else if (c.type === 'select') {
          selection ??= new Set(store.selectedNodes);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        } else if (c.type === 'remove') removed.push(c.id);
        else if (c.type === 'dimensions' && c.dimensions) {
          measured.current.set(c.id, c.dimensions);
          resized = true;
        }
      }
      if (Object.keys(moves).length || final) store.moveNodes(moves, final);
      if (selection) store.select([...selection], store.selectedEdges);
      if (removed.length) removeNodes(removed);
      if (resized) bumpMeasure();
    },
    [bumpMeasure],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const store = useEditor.getState();
    let selection: Set<string> | undefined;
    const removed = new Set<string>();
    for (const c of changes) {
      if (c.type === 'select') {
        selection ??= new Set(store.selectedEdges);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      } else if (c.type === 'remove') removed.add(c.id);
    }
    if (selection) store.select(store.selectedNodes, [...selection]);
    if (removed.size) store.apply((d) => ({ ...d, edges: d.edges.filter((e) => !removed.has(edgeId(e))) }));
  }, []);

  const onConnect = useCallback((c: Connection) => {
    if (!c.sourceHandle) return;
    connect(c.source, c.sourceHandle, c.target);
  }, []);

  if (!doc) return null;
  return (
    <ReactFlow<CardNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      elementsSelectable
      // Deleting is the editor's own shortcut (commands/shortcuts.ts): nodes and edges go in one undo step.
      deleteKeyCode={null}
      multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
      selectionKeyCode="Shift"
      selectionOnDrag={false}
      fitView
      fitViewOptions={fitOptions}
      minZoom={0.05}
      maxZoom={2}
      onlyRenderVisibleElements
      proOptions={PRO_OPTIONS}
      {...flowProps}
    >
      <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="var(--mantine-color-gray-4)" />
      <Controls showInteractive={false} position="bottom-left" />
      <MiniMap pannable zoomable position="bottom-right" nodeColor={miniMapColor} ariaLabel="Minimap of the scenario" />
      {children}
    </ReactFlow>
  );
}

function estimated(node: DocNode, entry: NodeCatalogEntry | undefined, outcomes: string[]): Pick<CardNode, 'measured' | 'handles'> {
  const { width, height, handles } = estimatedCardLayout(node, entry, outcomes);
  return { measured: { width, height }, handles };
}

/** Nodes a large scenario opens on: the start and what follows it, rather than every card shrunk to a dot. */
const OPEN_ON_ALL_UP_TO = 60;
const OPEN_ON_FIRST = 24;

function initialFitOptions(doc: Doc | null): FitViewOptions | undefined {
  if (!doc || doc.nodes.length <= OPEN_ON_ALL_UP_TO) return { maxZoom: 1 };
  const next = new Map<string, string[]>();
  for (const e of doc.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set(doc.nodes.filter((n) => n.type === 'start').map((n) => n.id));
  const queue = [...seen];
  while (queue.length && seen.size < OPEN_ON_FIRST) {
    for (const target of next.get(queue.shift()!) ?? []) {
      if (seen.size >= OPEN_ON_FIRST) break;
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  if (seen.size === 0) seen.add(doc.nodes[0]!.id);
  return { nodes: [...seen].map((id) => ({ id })), maxZoom: 1 };
}

function miniMapColor(node: CardNode): string {
  const problem = node.data.problem;
  if (problem === 'error') return 'var(--mantine-color-red-5)';
  return node.data.mark ? 'var(--mantine-color-teal-5)' : 'var(--mantine-color-gray-4)';
}

function markOf(id: string, overlay: Overlay, visited: Set<string>): CardData['mark'] {
  const change = overlay.nodeChanges?.[id];
  if (change) return change;
  if (overlay.current === id) return 'current';
  if (visited.has(id)) return 'visited';
  return undefined;
}

/** Connects an outcome to a node: one edge per outcome, so a new connection replaces the old one. */
export function connect(source: string, outcome: string, target: string): void {
  useEditor.getState().apply((d) => ({
    ...d,
    edges: [...d.edges.filter((e) => !(e.source === source && e.sourceHandle === outcome)), { source, sourceHandle: outcome, target }],
  }));
}

/** Removes nodes and every edge to or from them. */
export function removeNodes(ids: string[]): void {
  const gone = new Set(ids);
  const store = useEditor.getState();
  store.apply((d) => ({
    ...d,
    nodes: d.nodes.filter((n) => !gone.has(n.id)),
    edges: d.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  }));
  store.select(
    store.selectedNodes.filter((id) => !gone.has(id)),
    [],
  );
}

function useTick(): [number, () => void] {
  const [tick, bump] = useReducer((n: number) => n + 1, 0);
  return [tick, bump];
}

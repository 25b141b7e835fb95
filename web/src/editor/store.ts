/**
 * The editor's state: the scenario document being edited is the one source
 * of truth (nodes with their positions, edges, variables); the canvas is
 * derived from it. Every change goes through `apply`, which records it for
 * undo/redo; a drag is recorded once, when it ends.
 */
import type { Edge, Scenario, ScenarioNode } from '@tellflow/engine';
import { create } from 'zustand';

export type Doc = Scenario;
export type DocNode = ScenarioNode;
export type DocEdge = Edge;

/** How the canvas marks nodes and edges besides selection: a run's path, a diff, a replay position. */
export interface Overlay {
  /** Node ids a run or replay has visited, in order. */
  path?: string[];
  /** The node a run or replay is at now. */
  current?: string;
  /** Edge ids (see `edgeId`) a run or replay has followed. */
  pathEdges?: string[];
  /** Diff colouring by node id and edge id. */
  nodeChanges?: Record<string, 'added' | 'removed' | 'changed' | 'moved'>;
  edgeChanges?: Record<string, 'added' | 'removed'>;
}

export interface EditorState {
  scenarioId: string | null;
  /** The version this draft started from: a save names it so a colleague's later save is a conflict, not overwritten. */
  baseVersion: number | null;
  doc: Doc | null;
  /** The document as last loaded or saved, to tell whether there are unsaved changes. */
  savedDoc: Doc | null;
  /** When true the canvas only shows (a diff, a replay, an old version). */
  readOnly: boolean;
  selectedNodes: string[];
  selectedEdges: string[];
  past: Doc[];
  future: Doc[];
  overlay: Overlay;
  /** The side panel tab shown (Problems, Test run, Tests…), so a button elsewhere can open one. */
  sidePanel: string;
  load(doc: Doc, baseVersion: number | null, options?: { readOnly?: boolean }): void;
  /** A change of the document, recorded for undo. Returns nothing; `recipe` returns the new document. */
  apply(recipe: (doc: Doc) => Doc): void;
  /** Positions while dragging (not recorded), then `final` records the whole drag as one change. */
  moveNodes(positions: Record<string, { x: number; y: number }>, final: boolean): void;
  undo(): void;
  redo(): void;
  select(nodes: string[], edges?: string[]): void;
  setOverlay(overlay: Overlay): void;
  markSaved(doc: Doc, version: number): void;
  showPanel(name: string): void;
}

const HISTORY_LIMIT = 200;

/** An edge's id on the canvas: one edge per outcome, so the source and its outcome name it. */
export const edgeId = (e: Pick<DocEdge, 'source' | 'sourceHandle'>): string => `${e.source}:${e.sourceHandle}`;

export const useEditor = create<EditorState>()((set, get) => {
  /** The document before a drag started, so the drag is undone as one step. */
  let dragStart: Doc | null = null;
  return {
    scenarioId: null,
    baseVersion: null,
    doc: null,
    savedDoc: null,
    readOnly: false,
    selectedNodes: [],
    selectedEdges: [],
    past: [],
    future: [],
    overlay: {},
    sidePanel: 'problems',
    load: (doc, baseVersion, options) =>
      set({
        scenarioId: doc.id,
        baseVersion,
        doc,
        savedDoc: doc,
        readOnly: options?.readOnly ?? false,
        selectedNodes: [],
        selectedEdges: [],
        past: [],
        future: [],
        overlay: {},
      }),
    apply: (recipe) => {
      const { doc, past, readOnly } = get();
      if (!doc || readOnly) return;
      const next = recipe(doc);
      if (next === doc) return;
      set({ doc: next, past: [...past.slice(-HISTORY_LIMIT + 1), doc], future: [] });
    },
    moveNodes: (positions, final) => {
      const { doc, readOnly } = get();
      if (!doc || readOnly) return;
      dragStart ??= doc;
      const next = { ...doc, nodes: doc.nodes.map((n) => (positions[n.id] ? { ...n, position: roundPosition(positions[n.id]!) } : n)) };
      if (!final) return set({ doc: next });
      const before = dragStart;
      dragStart = null;
      set({ doc: next, past: [...get().past.slice(-HISTORY_LIMIT + 1), before], future: [] });
    },
    undo: () => {
      const { doc, past, future } = get();
      const previous = past.at(-1);
      if (!doc || !previous) return;
      set({ doc: previous, past: past.slice(0, -1), future: [doc, ...future] });
    },
    redo: () => {
      const { doc, past, future } = get();
      const next = future[0];
      if (!doc || !next) return;
      set({ doc: next, past: [...past, doc], future: future.slice(1) });
    },
    select: (nodes, edges = []) => set({ selectedNodes: nodes, selectedEdges: edges }),
    setOverlay: (overlay) => set({ overlay }),
    markSaved: (doc, version) => set({ savedDoc: doc, baseVersion: version }),
    showPanel: (name) => set({ sidePanel: name }),
  };
});

function roundPosition(p: { x: number; y: number }) {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/** Whether the document differs from what was last loaded or saved. */
export const useDirty = () => useEditor((s) => s.doc !== s.savedDoc);

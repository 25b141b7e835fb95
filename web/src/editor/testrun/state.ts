/**
 * The Test run and Tests tabs' state, kept outside the tabs (they unmount
 * when another tab opens) so a run, its settings and the last test results
 * are still there on coming back. Reset when another scenario is opened.
 */
import type { Json } from '@tellflow/engine';
import { create } from 'zustand';
import type { Reply } from '../../shared/api.ts';
import { type Doc, useEditor } from '../store.ts';
import { EMPTY_SETUP, type RunReply, type RunSetup } from './model.ts';

export interface ShownRun {
  reply: RunReply;
  /** The document it ran, to tell when the draft has changed since. */
  doc: Doc;
  /** Where it came from: the draft, or a test case of a saved version. */
  source: { kind: 'draft' } | { kind: 'test'; name: string; version: number };
}

export interface TestRunState {
  scenarioId: string | null;
  setup: RunSetup;
  /** Form answers given so far, keyed as the API wants them. */
  answers: Record<string, Json>;
  run: ShownRun | null;
  /** The timeline position shown (its step's variables, the canvas highlight). */
  cursor: number;
  /** Whether the canvas is stepping through the timeline on its own. */
  playing: boolean;
  /** The last "Run all" of the test cases. */
  results: Reply<'POST /api/scenarios/{id}/tests/run'> | null;
  /** Starts over for another scenario. */
  reset(scenarioId: string): void;
  setSetup(change: Partial<RunSetup>): void;
  setAnswers(answers: Record<string, Json>): void;
  /** Shows a run and steps through it from `from` (the steps before it were shown already). */
  show(run: ShownRun, from: number): void;
  moveTo(index: number): void;
  /** Jumps to the end of the timeline. */
  skip(): void;
  setResults(results: TestRunState['results']): void;
}

export const useTestRun = create<TestRunState>()((set, get) => ({
  scenarioId: null,
  setup: EMPTY_SETUP,
  answers: {},
  run: null,
  cursor: 0,
  playing: false,
  results: null,
  reset: (scenarioId) => set({ scenarioId, setup: EMPTY_SETUP, answers: {}, run: null, cursor: 0, playing: false, results: null }),
  setSetup: (change) => set({ setup: { ...get().setup, ...change } }),
  setAnswers: (answers) => set({ answers }),
  show: (run, from) => {
    const last = Math.max(0, run.reply.trace.length - 1);
    const start = Math.min(Math.max(0, from), last);
    set({ run, cursor: start, playing: start < last });
  },
  moveTo: (index) => set({ cursor: index, playing: false }),
  skip: () => set({ cursor: Math.max(0, (get().run?.reply.trace.length ?? 1) - 1), playing: false }),
  setResults: (results) => set({ results }),
}));

/** Milliseconds per step while the canvas walks the path. */
export const STEP_MS = 250;

/** Advances the animation by one step; stops at the end. */
export function advance(): void {
  const { run, cursor, playing } = useTestRun.getState();
  if (!playing || !run) return;
  const last = run.reply.trace.length - 1;
  if (cursor >= last) useTestRun.setState({ playing: false });
  else useTestRun.setState({ cursor: cursor + 1, playing: cursor + 1 < last });
}

// The tabs' state belongs to one scenario: opening another starts over.
useEditor.subscribe((editor) => {
  if (editor.scenarioId && editor.scenarioId !== useTestRun.getState().scenarioId) useTestRun.getState().reset(editor.scenarioId);
});

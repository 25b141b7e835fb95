import { useEffect } from 'react';
import { useEditor } from '../store.ts';
import { graphChanged, overlayAt } from './model.ts';
import { advance, STEP_MS, useTestRun } from './state.ts';

/**
 * While the Test run tab is open: walks the canvas highlight through the
 * run's steps (one every STEP_MS), keeps it on the selected step, clears it
 * when the draft's graph changes, and clears it when the tab closes.
 * Returns whether the shown run is of an earlier draft.
 */
export function useRunOverlay(): boolean {
  const run = useTestRun((s) => s.run);
  const cursor = useTestRun((s) => s.cursor);
  const playing = useTestRun((s) => s.playing);
  const doc = useEditor((s) => s.doc);
  const stale = !!run && !!doc && graphChanged(run.doc, doc);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(advance, STEP_MS);
    return () => clearInterval(timer);
  }, [playing]);

  const scenarioId = doc?.id;
  useEffect(() => {
    const { setOverlay } = useEditor.getState();
    if (!run || stale || !scenarioId) setOverlay({});
    else setOverlay(overlayAt(run.reply, cursor, scenarioId));
  }, [run, cursor, stale, scenarioId]);

  useEffect(() => () => useEditor.getState().setOverlay({}), []);
  return stale;
}

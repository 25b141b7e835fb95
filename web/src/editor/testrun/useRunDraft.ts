import type { Json } from '@tellflow/engine';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../shared/api.ts';
import { useEditor } from '../store.ts';
import { simOf } from './model.ts';
import { useTestRun } from './state.ts';

/** Every run of the draft, so any button can show that one is going. */
export const RUN_KEY = ['test-run'];

export interface RunRequest {
  answers: Record<string, Json>;
  /** Where the animation starts: after an answer, the steps already shown are not walked again. */
  from: number;
}

/**
 * Runs the open draft (unsaved changes included) in the server's sandbox with
 * the Test run tab's settings and the given form answers, then shows the run.
 * Runs are deterministic, so re-running with one more answer replays the same
 * steps and goes on past the form.
 */
export function useRunDraft() {
  return useMutation({
    mutationKey: RUN_KEY,
    mutationFn: async ({ answers }: RunRequest) => {
      const doc = useEditor.getState().doc;
      if (!doc) throw new Error('no scenario is open');
      const { setup } = useTestRun.getState();
      const sim = simOf(setup);
      const reply = await api.post('/api/scenarios/test-run', {
        body: {
          scenario: doc as unknown as Record<string, unknown>,
          input: setup.input,
          ...(sim ? { sim } : {}),
          ...(Object.keys(answers).length ? { answers } : {}),
          ...(setup.setupSql.trim() ? { setupSql: setup.setupSql } : {}),
        },
      });
      return { reply, doc };
    },
    onSuccess: ({ reply, doc }, { answers, from }) => {
      const state = useTestRun.getState();
      state.setAnswers(answers);
      state.show({ reply, doc, source: { kind: 'draft' } }, from);
    },
  });
}

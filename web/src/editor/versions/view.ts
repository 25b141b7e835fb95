/**
 * Viewing an old version in the editor: the version is loaded read-only in
 * place of the draft, and the draft — unsaved edits and undo history
 * included — is kept aside until "back to the draft".
 */
import type { Scenario } from '@tellflow/engine';
import { create } from 'zustand';
import { type EditorState, useEditor } from '../store.ts';

type Stash = Pick<EditorState, 'doc' | 'savedDoc' | 'baseVersion' | 'past' | 'future'>;

interface VersionView {
  /** The version on the canvas, or null when the draft is. */
  version: number | null;
  stash: Stash | null;
}

export const useVersionView = create<VersionView>()(() => ({ version: null, stash: null }));

export function openVersion(doc: Scenario, version: number): void {
  const editor = useEditor.getState();
  const { stash } = useVersionView.getState();
  const draft = stash ?? { doc: editor.doc, savedDoc: editor.savedDoc, baseVersion: editor.baseVersion, past: editor.past, future: editor.future };
  editor.load(doc, version, { readOnly: true });
  useVersionView.setState({ version, stash: draft });
}

export function backToDraft(): void {
  const { stash } = useVersionView.getState();
  if (stash) useEditor.setState({ ...stash, readOnly: false, overlay: {}, selectedNodes: [], selectedEdges: [] });
  useVersionView.setState({ version: null, stash: null });
}

/** Leaving the editor forgets the view (the next editor loads its draft afresh). */
export function forgetVersionView(): void {
  useVersionView.setState({ version: null, stash: null });
}

/** The node whose properties are shown, for the fields deep in its form to edit it. */
import { formatPath } from '@tellflow/engine';
import { createContext, useCallback, useContext } from 'react';
import { useEditor } from '../store.ts';
import { type Path, setNodeField } from './doc-edit.ts';
import type { JsonSchema } from './schema.ts';

export interface NodeFields {
  nodeId: string;
  /** The params schema (its `$defs` resolve references). */
  root: JsonSchema;
}

const NodeFieldsContext = createContext<NodeFields>({ nodeId: '', root: {} });
export const NodeFieldsProvider = NodeFieldsContext.Provider;
export const useNodeFields = () => useContext(NodeFieldsContext);

/**
 * Sets a field of the node (`undefined` removes it), undoable. Typing into one
 * field is undone as one step; `discrete` changes (add, remove, reorder) each on their own.
 */
export function useSetField(): (path: Path, value: unknown, discrete?: boolean) => void {
  const { nodeId } = useNodeFields();
  const apply = useEditor((s) => s.apply);
  return useCallback(
    (path: Path, value: unknown, discrete?: boolean) =>
      apply((doc) => setNodeField(doc, nodeId, path, value), discrete ? undefined : { merge: `${nodeId}|${formatPath(path)}` }),
    [apply, nodeId],
  );
}

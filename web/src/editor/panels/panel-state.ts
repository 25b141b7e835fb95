/**
 * Which side panel is open, and which field of which node the user asked to
 * see (a click on a problem): the property panel scrolls to and focuses it.
 */
import { create } from 'zustand';

export type PanelTab = 'properties' | 'variables' | 'problems' | 'versions' | 'testrun' | 'tests';

export interface FieldFocus {
  nodeId: string;
  /** The field's path inside the node, e.g. `params.fields[0].type`. */
  path: string;
  /** Changes on every request, so asking for the same field twice still scrolls to it. */
  nonce: number;
}

interface PanelState {
  tab: PanelTab;
  focus: FieldFocus | null;
  setTab(tab: PanelTab): void;
  /** Opens the node's properties at the field `path`. */
  showField(nodeId: string, path: string): void;
}

export const usePanels = create<PanelState>()((set, get) => ({
  tab: 'problems',
  focus: null,
  setTab: (tab) => set({ tab }),
  showField: (nodeId, path) => set({ tab: 'properties', focus: { nodeId, path, nonce: (get().focus?.nonce ?? 0) + 1 } }),
}));

/** A node's issue path relative to the node: `nodes[3].params.x` → `params.x`; paths elsewhere (edges) are kept. */
export function pathInNode(issuePath: string, nodeIndex: number): string {
  const prefix = `nodes[${nodeIndex}]`;
  if (issuePath === prefix) return '';
  if (issuePath.startsWith(`${prefix}.`)) return issuePath.slice(prefix.length + 1);
  return issuePath;
}

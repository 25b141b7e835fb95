import { type Issue, validateScenario } from '@tellflow/engine';
import { useDeferredValue, useMemo } from 'react';
import { useEditor } from './store.ts';

/** The engine's issues for the document being edited, recomputed as it changes (deferred, so typing stays smooth). */
export function useIssues(): Issue[] {
  const doc = useDeferredValue(useEditor((s) => s.doc));
  return useMemo(() => (doc ? validateScenario(doc).issues : []), [doc]);
}

/** The worst issue per node id, for marking the canvas. */
export function issuesByNode(issues: Issue[]): Map<string, Issue> {
  const byNode = new Map<string, Issue>();
  for (const issue of issues) {
    if (!issue.nodeId) continue;
    const known = byNode.get(issue.nodeId);
    if (!known || (known.severity === 'warning' && issue.severity === 'error')) byNode.set(issue.nodeId, issue);
  }
  return byNode;
}

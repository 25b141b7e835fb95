import { type Issue, validateScenario } from '@tellflow/engine';
import { useDeferredValue, useMemo } from 'react';
import { type Doc, useEditor } from './store.ts';

/** The engine's issues for the document being edited, recomputed as it changes (deferred, so typing stays smooth). */
export function useIssues(): Issue[] {
  const doc = useDeferredValue(useEditor((s) => s.doc));
  return useMemo(() => (doc ? issuesOf(doc) : []), [doc]);
}

/**
 * The last validation, shared by every panel that asks: moving nodes changes
 * only positions, which validation does not read, so dragging a node in a
 * large scenario does not revalidate it on every frame.
 */
let last: { doc: Doc; issues: Issue[] } | undefined;

function issuesOf(doc: Doc): Issue[] {
  if (last && (last.doc === doc || onlyPositionsDiffer(last.doc, doc))) {
    last = { doc, issues: last.issues };
    return last.issues;
  }
  last = { doc, issues: validateScenario(doc).issues };
  return last.issues;
}

function onlyPositionsDiffer(a: Doc, b: Doc): boolean {
  if (a.edges !== b.edges || a.variables !== b.variables || a.nodes.length !== b.nodes.length) return false;
  for (const key of Object.keys(b) as (keyof Doc)[]) if (key !== 'nodes' && a[key] !== b[key]) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n === m || (n.id === m.id && n.type === m.type && n.params === m.params && n.label === m.label && n.description === m.description);
  });
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

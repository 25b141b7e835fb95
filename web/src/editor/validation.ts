import type { Issue } from '@tellflow/engine';
import { create } from 'zustand';
import { type Doc, useEditor } from './store.ts';

/**
 * The engine's issues for the document being edited. The engine runs in a
 * Web Worker: a 1,000-node scenario takes it about half a second on a slow
 * machine, which on the main thread would delay the first paint and every
 * keystroke. Only the newest document is validated; edits made meanwhile
 * wait for the running check, then the latest of them is sent.
 */
interface Validation {
  /** The document `issues` were computed for. */
  doc: Doc | null;
  issues: Issue[];
}

const useValidation = create<Validation>(() => ({ doc: null, issues: [] }));

export function useIssues(): Issue[] {
  return useValidation((s) => s.issues);
}

/** Whether the issues shown are those of the document being edited (false for the moment a check runs). */
export function useValidationCurrent(): boolean {
  const validated = useValidation((s) => s.doc);
  const doc = useEditor((s) => s.doc);
  return doc === null || (validated !== null && (validated === doc || onlyPositionsDiffer(validated, doc)));
}

let nextId = 0;
let worker: Worker | undefined;
/** The worker could not run (it failed to load or crashed): validate in the page instead, as before the worker. */
let workerBroken = false;
const waiting = new Map<number, { doc: Doc; resolve: (issues: Issue[]) => void }>();

async function validateInPage(doc: Doc): Promise<Issue[]> {
  const { validateScenario } = await import('@tellflow/engine');
  return validateScenario(doc).issues;
}

function validate(doc: Doc): Promise<Issue[]> {
  if (workerBroken) return validateInPage(doc);
  worker ??= startWorker();
  const id = ++nextId;
  return new Promise((resolve) => {
    waiting.set(id, { doc, resolve });
    worker!.postMessage({ id, doc });
  });
}

function startWorker(): Worker {
  const w = new Worker(new URL('./validation.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<{ id: number; issues: Issue[] }>) => {
    waiting.get(e.data.id)?.resolve(e.data.issues);
    waiting.delete(e.data.id);
  };
  // Without this a failed worker would leave Save waiting for a check that never comes.
  w.onerror = () => {
    workerBroken = true;
    w.terminate();
    for (const [id, { doc, resolve }] of waiting) {
      waiting.delete(id);
      void validateInPage(doc).then(resolve);
    }
  };
  return w;
}

let running = false;

/** Validates the editor's document until the result matches it; at most one check at a time. */
async function catchUp(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (;;) {
      const doc = useEditor.getState().doc;
      const validated = useValidation.getState().doc;
      if (doc === validated) return;
      if (doc === null) return useValidation.setState({ doc: null, issues: [] });
      // Moving nodes changes only positions, which validation does not read: dragging never revalidates.
      if (validated && onlyPositionsDiffer(validated, doc)) return useValidation.setState({ doc });
      // Another scenario opened: its predecessor's marks must not linger on nodes with the same ids.
      if (validated && validated.id !== doc.id) useValidation.setState({ doc: null, issues: [] });
      const issues = await validate(doc);
      useValidation.setState({ doc, issues });
    }
  } finally {
    running = false;
  }
}

useEditor.subscribe((state, previous) => {
  if (state.doc !== previous.doc) void catchUp();
});

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

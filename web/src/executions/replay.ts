/**
 * An execution's trace as replay steps: at each step, the node it is at, the
 * path so far (nodes and followed edges), the variables as that step left
 * them, and the effect the step asked for. Variables are rebuilt the way the
 * engine does for a retry (`variablesBefore`): the starting variables plus
 * what each visit changed.
 */
import type { EffectRecord, ExecutionDetail, TraceRow } from '@tellflow/api';
import { initialVariables, type Json, type Scenario, variablesBefore } from '@tellflow/engine';
import { edgeId } from '../editor/store.ts';

export interface ReplayStep {
  /** The trace row, or for an unfinished visit (waiting, or where it failed) none. */
  row: TraceRow | null;
  step: number;
  nodeId: string;
  nodeType: string;
  /** 'waiting' or 'failed' for the last pseudo-step of an execution stopped at a node without a trace row. */
  pending?: 'waiting' | 'failed';
  /** Node ids visited up to and including this step. */
  path: string[];
  /** Edge ids followed before reaching this step's node. */
  pathEdges: string[];
  vars: Record<string, Json>;
  changed: Record<string, Json>;
  effect: EffectRecord | undefined;
}

export function replaySteps(x: ExecutionDetail, doc: Scenario): ReplayStep[] {
  const initial = x.startVars ?? initialVariables(doc, x.input).vars;
  const typeOf = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const effects = new Map(x.effects.map((e) => [e.step, e]));
  const steps: ReplayStep[] = [];
  const path: string[] = [];
  const pathEdges: string[] = [];
  for (const row of x.trace) {
    path.push(row.nodeId);
    steps.push({
      row,
      step: row.step,
      nodeId: row.nodeId,
      nodeType: row.nodeType,
      path: [...path],
      pathEdges: [...pathEdges],
      vars: variablesBefore(initial, x.trace, row.step + 1),
      changed: row.changed ?? {},
      effect: effects.get(row.step),
    });
    if (row.outcome) pathEdges.push(edgeId({ source: row.nodeId, sourceHandle: row.outcome }));
  }
  const stoppedAt = x.state?.waiting ?? (x.state?.error?.nodeId ? { nodeId: x.state.error.nodeId, step: x.state.steps } : undefined);
  const last = x.trace.at(-1);
  if (stoppedAt && (!last || last.step < stoppedAt.step)) {
    path.push(stoppedAt.nodeId);
    steps.push({
      row: null,
      step: stoppedAt.step,
      nodeId: stoppedAt.nodeId,
      nodeType: typeOf.get(stoppedAt.nodeId) ?? 'unknown',
      pending: x.state?.waiting ? 'waiting' : 'failed',
      path: [...path],
      pathEdges: [...pathEdges],
      vars: variablesBefore(initial, x.trace, stoppedAt.step + 1),
      changed: {},
      effect: effects.get(stoppedAt.step),
    });
  }
  return steps;
}

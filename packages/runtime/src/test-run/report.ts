/**
 * An execution with the executions it started, read back as a tree: each
 * child's report nested under the step that started it. What `tellflow run`
 * prints.
 */
import type { Json } from '@tellflow/engine';
import type { Runtime } from '../runtime.ts';

export interface StepReport {
  step: number;
  nodeId: string;
  nodeType: string;
  /** The outcome followed; null when the node ended the execution. */
  outcome: string | null;
  /** When the node was entered, in ms after the run started. */
  offsetMs: number;
  durationMs: number;
  /** Variables the step set, with their new values. */
  changed: Record<string, Json> | null;
  error: string | null;
  /** The execution a runScenario step started. */
  child?: ExecutionReport;
}

export interface ExecutionReport {
  scenarioId: string;
  version: number;
  status: string;
  result: Json | null;
  error: string | null;
  /** The node the execution failed or was cancelled at. */
  errorNodeId?: string;
  trace: StepReport[];
  /** Children started by steps that have no trace row (the execution ended while they ran). */
  children?: ExecutionReport[];
}

/** Reads an execution and its children back; `t0` is the run's start (epoch ms). */
export async function executionReport(runtime: Runtime, id: string, t0: number): Promise<ExecutionReport> {
  const x = await runtime.execution(id);
  const childOf = new Map<number, string>();
  for (const e of x.effects) if (e.kind === 'startChild' && e.externalId) childOf.set(e.step, e.externalId);
  const trace: StepReport[] = [];
  for (const row of x.trace) {
    const childId = childOf.get(row.step);
    childOf.delete(row.step);
    trace.push({
      step: row.step,
      nodeId: row.nodeId,
      nodeType: row.nodeType,
      outcome: row.outcome,
      offsetMs: row.startedAt.getTime() - t0,
      durationMs: row.endedAt.getTime() - row.startedAt.getTime(),
      changed: row.changed,
      error: row.error,
      ...(childId ? { child: await executionReport(runtime, childId, t0) } : {}),
    });
  }
  const children = await Promise.all([...childOf.values()].map((childId) => executionReport(runtime, childId, t0)));
  const errorNodeId = x.status === 'completed' ? undefined : x.state?.error?.nodeId;
  return {
    scenarioId: x.scenarioId,
    version: x.version,
    status: x.status,
    result: x.result,
    error: x.error,
    ...(errorNodeId ? { errorNodeId } : {}),
    trace,
    ...(children.length ? { children } : {}),
  };
}

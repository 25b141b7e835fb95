import type { EffectKind, EffectRequest } from '../effects.ts';
import type { Json } from '../json.ts';

/**
 * An execution's whole state, as plain JSON so the runtime can store it in a
 * row and load it after a restart.
 *
 *   (start) ──▶ waiting ──result──▶ waiting … ──▶ completed | failed
 *                  └──────────cancel──────────▶ cancelled
 */
export type ExecutionStatus = 'waiting' | 'completed' | 'failed' | 'cancelled';

export interface ExecutionState {
  status: ExecutionStatus;
  vars: Record<string, Json>;
  /** Node visits so far; the step number of the next effect. */
  steps: number;
  /** Set while waiting: which node asked for which effect, since when. */
  waiting?: { nodeId: string; step: number; kind: EffectKind; since: number };
  result?: Json;
  error?: { nodeId?: string; message: string };
  startedAt: number;
  endedAt?: number;
}

export type ExecutionEvent =
  | {
      type: 'start';
      at: number;
      input?: Record<string, Json>;
      /** A retry: begin at this node with these variables (the input was applied by the first run). */
      from?: { nodeId: string; vars: Record<string, Json> };
    }
  | { type: 'result'; at: number; step: number; result: unknown }
  | { type: 'cancel'; at: number; reason?: string };

/** One node visit. */
export interface TraceEntry {
  step: number;
  nodeId: string;
  nodeType: string;
  /** The outcome followed; null when the node ended the execution. */
  outcome: string | null;
  startedAt: number;
  endedAt: number;
  /** Variables the visit set, with their new values. */
  changed?: Record<string, Json>;
  error?: string;
}

export interface StepResult {
  state: ExecutionState;
  effects: EffectRequest[];
  trace: TraceEntry[];
  /** Set when the event did not apply (e.g. a late result for a step already past); nothing changed. */
  ignored?: string;
}

/** Variables every scenario has. `$now` (epoch ms) is available to expressions but not stored. */
export const BUILTIN_VARIABLES = ['lastError', '$now'] as const;

export const isFinished = (s: ExecutionState): boolean => s.status !== 'waiting';

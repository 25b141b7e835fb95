/**
 * Effects: what a node asks of the outside world, as data. The runtime
 * performs them and sends the result back as an event; the shapes of those
 * results are checked here so a bad result fails one execution, not the server.
 */
import { z } from 'zod';
import { JsonValue, type Json } from './json.ts';

export const CALL_OUTCOMES = ['answered', 'busy', 'noAnswer', 'failed'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const FIELD_TYPES = ['text', 'multiline', 'number', 'date', 'time', 'datetime', 'select', 'checkbox'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FormFieldSpec {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  readOnly: boolean;
  options?: { value: string; label: string }[];
  /** The default, already evaluated from the execution's variables. */
  value: Json;
}

export type Effect =
  | { kind: 'sql'; query: string; params: Record<string, Json>; result: 'rows' | 'first' | 'none'; timeoutMs?: number }
  | { kind: 'setStatus'; table: string; idColumn: string; id: Json; status: number; fields: Record<string, Json> }
  | { kind: 'call'; operator: string; timeoutSec?: number }
  | { kind: 'dial'; number: string; bridge: boolean; callerId?: string; timeoutSec?: number }
  | { kind: 'form'; title: string; description?: string; fields: FormFieldSpec[]; operator?: string; timeoutSec?: number }
  | { kind: 'timer'; wakeAt: number }
  | { kind: 'enqueue'; queue: string; priority: number | null; customer?: string; timeoutSec?: number; data: Json }
  | {
      kind: 'startChild';
      scenario: string;
      inputs: Record<string, Json>;
      wait: boolean;
      /** forEach: the inputs of each child to start (then `inputs` is empty and `wait` false). */
      each?: Record<string, Json>[];
      /** forEachRow: one child per row of this query, its columns + `inputs` as the child's inputs (`wait` false). */
      eachRow?: { query: string; params: Record<string, Json> };
    };

export type EffectKind = Effect['kind'];

/** An effect with the step that asked for it: `(execution, step)` is its idempotency key. */
export interface EffectRequest {
  step: number;
  nodeId: string;
  effect: Effect;
}

const Failure = z.object({ ok: z.literal(false), error: z.string(), code: z.string().optional() });

/**
 * The result shapes of the built-in effect kinds. Each effect node definition
 * carries its own (`result`), which is what `step()` checks; a node type
 * registered with a new kind brings the shape of that kind's results.
 */
export const EffectResults = {
  // Rows come from the runtime's own driver mapping; checking every value again would cost more than the query.
  sql: z.union([z.object({ ok: z.literal(true), rows: z.array(z.custom<Json>()), rowCount: z.number().int().min(0) }), Failure]),
  setStatus: z.union([z.object({ ok: z.literal(true), rowCount: z.number().int().min(0) }), Failure]),
  call: z.object({ outcome: z.enum(CALL_OUTCOMES), callId: z.string().optional(), reason: z.string().optional() }),
  dial: z.object({ outcome: z.enum(CALL_OUTCOMES), callId: z.string().optional(), reason: z.string().optional() }),
  form: z.union([z.object({ submitted: z.record(z.string(), JsonValue), by: z.string().optional() }), z.object({ timeout: z.literal(true) })]),
  timer: z.object({}).loose(),
  enqueue: z.object({
    outcome: z.enum(['assigned', 'timeout', 'left']),
    agent: z.string().optional(),
    waitedMs: z.number().optional(),
  }),
  startChild: z.object({
    outcome: z.enum(['done', 'failed']),
    executionId: z.string().optional(),
    result: JsonValue.optional(),
    error: z.string().optional(),
    /** forEach, forEachRow: how many children were started. */
    count: z.number().int().min(0).optional(),
  }),
} satisfies Record<EffectKind, z.ZodType>;

export type EffectResult<K extends EffectKind> = z.infer<(typeof EffectResults)[K]>;

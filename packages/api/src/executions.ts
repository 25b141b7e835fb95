/** Executions (with their step trace and effects) and the forms they wait on. */
import { type Effect, EffectResults, type ExecutionState as EngineState, JsonValue, ScenarioId } from '@tellflow/engine';
import { z } from 'zod';
import { DateTime, EXECUTION_STATUSES, ExecutionStatus, MAX_INT, PositiveInt } from './common.ts';
import { sameShape } from './same.ts';

const EFFECT_KINDS = Object.keys(EffectResults) as Effect['kind'][];
export const EffectKind = z.enum(EFFECT_KINDS as [Effect['kind'], ...Effect['kind'][]]);
const Vars = z.record(z.string(), JsonValue);

/** The interpreter's state of an execution, as stored (times in epoch ms). */
export const ExecutionState = z.object({
  status: z.enum(['waiting', 'completed', 'failed', 'cancelled']),
  vars: Vars,
  steps: z.number().int(),
  waiting: z.object({ nodeId: z.string(), step: z.number().int(), kind: EffectKind, since: z.number() }).optional(),
  result: JsonValue.optional(),
  error: z.object({ nodeId: z.string().optional(), message: z.string() }).optional(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
});
sameShape<z.infer<typeof ExecutionState>, EngineState>(true);

export const ExecutionSummary = z.object({
  id: z.string(),
  scenarioId: z.string(),
  version: z.number().int(),
  status: ExecutionStatus,
  error: z.string().nullable(),
  result: JsonValue.nullable(),
  parentId: z.string().nullable(),
  retryOf: z.string().nullable().meta({ description: 'on a retry: the execution it retries' }),
  taskId: z.string().nullable().meta({ description: 'the outbound task whose calls it belongs to' }),
  scheduledBy: z.string().nullable().meta({ description: 'the service task whose schedule started it' }),
  idle: z.boolean().meta({
    description:
      "started by a service task's schedule, completed, and changed nothing (every effect a statement that affected no row or a forEach that started no child); hidden from lists by default and pruned early",
  }),
  createdAt: DateTime,
  updatedAt: DateTime,
  endedAt: DateTime.nullable(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;

/** One node visit of the step trace. */
export const TraceRow = z.object({
  step: z.number().int(),
  nodeId: z.string(),
  nodeType: z.string(),
  outcome: z.string().nullable(),
  startedAt: DateTime,
  endedAt: DateTime,
  changed: Vars.nullable(),
  error: z.string().nullable(),
});
export type TraceRow = z.infer<typeof TraceRow>;

/** What a node asked of the outside world; each kind's fields are the engine's `Effect`. */
export const EffectRequestSchema = z
  .custom<Effect>((v) => typeof v === 'object' && v !== null && EFFECT_KINDS.includes((v as { kind?: never }).kind!), 'must be an effect with a known kind')
  .meta({ type: 'object', properties: { kind: { type: 'string', enum: EFFECT_KINDS } }, required: ['kind'], description: "the engine's Effect" });

/** An effect a step asked for, keyed by (execution, step). */
export const EffectRecord = z.object({
  executionId: z.string(),
  step: z.number().int(),
  nodeId: z.string(),
  kind: EffectKind,
  request: EffectRequestSchema,
  status: z.enum(['pending', 'done', 'cancelled']),
  startedAt: DateTime.nullable(),
  externalId: z.string().nullable().meta({ description: "the outside world's id for it, e.g. the call id" }),
  wakeAt: DateTime.nullable(),
  deadline: DateTime.nullable(),
  assignee: z.string().nullable(),
  result: JsonValue.nullable(),
  createdAt: DateTime,
});
export type EffectRecord = z.infer<typeof EffectRecord>;

export const ExecutionDetail = ExecutionSummary.extend({
  input: Vars,
  state: ExecutionState.nullable(),
  trace: z.array(TraceRow),
  effects: z.array(EffectRecord),
  retryFrom: z
    .object({ step: z.number().int(), nodeId: z.string() })
    .nullable()
    .meta({ description: 'on a retry: the step of the retried execution it began again at' }),
  startVars: Vars.nullable().meta({
    description:
      "on a retry: the variables it began with (the retried execution's at that step); null for a fresh start, whose variables begin as the version's defaults and start inputs",
  }),
});
export type ExecutionDetail = z.infer<typeof ExecutionDetail>;

export const StartExecution = z.object({
  scenarioId: ScenarioId,
  version: PositiveInt.optional().meta({ description: 'default: the published version' }),
  input: Vars.optional().meta({ description: "values for the start node's inputs" }),
});
export const ExecutionListQuery = z.object({
  scenarioId: ScenarioId.optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  parentId: z.uuid().optional(),
  before: z.iso.datetime({ offset: true }).optional().meta({ description: 'only executions created before this time (paging)' }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'only executions created at or after this time' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'only executions created before this time' }),
  taskId: z.string().min(1).max(200).optional().meta({ description: 'only executions of this outbound task' }),
  serviceTaskId: z.string().min(1).max(200).optional().meta({ description: "only executions started by this service task's schedule" }),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  idle: z
    .enum(['hide', 'include', 'only'])
    .optional()
    .meta({ description: 'idle executions of service tasks: left out (default; `idleHidden` counts them), listed too, or alone' }),
});
export const ExecutionParams = z.object({ id: z.uuid() });
export const CancelExecution = z.object({ reason: z.string().min(1).max(500).optional() });
export const RetryExecution = z.object({
  fromStep: PositiveInt.optional().meta({ description: 'a step of its trace (default: the node it failed or was cancelled at)' }),
  input: Vars.optional().meta({
    description:
      "inputs replacing the old execution's: its input with these over it, checked as at start; declared ones are also set over the step's variables",
  }),
});
export const Started = z.object({ id: z.string() });
export const ExecutionList = z.object({
  executions: z.array(ExecutionSummary),
  idleHidden: z.number().int().meta({ description: 'idle executions matching the other filters that this list leaves out (idle=hide)' }),
});
export const Cancelling = z.object({ id: z.string(), cancelling: z.literal(true) });

// Forms

const FieldType = z.enum(['text', 'multiline', 'number', 'date', 'time', 'datetime', 'select', 'checkbox']);
/** A form a `showForm` step put on an operator's screen. */
export const FormRequest = z.object({
  kind: z.literal('form'),
  title: z.string(),
  description: z.string().optional(),
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      type: FieldType,
      required: z.boolean(),
      readOnly: z.boolean(),
      options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
      value: JsonValue.meta({ description: "the default, already evaluated from the execution's variables" }),
    }),
  ),
  operator: z.string().optional(),
  timeoutSec: z.number().optional(),
});
sameShape<z.infer<typeof FormRequest>, Extract<Effect, { kind: 'form' }>>(true);

export const PendingForm = z.object({
  executionId: z.string(),
  step: z.number().int(),
  nodeId: z.string(),
  scenarioId: z.string(),
  assignee: z.string().nullable(),
  form: FormRequest,
  createdAt: DateTime,
  deadline: DateTime.nullable(),
});
export type PendingForm = z.infer<typeof PendingForm>;

export const FormList = z.object({ forms: z.array(PendingForm) });
export const FormParams = z.object({ executionId: z.uuid(), step: z.coerce.number().int().min(0).max(MAX_INT) });
export const SubmitForm = z.object({ values: Vars });
export const Submitted = z.object({ values: Vars });

/** Outbound tasks: subscribers, scenarios, operators, calling hours; subscriber import, call history and stats. */
import { ScenarioId } from '@tellflow/engine';
import { z } from 'zod';
import { DateTime, PositiveInt, TimeZone } from './common.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00');

/** A daily window on some weekdays, in the task's time zone. */
export const CallingHours = z
  .strictObject({
    from: HHMM.meta({ description: '"HH:MM", inclusive' }),
    to: HHMM.meta({ description: '"HH:MM", exclusive; earlier than `from` crosses midnight; equal means all day' }),
    days: z.array(z.number().int().min(1).max(7)).min(1).meta({ description: 'ISO weekdays: 1 = Monday … 7 = Sunday' }),
  })
  .meta({ description: "calling hours in the task's time zone (1 = Monday); from = to means all day" });
export type CallingHours = z.infer<typeof CallingHours>;

/** What an import does with a phone number already in the task or twice in the file. */
export const DuplicatePhones = z.enum(['reject', 'skip', 'allow']).meta({
  description:
    'a phone number already in the task, or on two rows of the file (compared as stored: without spaces, dashes and parentheses): ' +
    'reject (default): those rows are errors, so the import fails naming their lines; skip: they are left out and counted; allow: they are imported',
});
export type DuplicatePhones = z.infer<typeof DuplicatePhones>;

export const OutboundTaskInput = z.strictObject({
  id: ScenarioId,
  name: z.string().min(1).max(200).optional().describe('Default: the id'),
  dialogScenarioId: ScenarioId.optional().describe('Shown to the operator once a call connects (default: the bundled "dialog")'),
  routingScenarioId: ScenarioId.optional().describe('Runs for every outgoing call of the task (default: the bundled "outbound-routing")'),
  operatorCallScenarioId: ScenarioId.optional().describe('Calls the operator first, then the customer (default: the bundled "operator-call")'),
  attachCalls: z.boolean().optional().describe('Allow attaching a call to the task'),
  afterDisconnect: z.enum(['finish', 'stop']).optional().describe('Dialog scenario behaviour after the connection breaks'),
  operators: z.array(z.string().min(1)).describe('Operator numbers of the group working this task'),
  hours: CallingHours.optional(),
  timeZone: TimeZone.optional(),
  duplicatePhones: DuplicatePhones.optional(),
});
export type OutboundTaskInput = z.infer<typeof OutboundTaskInput>;
export const OutboundTaskPatch = OutboundTaskInput.omit({ id: true }).partial();
export type OutboundTaskPatch = z.infer<typeof OutboundTaskPatch>;

export const OutboundTask = z.object({
  id: z.string(),
  name: z.string(),
  dialogScenarioId: z.string(),
  routingScenarioId: z.string(),
  operatorCallScenarioId: z.string(),
  attachCalls: z.boolean(),
  afterDisconnect: z.enum(['finish', 'stop']),
  operators: z.array(z.string()),
  hours: CallingHours,
  timeZone: z.string(),
  state: z.enum(['stopped', 'running']),
  duplicatePhones: DuplicatePhones,
});
export type OutboundTask = z.infer<typeof OutboundTask>;

export const Progress = z
  .record(z.string(), z.number().int())
  .meta({ description: 'subscribers by status: "new" (not called yet), "10" (call back at the set time), "11" (being served), "12" (the callback succeeded)' });

export const OutboundTaskParams = z.object({ id: ScenarioId });
export const SubscriberParams = z.object({ id: ScenarioId, subscriberId: PositiveInt });
export const OutboundTaskList = z.object({ tasks: z.array(OutboundTask) });
export const OneOutboundTask = z.object({ task: OutboundTask });
/** Whether the task calls now, and if not, why, in words an administrator acts on. */
export const TaskReadiness = z.object({
  calling: z.boolean().meta({ description: 'running, inside its calling hours, with at least one available operator' }),
  callbacks: z.boolean().meta({ description: 'its due callbacks are being made (calling, and the callback monitor is enabled)' }),
  reasons: z.array(z.string()).meta({
    description:
      'what stops it, e.g. "stopped", "callback monitor disabled", "outside calling hours until 09:00 Europe/Moscow", "no available operator: 101 offline, 102 busy"',
  }),
});
export type TaskReadiness = z.infer<typeof TaskReadiness>;
export const OutboundTaskWithProgress = z.object({ task: OutboundTask, progress: Progress, readiness: TaskReadiness });
export const StartedOutboundTask = z.object({ task: OutboundTask, readiness: TaskReadiness });

/** `header:column`; an empty column (or `null`) ignores that column of the file. Whether the column exists is checked by the server. */
export const MapEntry = z.string().refine((entry) => entry.lastIndexOf(':') > 0, 'must be "header:column" (an empty column ignores that header)');
export const ImportQuery = z.object({
  mode: z
    .enum(['all-or-nothing', 'skip-bad-rows'])
    .optional()
    .meta({ description: 'all-or-nothing (default): any bad row and nothing is imported; skip-bad-rows: the good rows are imported' }),
  delimiter: z
    .string()
    .refine((d) => d === 'tab' || (d.length === 1 && !'"\r\n'.includes(d)), 'must be one character other than a quote or a line break, or "tab"')
    .optional()
    .meta({ description: 'default: whichever of "," ";" or tab the header line uses' }),
  map: z.array(MapEntry).optional().meta({
    description: 'repeatable `header:column`, e.g. `map=Контакт:tel`; `header:` ignores that column. Headers not mapped are matched by name or a common alias.',
  }),
});

export const ImportResult = z.object({
  imported: z
    .number()
    .int()
    .meta({ description: 'rows of the file the task now has: added + updated + unchanged + kept (0 when all-or-nothing met a bad row)' }),
  added: z.number().int().meta({ description: 'rows new to the task' }),
  updated: z.number().int().meta({ description: 'rows the task had (same key) whose values the file changed' }),
  unchanged: z.number().int().meta({ description: 'rows the task had with the values the file gives (imported before)' }),
  kept: z.number().int().meta({
    description: 'rows the file changed that were left as they are: being served (11), done (12) or with another status than new or 10',
  }),
  duplicates: z.number().int().meta({ description: "rows left out for their phone number (the task's duplicatePhones policy is skip)" }),
  skipped: z.number().int().meta({ description: 'rows rejected' }),
  rows: z.number().int().meta({ description: 'data rows in the file' }),
  errors: z.array(z.object({ line: z.number().int(), column: z.string().optional(), message: z.string() })),
  omittedErrors: z.number().int().meta({ description: 'errors beyond the first 1000, not listed' }),
  delimiter: z.string(),
  mapping: z.record(z.string(), z.string().nullable()).meta({ description: 'each header of the file and the column it filled (null: ignored)' }),
});
export type ImportResult = z.infer<typeof ImportResult>;
export const ImportRejected = ImportResult.extend({ error: z.string() });

/** One call made for a subscriber (the operator's card). */
export const HistoryEntry = z.object({
  kind: z.enum(['operator', 'customer']),
  number: z.string(),
  operator: z.string().nullable(),
  outcome: z.string().nullable().meta({
    description:
      'answered, busy, noAnswer, failed, or lost (the process that held the call stopped: while it rang, or, when answeredAt is set, during the talk, whose end is then unknown); null while it rings',
  }),
  startedAt: DateTime,
  answeredAt: DateTime.nullable(),
  endedAt: DateTime.nullable(),
  durationSec: z.number().int().nullable().meta({ description: 'talk time, once an answered call has ended and both times are known' }),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;
export const CallHistory = z.object({ calls: z.array(HistoryEntry) });

export const StatsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'only calls started at or after this time' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'only calls started before this time' }),
});
/**
 * How a group of calls went; one shape for the calls to customers, to
 * operators, and each operator's. Every call is counted once in `answered`,
 * `busy`, `noAnswer`, `failed`, `lost` or `inProgress` (they add up to
 * `calls`), and every answered call once in `talk.timed`, `talk.talking` or
 * `talk.unknownEnd`. Talk time is only ever measured from a known answer to a
 * known end: a call whose end nobody saw is counted, never given a duration.
 */
export const CallFigures = z.object({
  calls: z.number().int().meta({ description: 'calls placed' }),
  answered: z.number().int().meta({ description: 'the called party picked up (however the call ended afterwards)' }),
  busy: z.number().int(),
  noAnswer: z.number().int().meta({ description: 'rang until the ring timeout' }),
  failed: z.number().int().meta({ description: 'the network could not place the call' }),
  lost: z.number().int().meta({
    description: 'no outcome ever came: the process that held the call stopped while it rang, or its execution ended before an outcome',
  }),
  inProgress: z.number().int().meta({ description: 'ringing now: no outcome yet, its execution still runs' }),
  answerRate: z.number().nullable().meta({ description: 'answered ÷ calls with a known outcome (calls − lost − inProgress), to 0.001; null before any' }),
  talk: z.object({
    timed: z.number().int().meta({ description: 'answered calls that ended with answer and end both known: the only ones in the talk time' }),
    talking: z.number().int().meta({ description: 'answered calls not ended yet, their execution still runs' }),
    unknownEnd: z.number().int().meta({
      description: 'answered calls whose end nobody saw: cut off with the process that held them, or their execution ended with no hang-up recorded',
    }),
    totalSeconds: z.number().meta({ description: 'sum of answer → end over the timed calls, to 0.1 s' }),
    averageSeconds: z.number().nullable().meta({ description: 'totalSeconds ÷ timed, to 0.1 s; null when none is timed' }),
  }),
});
export type CallFigures = z.infer<typeof CallFigures>;
export const OperatorCallFigures = z.object({
  operator: z.string(),
  operatorCalls: CallFigures.meta({ description: 'calls to this operator: how often they were rung, picked up, were busy, did not answer…' }),
  customerCalls: CallFigures.meta({ description: 'calls to customers made for this operator (bridged to them once answered)' }),
});
export type OperatorCallFigures = z.infer<typeof OperatorCallFigures>;
export const TaskCallStats = z.object({
  customers: CallFigures.extend({ subscribersCalled: z.number().int().meta({ description: 'distinct subscribers among the calls' }) }),
  operators: CallFigures,
  byOperator: z.array(OperatorCallFigures).meta({ description: 'every operator with a call in the range (to them, or to a customer for them), by operator' }),
});
export type TaskCallStats = z.infer<typeof TaskCallStats>;

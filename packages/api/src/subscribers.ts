/** Subscribers (rows of `table_out_call`, domain.md §1): listed with their status and due time, and reset by an admin. */
import { ScenarioId } from '@tellflow/engine';
import { z } from 'zod';
import { DateTime, MAX_INT, PositiveInt } from './common.ts';

/** A subscriber status as a filter: `new` (null), or the number (10 call back, 11 being served, 12 done, or another). */
export const SubscriberStatusFilter = z
  .union([
    z.literal('new'),
    z.coerce
      .number()
      .int()
      .min(-MAX_INT - 1)
      .max(MAX_INT),
  ])
  .meta({ description: '"new" (not called yet), 10 (call back at the set time), 11 (being served), 12 (the callback succeeded), or another number' });
export type SubscriberStatusFilter = z.infer<typeof SubscriberStatusFilter>;

export const Subscriber = z.object({
  id: z.number().int(),
  taskId: z.string().nullable(),
  tel: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  orderId: z.string().nullable(),
  ownerId: z.string().nullable(),
  comments: z.string().nullable(),
  callaftermin: z.number().int().nullable(),
  dateCallback: z.string().nullable().meta({ description: 'YYYY-MM-DD' }),
  timeCallback: z.string().nullable().meta({ description: 'HH:MM:SS' }),
  operatorNumber: z.string().nullable(),
  status: z.number().int().nullable().meta({ description: 'null: new; 10: call back at dueAt; 11: being served; 12: the callback succeeded' }),
  statusReason: z.string().nullable().meta({ description: 'why the row has its status, when Tellflow set it (e.g. "reset by admin")' }),
  dateCall: DateTime.nullable().meta({ description: 'when the last call was made' }),
  dueAt: DateTime.nullable().meta({ description: 'when a status-10 row is due for its callback' }),
  externalKey: z.string().nullable().meta({ description: "the row's key in the subscriber file (its key column, or tel:<number>#<n>)" }),
});
export type Subscriber = z.infer<typeof Subscriber>;

export const SubscriberListQuery = z.object({
  task: ScenarioId.optional().meta({ description: "only this outbound task's subscribers" }),
  status: SubscriberStatusFilter.optional(),
  dueBefore: z.iso.datetime({ offset: true }).optional().meta({ description: 'only rows due before this time (which are status 10)' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'rows per page (default 100)' }),
  cursor: z.string().max(200).optional().meta({ description: "the previous page's nextCursor" }),
});
export type SubscriberListQuery = z.infer<typeof SubscriberListQuery>;

export const SubscriberList = z.object({
  subscribers: z.array(Subscriber).meta({ description: 'by due time (rows without one last), then id' }),
  total: z.number().int().meta({ description: 'rows matching the filter, on every page' }),
  nextCursor: z.string().nullable().meta({ description: 'pass as cursor for the next page; null on the last page' }),
});
export type SubscriberList = z.infer<typeof SubscriberList>;

export const ResetSubscribers = z
  .strictObject({
    ids: z.array(PositiveInt).min(1).max(10_000).optional().meta({ description: 'these rows; or task (and status) instead' }),
    task: ScenarioId.optional().meta({ description: "the task's rows (with status: those with one of these statuses)" }),
    status: z.array(SubscriberStatusFilter).min(1).optional().meta({ description: 'with task: only rows with these statuses' }),
    to: z.enum(['new', 'callback']).meta({ description: 'new: dialled again as a new subscriber; callback: status 10, due at dueAt' }),
    dueAt: DateTime.optional().meta({ description: 'with to=callback: when the callback is due (default now)' }),
  })
  .superRefine((b, ctx) => {
    if ((b.ids === undefined) === (b.task === undefined)) ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give either ids or task' });
    if (b.status !== undefined && b.task === undefined)
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'filters the rows of a task: give task too' });
    if (b.dueAt !== undefined && b.to !== 'callback') ctx.addIssue({ code: 'custom', path: ['dueAt'], message: 'is for to=callback only' });
  });
export type ResetSubscribers = z.infer<typeof ResetSubscribers>;

export const ResetDone = z.object({ reset: z.number().int().meta({ description: 'rows changed' }), ids: z.array(z.number().int()) });
export type ResetDone = z.infer<typeof ResetDone>;

/** Queues (seed 000): customers wait, agents serving them are offered the next one. */
import { ScenarioId } from '@tellflow/engine';
import { z } from 'zod';
import { DateTime } from './common.ts';

const Seconds = (max: number) => z.number().int().min(0).max(max);

export const QueueInput = z.strictObject({
  id: ScenarioId,
  name: z.string().min(1).max(200).optional().describe('Default: the id'),
  priority: z.number().int().min(-1000).max(1000).optional().describe('Agents serve higher-priority queues first (default 0)'),
  offerTimeoutSec: Seconds(3600).min(1).optional().describe("How long an offer waits for the agent's answer (default 20)"),
  maxWaitSec: Seconds(86_400).min(1).nullable().optional().describe('A waiting customer times out after this (null: never)'),
  wrapUpSec: Seconds(3600).optional().describe('Wrap-up after serving, unless the agent says ready first (default 0)'),
  serviceLevelSec: Seconds(3600).min(1).optional().describe('Answered within this counts for the service level (default 20)'),
  shortAbandonSec: Seconds(3600).optional().describe('Customers who leave sooner are not counted as abandoned (default 5)'),
  reofferDelaySec: Seconds(3600).optional().describe('An agent who rejected or missed a customer is not offered them again for this long (default 30)'),
  consecutiveTimeoutsToDnd: z.number().int().min(0).max(100).optional().describe('Offers timed out in a row that put the agent in DND (0: never; default 3)'),
  overflowQueueId: ScenarioId.nullable().optional().describe('Where a customer goes when the max wait passes (null: the wait ends as timed out)'),
});
export type QueueInput = z.infer<typeof QueueInput>;
export const QueuePatch = QueueInput.omit({ id: true }).partial();
export type QueuePatch = z.infer<typeof QueuePatch>;

export const Queue = z.object({
  id: z.string(),
  name: z.string(),
  priority: z.number().int(),
  offerTimeoutSec: z.number().int(),
  maxWaitSec: z.number().int().nullable(),
  wrapUpSec: z.number().int(),
  serviceLevelSec: z.number().int(),
  shortAbandonSec: z.number().int(),
  reofferDelaySec: z.number().int(),
  consecutiveTimeoutsToDnd: z.number().int(),
  overflowQueueId: z.string().nullable(),
});
export type Queue = z.infer<typeof Queue>;

/** A queue's state now (the seed's queue status). */
export const QueueStatus = z.object({
  queueId: z.string(),
  waiting: z.number().int().meta({ description: 'customers waiting (offered ones included)' }),
  longestWaitSec: z.number().nullable(),
  agentsServing: z.number().int(),
  agentsFree: z.number().int().meta({ description: 'serving agents the availability rule says are available' }),
  agentsBusy: z.number().int(),
});
export type QueueStatus = z.infer<typeof QueueStatus>;

export const QueueWithStatus = z.object({ queue: Queue, status: QueueStatus });
export const QueueList = z.object({ queues: z.array(QueueWithStatus) });
export const OneQueue = z.object({ queue: Queue });
export const QueueParams = z.object({ id: ScenarioId });

export const EntryState = z.enum(['waiting', 'offered', 'assigned', 'served', 'left', 'timedOut', 'cancelled']);

/** A customer in a queue, as agents and supervisors see it. */
export const QueueEntry = z.object({
  id: z.number().int(),
  queueId: z.string(),
  customer: z.string(),
  name: z.string().nullable(),
  extra: z.record(z.string(), z.unknown()),
  state: EntryState,
  enqueuedAt: DateTime,
  position: z.number().int().nullable().meta({ description: 'place in the queue, 1 = next (null once assigned or ended)' }),
  waitedSec: z.number(),
  estimatedWaitSec: z.number().nullable().meta({ description: 'see docs/queues.md: null until the queue has a handle time' }),
  agentId: z.string().nullable(),
  callbackNumber: z.string().nullable(),
});
export type QueueEntry = z.infer<typeof QueueEntry>;
export const QueueEntryList = z.object({ entries: z.array(QueueEntry) });
export const OneEntry = z.object({ entry: QueueEntry });

/** An agent's membership in a queue. */
export const Membership = z.object({ queueId: z.string(), priority: z.number().int(), since: DateTime });
export const MembershipList = z.object({ queues: z.array(Membership) });
export const StartService = z.strictObject({ priority: z.number().int().min(-1000).max(1000).optional() });

export const Offer = z.object({
  id: z.number().int(),
  entry: QueueEntry,
  state: z.enum(['pending', 'accepted', 'rejected', 'timedOut', 'cancelled']),
  mode: z.enum(['auto', 'manual']),
  createdAt: DateTime,
  expiresAt: DateTime.nullable(),
  reason: z.string().nullable(),
});
export type Offer = z.infer<typeof Offer>;
export const OneOffer = z.object({ offer: Offer.nullable() });
export const RejectOffer = z.strictObject({ reason: z.string().min(1).max(200).optional() });
/** The seed's reqAssignUser result: an offer accepted for the agent, or nobody waiting (QUE_NOUSER). */
export const NextCustomer = z.discriminatedUnion('result', [
  z.object({ result: z.literal('assigned'), offer: Offer }),
  z.object({ result: z.literal('nobodyWaiting') }),
]);
export const RequestCustomer = z.strictObject({ queueId: ScenarioId.optional(), entryId: z.number().int().positive().optional() });

/** A customer joining (the seed's startQueuing2). */
export const JoinQueue = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
  callbackNumber: z.string().min(1).max(64).optional().describe('leave a number and hang up, keeping the place: called back when an agent accepts'),
});

/** The sliding window of queue statistics, as `?window=`: a number and s, m or h. */
export const STATS_WINDOW_DEFAULT = '15m';
export const STATS_WINDOW_MAX_SEC = 86_400;
const UNIT_SEC = { s: 1, m: 60, h: 3600 } as const;
/** Seconds in a window such as `90s`, `15m` or `24h` (one the schema accepted). */
export function windowSeconds(window: string): number {
  const unit = window.at(-1) as keyof typeof UNIT_SEC;
  return Number(window.slice(0, -1)) * UNIT_SEC[unit];
}
const WINDOW_FORMAT = /^[1-9][0-9]{0,5}[smh]$/;
export const StatsWindow = z
  .string()
  .regex(WINDOW_FORMAT, 'must be a whole number and a unit, s, m or h (e.g. 15m)')
  // Only a well-formed window is too long (one issue per bad value).
  .refine((w) => !WINDOW_FORMAT.test(w) || windowSeconds(w) <= STATS_WINDOW_MAX_SEC, 'must be at most 24h');
export const QueueStatsQuery = z.object({
  window: StatsWindow.optional().meta({ description: 'the sliding window ending now, e.g. 90s, 15m, 24h (default 15m, at most 24h)' }),
});

const Count = z.number().int();
const NullableSec = z.number().nullable();

/** Statistics of a queue (docs/queues.md "Statistics": one definition each). */
export const QueueStats = z.object({
  queueId: z.string(),
  at: DateTime,
  serviceLevelSec: z.number().int(),
  shortAbandonSec: z.number().int(),
  /** Real time. */
  now: QueueStatus.extend({
    offersPending: Count.meta({ description: 'customers offered to an agent who has not answered yet' }),
    beingServed: Count.meta({ description: 'customers an agent accepted and is serving' }),
    averageHandleTimeSec: NullableSec.meta({ description: 'the smoothed handle time the estimated wait uses (null before the first customer served)' }),
    estimatedWaitSec: NullableSec.meta({
      description: 'the estimated wait of a customer joining now (null: no handle time yet, or nobody signed in serves the queue)',
    }),
  }),
  /** What happened within the window (each thing counted when it happened). */
  window: z.object({
    from: DateTime,
    to: DateTime,
    seconds: Count,
    offers: z.object({ offered: Count, accepted: Count, rejected: Count, timedOut: Count, cancelled: Count }),
    joined: Count,
    answered: Count,
    answeredWithinServiceLevel: Count,
    abandoned: Count.meta({ description: 'left after waiting at least shortAbandonSec' }),
    shortAbandoned: Count.meta({ description: 'left sooner: not counted as abandoned' }),
    waitTimedOut: Count,
    overflowed: Count,
    served: Count,
    averageSpeedOfAnswerSec: NullableSec,
    averageHandleTimeSec: NullableSec,
    serviceLevel: z.number().min(0).max(1).nullable().meta({ description: 'answeredWithinServiceLevel ÷ (answered + abandoned); null when both are 0' }),
  }),
});
export type QueueStats = z.infer<typeof QueueStats>;
/** A customer's own entry (GET /api/customer/queue, the `queue.position` event): null when it waits nowhere. */
export const CustomerQueueEntry = z.object({ entry: QueueEntry.nullable() });

/** "Call the customer": the agent's accepted customer is dialled back and connected to the agent. */
export const CallCustomer = z.strictObject({ entryId: z.number().int().positive() });
/** "I am done with this customer": served, and my wrap-up begins. */
export const ServedCustomer = CallCustomer;
export const CallingCustomer = z.object({
  executionId: z.string().describe('the queue-callback execution that rings you, then dials the customer and connects you'),
  number: z.string(),
});

export const QUEUE_EVENT_KINDS = [
  'joined',
  'offered',
  'accepted',
  'rejected',
  'timedOut',
  'cancelled',
  'abandoned',
  'waitTimedOut',
  'overflowed',
  'served',
  'startService',
  'stopService',
  'agentDnd',
] as const;
export const QueueEventKind = z.enum(QUEUE_EVENT_KINDS);

/** One row of a queue's event log: what happened, to which customer and agent, and why (an `offered` row says why this agent). */
export const QueueLogEvent = z.object({
  id: z.number().int(),
  at: DateTime,
  queueId: z.string().nullable(),
  entryId: z.number().int().nullable(),
  agentId: z.string().nullable(),
  kind: QueueEventKind,
  reason: z.string().nullable(),
  data: z.json().nullable(),
});
export type QueueLogEvent = z.infer<typeof QueueLogEvent>;
export const QueueEventList = z.object({
  events: z.array(QueueLogEvent),
  nextBefore: z.number().int().nullable().meta({ description: 'pass as `before` for the next (older) page; null on the last page' }),
});
export const QueueEventsQuery = z.strictObject({
  before: z.coerce.number().int().positive().optional().meta({ description: 'only events older than this id (paging)' }),
  limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'default 100' }),
  entryId: z.coerce.number().int().positive().optional().meta({ description: "one customer's events" }),
  agentId: z.uuid().optional().meta({ description: "one agent's events" }),
  kind: QueueEventKind.optional(),
});

/** What an agent did and how it went (the `agent.action` event; the seed's responseAssignUserRslt and the like). */
export const AgentActionResult = z.object({
  action: z.enum(['accept', 'reject', 'next', 'startService', 'stopService', 'call', 'served']),
  ok: z.boolean(),
  error: z.string().nullable(),
  queueId: z.string().nullable(),
  offerId: z.number().int().nullable(),
});
export type AgentActionResult = z.infer<typeof AgentActionResult>;

/** The `queue.offer` event: an offer made to the agent, or what became of it. */
export const OfferEvent = z.object({
  offerId: z.number().int(),
  state: z.enum(['pending', 'accepted', 'rejected', 'timedOut', 'cancelled']),
  reason: z.string().nullable(),
  offer: Offer.nullable().meta({ description: 'the offer with its customer (for a pending one)' }),
});

/** Live event names of the queues (GET /api/events). */
export const QUEUE_LIVE_EVENTS = {
  status: 'queue.status',
  position: 'queue.position',
  offer: 'queue.offer',
  action: 'agent.action',
} as const;

/** The live event stream (`GET /api/events`, server-sent events). */
import { z } from 'zod';

/** The event that ends the initial part of a stream: the snapshot and any replay were sent, live events follow. */
export const READY_EVENT = 'ready';

/** The SSE `retry:` hint sent first: how long a client waits before reconnecting (ms). */
export const EVENT_STREAM_RETRY_MS = 3000;

/**
 * One message of the stream: `event: <type>`, `data: <JSON>` and, for a
 * published event, `id: <id>` (what the browser sends back as Last-Event-ID
 * when it reconnects). Snapshot events, the current state sent on every
 * connect, carry no id.
 */
export const LiveEventMessage = z.object({
  id: z.string().regex(/^\d+$/).optional().describe('The event id, for published events'),
  event: z.string().describe('The event type, e.g. `queue.status` or `ready`'),
  data: z.json().describe('The event payload'),
});
export type LiveEventMessage = z.infer<typeof LiveEventMessage>;

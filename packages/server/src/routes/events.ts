/**
 * `GET /api/events`: the viewer's live events as server-sent events. On every
 * (re)connect, in this order:
 *
 *   retry hint → snapshot (current state, no ids) → with Last-Event-ID, the
 *   viewer's kept events after it → `ready` → live events
 *
 * The process subscribes before reading the snapshot, so nothing published
 * meanwhile is lost; an event sent in the replay is not sent again live.
 * A comment every `eventHeartbeatMs` keeps proxies from closing an idle
 * stream, and each one also checks that the viewer may still listen (a
 * signed-out or disabled user's stream ends).
 */
import { EVENT_STREAM_RETRY_MS, LiveEventMessage, READY_EVENT, ROLES } from '@tellflow/api';
import type { TimerHandle } from '@tellflow/clock';
import type { LiveEvent, Viewer } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { badRequest, unauthorized } from '../errors.ts';
import { formatComment, formatMessage } from '../events/sse.ts';
import type { EventStreams } from '../events/streams.ts';
import { customerViewer, sessionViewer, type ViewerSource } from '../events/viewer.ts';
import { routeGroup } from '../http/route-group.ts';

/** At most this many missed events are replayed on a reconnect; the snapshot covers the state beyond that. */
export const MAX_REPLAY = 1000;
/** A client this many messages behind is dropped (it reconnects and gets a fresh snapshot) instead of buffering without bound. */
export const MAX_BACKLOG = 1000;

const viewerKey = (v: Viewer) => (v.kind === 'user' ? `user:${v.id}` : `customer:${v.subject}`);
const maxId = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : BigInt(a) >= BigInt(b) ? a : b);

export function eventRoutes(deps: Deps, streams: EventStreams, sources: ViewerSource[] = [sessionViewer(deps), customerViewer(deps)]) {
  const { runtime, clock, log } = deps;
  const events = runtime.events;
  const heartbeatMs = deps.options.eventHeartbeatMs;
  const api = routeGroup('/api/events', 'events');

  api.get(
    '/',
    {
      summary: 'Your live events (server-sent events)',
      description:
        'A `text/event-stream` that stays open. Each message is `event: <type>` and `data: <JSON>`; published events also carry `id:`. ' +
        'On every connect the current state comes first (snapshot events, without ids), then, when the request has a `Last-Event-ID` header, ' +
        `the missed events still kept (a few minutes, at most ${MAX_REPLAY}), then a \`${READY_EVENT}\` event, then live events. ` +
        `A comment line every ${heartbeatMs / 1000} s keeps the connection alive. ` +
        `At most ${deps.options.maxEventStreamsPerViewer} streams per user or customer (429 beyond). ` +
        'Customers connect with their customer token as `Authorization: Bearer` — in a browser through a `fetch` stream, since EventSource ' +
        'cannot send headers (never put a token in a URL); the stream ends when the token expires: reconnect with a fresh one.',
      access: [...ROLES, 'customer'],
      response: LiveEventMessage,
      eventStream: true,
      errors: [400, 429, 503],
    },
    async (c) => {
      let seen: Awaited<ReturnType<ViewerSource>>;
      for (const source of sources) if ((seen = await source(c))) break;
      if (!seen) throw unauthorized();
      const lastEventId = c.req.header('last-event-id')?.trim() || undefined;
      if (lastEventId !== undefined && !/^\d{1,18}$/.test(lastEventId)) {
        throw badRequest('the Last-Event-ID header must be an event id (digits), as sent in an `id:` line', { header: 'Last-Event-ID' });
      }
      const { viewer, stillValid } = seen;
      const slot = streams.reserve(viewerKey(viewer));

      // Until the stream exists, live events wait here.
      const early: LiveEvent[] = [];
      let send: (e: LiveEvent) => void = (e) => early.push(e);
      let end: () => void = () => {
        endedEarly = true;
      };
      let endedEarly = false;
      let unsubscribe = () => {};
      let initial: string;
      let replayed: Set<string>;
      try {
        unsubscribe = await events.subscribe({ viewer, deliver: (e) => send(e), closed: () => end() });
        const latest = await events.latestId();
        const snapshot = await events.snapshot(viewer);
        const missed = lastEventId ? await events.replay(viewer, lastEventId, MAX_REPLAY) : [];
        replayed = new Set(missed.map((e) => e.id));
        // The ready event's id lets a client that has not had an event yet resume from here.
        const resumeAt = maxId(maxId(lastEventId ?? null, latest), missed.at(-1)?.id ?? null);
        initial =
          formatMessage({ retry: EVENT_STREAM_RETRY_MS }) +
          snapshot.map((e) => formatMessage({ event: e.type, data: JSON.stringify(e.data) })).join('') +
          missed.map(eventMessage).join('') +
          formatMessage({ event: READY_EVENT, ...(resumeAt !== null ? { id: resumeAt } : {}), data: '{}' });
      } catch (e) {
        unsubscribe();
        slot.release();
        throw e;
      }

      const encoder = new TextEncoder();
      let timer: TimerHandle | undefined;
      let stopped = false;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const stop = () => {
            if (stopped) return;
            stopped = true;
            if (timer) clock.clearTimeout(timer);
            unsubscribe();
            slot.release();
            try {
              controller.close();
            } catch {
              // already closed or cancelled by the client
            }
          };
          const write = (text: string) => {
            if (stopped) return;
            if ((controller.desiredSize ?? 0) <= -MAX_BACKLOG) {
              log('an event stream fell too far behind and was closed', { viewer: viewerKey(viewer) });
              return stop();
            }
            controller.enqueue(encoder.encode(text));
          };
          end = stop;
          slot.onShutdown(stop);
          write(initial);
          send = (e) => {
            if (!replayed.has(e.id)) write(eventMessage(e));
          };
          for (const e of early.splice(0)) send(e);
          if (endedEarly) return stop();
          const beat = () => {
            timer = clock.setTimeout(async () => {
              write(formatComment('heartbeat'));
              let valid: boolean;
              try {
                valid = await stillValid();
              } catch (e) {
                log('could not check an event stream viewer', { error: String(e) });
                valid = true; // a database hiccup is no reason to drop everyone; checked again next beat
              }
              if (!valid) stop();
              else if (!stopped) beat();
            }, heartbeatMs);
          };
          beat();
        },
        cancel() {
          // The client went away.
          end();
        },
      });
      return new Response(body, {
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          // Reverse proxies (nginx) must pass each message on at once, not buffer the response.
          'x-accel-buffering': 'no',
          // A stream the server ends (shutdown, signed out) takes its connection with it: an idle kept-alive one would hold up the server's close.
          connection: 'close',
        },
      });
    },
  );
  return api.group;
}

const eventMessage = (e: LiveEvent) => formatMessage({ id: e.id, event: e.type, data: JSON.stringify(e.data) });

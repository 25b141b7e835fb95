export { LiveEvents, DEFAULT_KEEP_EVENTS_MS, type LiveEventsOptions, type Subscriber } from './live-events.ts';
export { LIVE_EVENTS_CHANNEL } from './sql.ts';
export { reaches, EVENT_TYPE, type Audience, type Viewer, type NewLiveEvent, type LiveEvent, type SnapshotEvent, type SnapshotProvider } from './types.ts';

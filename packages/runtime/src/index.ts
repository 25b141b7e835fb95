export { Runtime, type RuntimeOptions, type TickResult } from './runtime.ts';
export { stores, ExecutionStore, type Stores } from './stores.ts';
export { Commands, type CommandsOptions, type FormSubmitter, type LaunchOptions, type RunHere } from './commands.ts';
export { Worker, type WorkerOptions } from './worker.ts';
export { JobLoop, backgroundJobs, type Job, type JobCounts } from './jobs.ts';
export { Dispatcher, QUEUE_CHANNEL, quietNotifier, type QueueNotifier, type RoundResult } from './queues/dispatcher.ts';
export { joinQueue, leaveQueue, waitingIn, type Join } from './queues/entries.ts';
export {
  LiveEvents,
  LIVE_EVENTS_CHANNEL,
  DEFAULT_KEEP_EVENTS_MS,
  reaches,
  type Audience,
  type LiveEvent,
  type LiveEventsOptions,
  type NewLiveEvent,
  type SnapshotEvent,
  type SnapshotProvider,
  type Subscriber,
  type Viewer,
} from './events/index.ts';
export { CallEvents, type CallEventsOptions } from './call-events.ts';
export { detached, type Attachment, type CallAttempt, type ExecutionAttachment } from './attachment.ts';
export { outboundAttachment } from './outbound/attachment.ts';
export { ScenarioStore, type ScenarioSummary, type ScenarioVersion } from './scenarios.ts';
export { RuntimeError } from './errors.ts';
export { WAKE_CHANNEL } from './runner.ts';
export { effectKey, parseEffectKey } from './effect-keys.ts';
export {
  EFFECT_HANDLERS,
  registerEffectHandler,
  effectHandler,
  type EffectHandler,
  type EffectData,
  type EffectContext,
  type EffectServices,
  type PerformContext,
  type Performed,
} from './effects/index.ts';
export { completeEffect, markStarted } from './sql/effects.ts';
export type { ExecutionDetail, ExecutionFilter, ExecutionSummary, IdleFilter, PendingForm, TraceRow } from './sql/read-executions.ts';
export type { EffectRow } from './sql/effects.ts';
export { SqlCallLogStore } from './sim-call-log.ts';
export { ServiceTaskStore, ServiceTaskInput, ServiceTaskPatch, type ServiceTask, type ServiceTaskRun } from './service-tasks/store.ts';
export { Scheduler } from './service-tasks/scheduler.ts';
export { OutboundTaskStore, OutboundTaskInput, OutboundTaskPatch, TASK_SCENARIO_DEFAULTS, type OutboundTask } from './outbound/store.ts';
export type { TaskCallStats, CallFigures, OperatorCallFigures } from './outbound/stats.ts';
export { withinHours, localTime, type CallingHours } from './outbound/hours.ts';
export { nextOpening } from './outbound/readiness.ts';
export type { TaskReadiness } from '@tellflow/api';
export { QUEUE_CALLBACK_SCENARIO } from './queues/callback.ts';
export { QueueStore } from './queues/queue-store.ts';
export { QueueLive } from './queues/live.ts';
export { entryById, currentEntry, estimatedWaitSec } from './queues/entries.ts';
export { pendingOffer, offerById } from './queues/offers.ts';
export { readQueueEvents, type QueueEventPage } from './queues/log.ts';
export { AgentStore, setExtensions, type Agent, type PresenceState } from './agents/store.ts';
export { availability, holdAgent, lockAgent, recordHold, unavailableReason, type Availability, type AgentState } from './agents/availability.ts';
export type { HistoryEntry } from './sql/call-history.ts';
export { installBundled, dependencyOrder, BUNDLED_FOLDER, CALLBACK_MONITOR_TASK } from './bundled.ts';
export {
  importSubscribers,
  NOTHING_IMPORTED,
  formatImportError,
  SubscriberStore,
  SUBSCRIBER_COLUMNS,
  columnNamed,
  type ImportMode,
  type ImportSubscribersOptions,
  type SubscriberImportResult,
  type SubscriberRowError,
  type SubscriberSource,
  type SubscriberColumn,
} from './subscribers/index.ts';
export { queueStats, liveQueueFigures, type LiveQueueFigures } from './queues/stats.ts';
export { serveEntry, type Served } from './queues/serve.ts';
export { renderPrometheus, type Metric, type Sample } from './metrics.ts';

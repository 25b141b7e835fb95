export { Runtime, type RuntimeOptions, type FormSubmitter } from './runtime.ts';
export { ScenarioStore, type ScenarioSummary, type ScenarioVersion } from './scenarios.ts';
export { RuntimeError } from './errors.ts';
export { WAKE_CHANNEL } from './runner.ts';
export { effectKey, parseEffectKey } from './effect-keys.ts';
export type { ExecutionDetail, ExecutionFilter, ExecutionSummary, PendingForm, TraceRow } from './sql/read-executions.ts';
export type { EffectRow } from './sql/effects.ts';
export { SqlCallLogStore } from './sim-call-log.ts';

/**
 * @tellflow/api: the HTTP API's shapes. One zod DTO per entity (the runtime's
 * stores and the server's SQL modules return `z.infer` of them) and every
 * route's request and response schemas (`endpoints`). Depends on zod and the
 * engine only, so the browser imports it without any server code.
 */
export * from './common.ts';
export * from './users.ts';
export * from './api-keys.ts';
export * from './agents.ts';
export * from './queues.ts';
export * from './scenarios.ts';
export * from './executions.ts';
export * from './test-runs.ts';
export * from './service-tasks.ts';
export * from './outbound-tasks.ts';
export * from './subscribers.ts';
export * from './calls.ts';
export * from './health.ts';
export * from './node-types.ts';
export * from './events.ts';
export * from './endpoints.ts';
export { sameShape, type Same } from './same.ts';

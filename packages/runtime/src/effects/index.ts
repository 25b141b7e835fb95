/**
 * The effect handlers, one per kind (see handler.ts). A node type that
 * touches the world brings its handler here: the built-in ones are listed
 * below; `registerEffectHandler` adds one for a new kind (a plugin, a test).
 * A kind without a handler cannot run: publishing refuses a scenario with
 * such a node (scenarios.ts), and an execution reaching one fails.
 */
import type { Effect, EffectKind } from '@tellflow/engine';
import { call } from './call.ts';
import { dial } from './dial.ts';
import { enqueue } from './enqueue.ts';
import { form } from './form.ts';
import type { EffectData, EffectHandler, Performed } from './handler.ts';
import { setStatus } from './set-status.ts';
import { sql } from './sql.ts';
import { startChild } from './start-child.ts';
import { timer } from './timer.ts';

export { EffectRefused } from './handler.ts';
export type { EffectContext, EffectData, EffectHandler, EffectServices, Performed, PerformContext } from './handler.ts';

/** Every built-in kind's handler, each typed by its own effect (so a handler filed under the wrong kind does not compile). */
export const EFFECT_HANDLERS = { sql, setStatus, timer, call, dial, form, startChild, enqueue } satisfies {
  [K in EffectKind]: EffectHandler<Extract<Effect, { kind: K }>>;
};

const handlers = new Map<string, EffectHandler>(Object.entries(EFFECT_HANDLERS) as [string, EffectHandler][]);

/** The ways to perform an effect, each the name of the handler's part that does it. */
const PARTS: readonly Performed[] = ['inTransaction', 'atTime', 'outside'];

/**
 * Adds the handler of a new effect kind (the kind a node definition's
 * `effect` returns). A kind that has one already is refused: replacing a
 * built-in handler would change how running executions are performed.
 */
export function registerEffectHandler<E extends EffectData>(kind: E['kind'], handler: EffectHandler<E>): void {
  if (typeof kind !== 'string' || kind === '') throw new Error(`an effect kind must be a non-empty string, not ${JSON.stringify(kind)}`);
  if (handlers.has(kind)) throw new Error(`effect kind "${kind}" has a handler already`);
  if (!PARTS.some((part) => handler[part])) {
    throw new Error(`the handler of "${kind}" says nothing about how to perform it: give it inTransaction, atTime or outside`);
  }
  handlers.set(kind, handler as unknown as EffectHandler);
}

/** The handler of an effect kind, or undefined when this server cannot perform it. */
export function effectHandler(kind: string): EffectHandler | undefined {
  return handlers.get(kind);
}

/** Kinds whose handler cancels started effects when their execution ends (calls are hung up). */
export function cancellableKinds(): string[] {
  return [...handlers].filter(([, h]) => h.outside?.cancel).map(([kind]) => kind);
}

/** Why nothing here performs `kind` (for a node, or for an execution that reached one). */
export function noHandlerMessage(kind: string, what: string): string {
  return `this server has no handler for "${kind}" effects: ${what} cannot run here`;
}

/**
 * How a handler performs `request`, with the part that does it; throws when
 * the handler says one way and lacks that part (a handler written wrong).
 */
export function howPerformed<E extends EffectData>(handler: EffectHandler<E>, request: E): Performed {
  const performed = handler.performed(request);
  if (!handler[performed]) throw new Error(`the handler of "${request.kind}" performs it ${performed} but has no "${performed}" part`);
  return performed;
}

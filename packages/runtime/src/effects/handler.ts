/**
 * What an effect handler is: everything the runtime knows about one kind of
 * effect (what a node asks of the world). The runner only claims, advances
 * and commits; for the effect a step asks for, it asks the handler of its
 * kind, which says
 *
 *   - how the effect is performed (`performed(request)`):
 *       inTransaction  in the transaction that commits the step consuming its
 *                      result, so its writes and the execution's progress
 *                      commit together: exactly once (sql, setStatus, a
 *                      startChild that does not wait). Its result is what
 *                      `perform` returns.
 *       atTime         nothing to do but wait: the execution is due again at
 *                      `wakeAt` and the result is `{}` (timer).
 *       outside        started through the world with the key
 *                      `(execution, step)` (`start` marks it started, with a
 *                      deadline), so a start repeated after a crash is not
 *                      done twice; the result comes back later through
 *                      `completeEffect` (a call outcome, a form submission, a
 *                      child's end), or `lostResult` once the deadline passes
 *                      without one (call, dial, form, a startChild that waits);
 *   - how it is cancelled when its execution ends: pending effects are
 *     marked cancelled by the ending step's statement, which also returns the
 *     started ones of the kinds whose handler has `cancel` (calls: hung up).
 */
import type { Sandbox } from './statement.ts';
import type { Clock } from '@tellflow/clock';
import type { Database, Transaction } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import type { TelephonyPort } from '@tellflow/telephony';
import type { ExecutionAttachment } from '../attachment.ts';
import type { ScenarioStore } from '../scenarios.ts';
import type { ClaimedExecution } from '../sql/claim.ts';
import type { EffectRow } from '../sql/effects.ts';

/**
 * Thrown by a handler whose request the world refuses for good (e.g. a
 * queue that does not exist): trying again would fail the same way, so the
 * execution fails with this message instead of retrying for ever.
 */
export class EffectRefused extends Error {
  override readonly name = 'EffectRefused';
}

/** An effect as the engine asks for it: its kind and whatever its node put in it. */
export interface EffectData {
  kind: string;
}

export type Performed = 'inTransaction' | 'atTime' | 'outside';

/** The runner's services, for handlers. */
export interface EffectServices {
  db: Database;
  clock: Clock;
  telephony: TelephonyPort;
  scenarios: ScenarioStore;
  /** A call without an outcome this long after its ring timeout is taken as failed. */
  callGraceMs: number;
  /** What executions are attached to, and where their calls are recorded (attachment.ts). */
  attachment: ExecutionAttachment;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** Tells every process's runner that something became due (NOTIFY). */
  notify(payload?: string): Promise<void>;
}

/** The effect being performed and its execution. */
export interface EffectContext {
  services: EffectServices;
  execution: ClaimedExecution;
  /** The effect's step: `(execution.id, step)` is its key. */
  step: number;
  now: number;
}

export interface PerformContext extends EffectContext {
  /**
   * The transaction runs as the restricted scenario role (docs/security.md):
   * scenario SQL goes through `guarded` with this; anything of Tellflow's own
   * (its tables) switches to the server's role first (see start-child.ts).
   */
  sandbox: Sandbox;
  /** What perform did makes other executions due (children inserted): other processes are told once it has committed. */
  wakesOthers(): void;
}

export interface EffectHandler<E extends EffectData = EffectData> {
  /** How this request is performed (one kind may have both ways, e.g. startChild with or without waiting). */
  performed(request: E): Performed;
  inTransaction?: {
    /** The statement timeout for what `perform` runs (ms, 0 = none). */
    statementTimeoutMs(request: E): number;
    /**
     * Performs the effect in `tx`, which other steps share: anything that may
     * fail goes inside `tx.savepoint` and becomes a result (e.g. sql's
     * `{ ok: false }`); a throw undoes the whole transaction, after which each
     * of its steps is tried again alone (and a throw then fails that step's
     * execution, or retries it later, as a failed commit does).
     */
    perform(tx: Transaction, request: E, ctx: PerformContext): Promise<Json>;
  };
  atTime?: {
    /** When the execution is due again (epoch ms). */
    wakeAt(request: E): number;
  };
  outside?: {
    /**
     * Starts the effect under the key `(execution, step)` and marks it
     * started (`markStarted`, with its deadline), or completes it at once
     * when the result is already known. Runs again after a crash between
     * the start and the mark: the world must not do it twice for one key.
     */
    start(ctx: EffectContext, effect: EffectRow, request: E): Promise<void>;
    /** The result taken when the deadline passes without one. */
    lostResult(effect: EffectRow): Json;
    /** After that result was recorded (e.g. the call history notes the failure). */
    afterLost?(ctx: EffectContext, effect: EffectRow): Promise<void>;
    /** Cancels a started effect whose execution ended (by its external id; calls are hung up). Best effort: errors are logged. */
    cancel?(services: EffectServices, externalId: string): Promise<void>;
  };
}

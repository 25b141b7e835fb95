// The telephony port: everything the runtime may ask of a phone system.
// Kept narrow (no media, no transfer semantics) so a SIP adapter can
// implement it with what any PBX offers.
import type { DialRequest, OperatorCallRequest } from './requests.ts';

export const CALL_OUTCOMES = ['answered', 'busy', 'noAnswer', 'failed'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const CALL_EVENT_TYPES = [...CALL_OUTCOMES, 'hungUp'] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/**
 * Outcome events (answered/busy/noAnswer/failed) come once per call.
 * `hungUp` follows only an answered call, when it ends for any reason.
 */
export interface CallEvent {
  type: CallEventType;
  callId: string;
  key: string;
  /** Epoch ms, from the adapter's clock. */
  at: number;
  reason?: string;
  /**
   * The call was lost, not ended by the network: the process that held it
   * stopped before its outcome was known. The event's type is then `failed`
   * (or `hungUp` for an answered call), and `reason` says what happened.
   */
  lost?: true;
}

/**
 * Receives call events. It may return a promise: the adapter then knows
 * when (and whether) the event was taken into account, and offers it again
 * when the promise rejects, so listeners must take a repeated event calmly.
 */
export type CallListener = (event: CallEvent) => unknown;

export type CallKind = 'customer' | 'operator';
export type CallState = 'ringing' | 'answered' | 'ended';

/** A snapshot; adapters hand out copies, never live objects. */
export interface CallInfo {
  callId: string;
  key: string;
  kind: CallKind;
  /** The number dialled, or the operator id. */
  to: string;
  state: CallState;
  /** Set once known; stays 'answered' after an answered call ends. */
  outcome?: CallOutcome;
  reason?: string;
  /** The call was lost with the process that held it (see CallEvent.lost). */
  lost?: true;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  /** callId of the call this one is bridged with. */
  bridgedWith?: string;
}

export type Unsubscribe = () => void;

export interface TelephonyPort {
  /**
   * Places a call to a customer. A key already seen never places a second
   * call: the existing call is returned (this is what makes a retried step
   * after a crash safe).
   */
  dial(req: DialRequest): Promise<CallInfo>;
  /** Calls an operator; same idempotency contract as dial. */
  callOperator(req: OperatorCallRequest): Promise<CallInfo>;
  /** Connects two answered calls. */
  bridge(callIdA: string, callIdB: string): Promise<void>;
  /** Ends a call (and its bridged partner). Hanging up an ended call is a no-op. */
  hangup(callId: string): Promise<void>;
  onEvent(listener: CallListener): Unsubscribe;
  get(callId: string): CallInfo | undefined;
  getByKey(key: string): CallInfo | undefined;
}

export const isCallOutcome = (type: string): type is CallOutcome => (CALL_OUTCOMES as readonly string[]).includes(type);

// The built-in telephony: a TelephonyPort whose calls follow data rules and
// the injected clock instead of a phone network.
//
// Call lifecycle (one outcome event per call, hungUp only after answered):
//   ringing ──rule/answer()──▶ answered ──talkMs/hangup/partner hangup──▶ ended (hungUp)
//   ringing ──rule/reject()/timeout/hangup──▶ ended (busy | noAnswer | failed)
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '@tellflow/clock';
import { InMemoryCallLogStore, type CallLogEntry, type CallLogPatch, type CallLogStore } from './call-log.ts';
import { TelephonyError, unknownCall } from './errors.ts';
import type { CallEvent, CallInfo, CallKind, CallOutcome, TelephonyPort, Unsubscribe } from './port.ts';
import { DialRequestSchema, OperatorCallRequestSchema, parseRequest, type DialRequest, type OperatorCallRequest } from './requests.ts';
import { CompiledRuleSet, DEFAULT_OPERATOR_RULES, parseRuleSet, type RuleDecision, type SimRuleSetInput } from './rules.ts';

export const DEFAULT_RING_TIMEOUT_SEC = 60;

export interface TelephonySimulatorOptions {
  clock: Clock;
  /** Customer rules; validated here, so bad data fails at construction. */
  rules: SimRuleSetInput;
  /** Operator rules; by default every operator call is 'manual'. */
  operatorRules?: SimRuleSetInput;
  /** Call log; in memory unless a durable store is given. */
  log?: CallLogStore;
  /** How long a call rings when the request sets no timeoutSec. */
  defaultTimeoutSec?: number;
  newCallId?: () => string;
  /** Failures of event listeners or of the log store (they must not break a call). */
  onError?: (error: unknown) => void;
}

interface LiveCall {
  info: CallInfo;
  timer?: TimerHandle;
  talkMs?: number;
}

interface PlaceRequest {
  kind: CallKind;
  key: string;
  to: string;
  callerId?: string;
  timeoutSec?: number;
}

export class TelephonySimulator implements TelephonyPort {
  readonly #clock: Clock;
  readonly #customerRules: CompiledRuleSet;
  readonly #operatorRules: CompiledRuleSet;
  readonly #log: CallLogStore;
  readonly #defaultTimeoutMs: number;
  readonly #newCallId: () => string;
  readonly #onError: (error: unknown) => void;

  readonly #calls = new Map<string, LiveCall>();
  readonly #callIdByKey = new Map<string, string>();
  readonly #placing = new Map<string, Promise<CallInfo>>();
  readonly #listeners = new Set<(event: CallEvent) => void>();
  /** Log writes are chained so they land in the order the events happened. */
  #writes: Promise<void> = Promise.resolve();

  constructor(options: TelephonySimulatorOptions) {
    this.#clock = options.clock;
    this.#customerRules = new CompiledRuleSet(parseRuleSet(options.rules, 'simulator rules'));
    this.#operatorRules = new CompiledRuleSet(parseRuleSet(options.operatorRules ?? DEFAULT_OPERATOR_RULES, 'simulator operator rules'));
    this.#log = options.log ?? new InMemoryCallLogStore();
    this.#defaultTimeoutMs = (options.defaultTimeoutSec ?? DEFAULT_RING_TIMEOUT_SEC) * 1000;
    this.#newCallId = options.newCallId ?? randomUUID;
    this.#onError = options.onError ?? ((error) => console.error('[telephony-simulator]', error));
  }

  // ── TelephonyPort ────────────────────────────────────────────────────────

  async dial(req: DialRequest): Promise<CallInfo> {
    const { number, ...rest } = parseRequest(DialRequestSchema, req, 'dial');
    return this.#place({ kind: 'customer', to: number, ...rest });
  }

  async callOperator(req: OperatorCallRequest): Promise<CallInfo> {
    const { operator, ...rest } = parseRequest(OperatorCallRequestSchema, req, 'callOperator');
    return this.#place({ kind: 'operator', to: operator, ...rest });
  }

  async bridge(callIdA: string, callIdB: string): Promise<void> {
    const a = this.#mustGet(callIdA);
    const b = this.#mustGet(callIdB);
    if (a === b) throw new TelephonyError('invalidState', `cannot bridge call "${callIdA}" with itself`, callIdA);
    // A retried bridge (e.g. after a runtime restart) is a no-op.
    if (a.info.bridgedWith === callIdB && b.info.bridgedWith === callIdA) return;
    for (const call of [a, b]) {
      if (call.info.state !== 'answered') {
        throw new TelephonyError('invalidState', `cannot bridge call "${call.info.callId}": it is ${call.info.state}, not answered`, call.info.callId);
      }
      if (call.info.bridgedWith !== undefined) {
        throw new TelephonyError('invalidState', `call "${call.info.callId}" is already bridged with "${call.info.bridgedWith}"`, call.info.callId);
      }
    }
    a.info.bridgedWith = callIdB;
    b.info.bridgedWith = callIdA;
  }

  async hangup(callId: string): Promise<void> {
    const call = this.#mustGet(callId);
    if (call.info.state === 'ringing') this.#settle(call, 'failed', 'cancelled by hangup');
    else if (call.info.state === 'answered') this.#end(call, 'hangup');
    // Already ended: nothing to do, so retries are safe.
  }

  onEvent(listener: (event: CallEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(callId: string): CallInfo | undefined {
    const call = this.#calls.get(callId);
    return call && { ...call.info };
  }

  getByKey(key: string): CallInfo | undefined {
    const callId = this.#callIdByKey.get(key);
    return callId === undefined ? undefined : this.get(callId);
  }

  // ── Simulator controls (agent page, tests) ───────────────────────────────

  /** Answers a ringing call, typically a 'manual' operator call from the agent page. */
  async answer(callId: string): Promise<CallInfo> {
    const call = this.#mustBeRinging(callId, 'answer');
    this.#settle(call, 'answered');
    return { ...call.info };
  }

  async reject(callId: string, outcome: 'busy' | 'failed' = 'busy', reason?: string): Promise<CallInfo> {
    if (outcome !== 'busy' && outcome !== 'failed') {
      throw new TelephonyError('invalidRequest', `reject: outcome must be "busy" or "failed", got "${String(outcome)}"`, callId);
    }
    const call = this.#mustBeRinging(callId, 'reject');
    this.#settle(call, outcome, reason ?? 'rejected');
    return { ...call.info };
  }

  /** The call log once pending writes have landed. */
  async callLog(): Promise<CallLogEntry[]> {
    await this.settled();
    return this.#log.list();
  }

  /** Resolves when every log write issued so far has completed. */
  async settled(): Promise<void> {
    await this.#writes;
  }

  /** Cancels all timers (shutdown, end of a test); calls stay as they are. */
  dispose(): void {
    for (const call of this.#calls.values()) this.#clearTimer(call);
  }

  // ── Placing calls ────────────────────────────────────────────────────────

  /** Requests with the same key are serialised so the second sees the first's call. */
  async #place(req: PlaceRequest): Promise<CallInfo> {
    const prior = this.#placing.get(req.key) ?? Promise.resolve();
    const run = prior.catch(() => undefined).then(() => this.#placeOnce(req));
    this.#placing.set(req.key, run);
    try {
      return await run;
    } finally {
      if (this.#placing.get(req.key) === run) this.#placing.delete(req.key);
    }
  }

  async #placeOnce(req: PlaceRequest): Promise<CallInfo> {
    const startedAt = this.#clock.now();
    const { placed, entry } = await this.#log.reserve({
      key: req.key,
      callId: this.#newCallId(),
      kind: req.kind,
      to: req.to,
      ...(req.callerId !== undefined && { callerId: req.callerId }),
      startedAt,
    });
    if (!placed) return this.#existing(req, entry);

    const call: LiveCall = {
      info: { callId: entry.callId, key: entry.key, kind: entry.kind, to: entry.to, state: 'ringing', startedAt },
    };
    this.#register(call);
    const rules = req.kind === 'customer' ? this.#customerRules : this.#operatorRules;
    const timeoutMs = req.timeoutSec !== undefined ? req.timeoutSec * 1000 : this.#defaultTimeoutMs;
    this.#schedule(call, rules.decide(req.to, entry.attempt), timeoutMs);
    return { ...call.info };
  }

  #existing(req: PlaceRequest, entry: CallLogEntry): CallInfo {
    if (entry.kind !== req.kind || entry.to !== req.to) {
      throw new TelephonyError(
        'keyConflict',
        `key "${req.key}" was already used for a ${entry.kind} call to "${entry.to}"; refusing a ${req.kind} call to "${req.to}"`,
        entry.callId,
      );
    }
    const live = this.#calls.get(entry.callId);
    return live ? { ...live.info } : this.#adoptOrphan(entry);
  }

  /**
   * The log knows this key but this process has no live call for it: it was
   * placed before a restart. The network leg is gone, so the call is closed
   * as ended (failed if its outcome never arrived) rather than re-placed.
   * Assumes one simulator per call log, which is how it is embedded.
   */
  #adoptOrphan(entry: CallLogEntry): CallInfo {
    const now = this.#clock.now();
    const info: CallInfo = {
      callId: entry.callId,
      key: entry.key,
      kind: entry.kind,
      to: entry.to,
      state: 'ended',
      outcome: entry.outcome ?? 'failed',
      startedAt: entry.startedAt,
      endedAt: entry.endedAt ?? now,
    };
    const reason = entry.outcome === undefined ? 'call lost: placed before the simulator restarted' : entry.reason;
    if (reason !== undefined) info.reason = reason;
    if (entry.answeredAt !== undefined) info.answeredAt = entry.answeredAt;
    this.#register({ info });
    if (entry.outcome === undefined || entry.endedAt === undefined) {
      this.#persist(entry.key, { outcome: info.outcome, endedAt: info.endedAt, ...(reason !== undefined && { reason }) });
    }
    return { ...info };
  }

  #register(call: LiveCall): void {
    this.#calls.set(call.info.callId, call);
    this.#callIdByKey.set(call.info.key, call.info.callId);
  }

  #schedule(call: LiveCall, decision: RuleDecision, timeoutMs: number): void {
    if (decision.talkMs !== undefined) call.talkMs = decision.talkMs;
    const elapsed = this.#clock.now() - call.info.startedAt;
    const noAnswer = (): void => this.#settle(call, 'noAnswer', `no answer within ${timeoutMs / 1000}s`);
    if (decision.outcome === 'manual' || decision.afterMs > timeoutMs) {
      call.timer = this.#clock.setTimeout(noAnswer, timeoutMs - elapsed);
    } else {
      const outcome = decision.outcome;
      call.timer = this.#clock.setTimeout(() => this.#settle(call, outcome), decision.afterMs - elapsed);
    }
  }

  // ── State transitions ────────────────────────────────────────────────────

  /** ringing → answered | ended, with the call's single outcome event. */
  #settle(call: LiveCall, outcome: CallOutcome, reason?: string): void {
    if (call.info.state !== 'ringing') return;
    this.#clearTimer(call);
    const at = this.#clock.now();
    call.info.outcome = outcome;
    if (reason !== undefined) call.info.reason = reason;
    if (outcome === 'answered') {
      call.info.state = 'answered';
      call.info.answeredAt = at;
      this.#persist(call.info.key, { outcome, answeredAt: at });
      if (call.talkMs !== undefined) {
        call.timer = this.#clock.setTimeout(() => this.#end(call, 'remote party hung up'), call.talkMs);
      }
    } else {
      call.info.state = 'ended';
      call.info.endedAt = at;
      this.#persist(call.info.key, { outcome, endedAt: at, ...(reason !== undefined && { reason }) });
    }
    this.#emit({ type: outcome, callId: call.info.callId, key: call.info.key, at, ...(reason !== undefined && { reason }) });
  }

  /** answered → ended; a bridged partner goes down with it. */
  #end(call: LiveCall, reason: string): void {
    if (call.info.state !== 'answered') return;
    this.#clearTimer(call);
    const at = this.#clock.now();
    call.info.state = 'ended';
    call.info.endedAt = at;
    this.#persist(call.info.key, { endedAt: at });
    this.#emit({ type: 'hungUp', callId: call.info.callId, key: call.info.key, at, reason });
    const partner = call.info.bridgedWith === undefined ? undefined : this.#calls.get(call.info.bridgedWith);
    if (partner) this.#end(partner, `bridged call ${call.info.callId} hung up`);
  }

  #clearTimer(call: LiveCall): void {
    if (call.timer !== undefined) this.#clock.clearTimeout(call.timer);
    delete call.timer;
  }

  #emit(event: CallEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  #persist(key: string, patch: CallLogPatch): void {
    this.#writes = this.#writes.then(() => this.#log.update(key, patch)).catch(this.#onError);
  }

  #mustGet(callId: string): LiveCall {
    const call = this.#calls.get(callId);
    if (!call) throw unknownCall(callId);
    return call;
  }

  #mustBeRinging(callId: string, action: string): LiveCall {
    const call = this.#mustGet(callId);
    if (call.info.state !== 'ringing') {
      throw new TelephonyError('invalidState', `cannot ${action} call "${callId}": it is ${call.info.state}, not ringing`, callId);
    }
    return call;
  }
}

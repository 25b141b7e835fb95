// The built-in telephony: a TelephonyPort whose calls follow data rules and
// the injected clock instead of a phone network.
//
// Call lifecycle (one outcome event per call, hungUp only after answered):
//   ringing ──rule/answer()──▶ answered ──talkMs/hangup/partner hangup──▶ ended (hungUp)
//   ringing ──rule/reject()/timeout/hangup──▶ ended (busy | noAnswer | failed)
//
// What the simulator learns is written to its call log first (batched:
// log-writer.ts) and only then offered to the listeners; a call is closed in
// the log once it ended and the listeners took all its events. An instance
// beats in the log while it runs (`heartbeatMs`): the open calls of one that
// stopped beating — killed, or closed — are taken over by another instance
// (or the next one), which hands on the outcome the log holds or, when there
// is none, ends the call as lost: its leg died with its process.
// Finished calls stay in memory `keepEndedMs`, then leave it.
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '@tellflow/clock';
import { InMemoryCallLogStore, type CallLogEntry, type CallLogPatch, type CallLogStore } from './call-log.ts';
import { TelephonyError, unknownCall } from './errors.ts';
import { CallLogWriter } from './log-writer.ts';
import type { CallEvent, CallInfo, CallKind, CallListener, CallOutcome, TelephonyPort, Unsubscribe } from './port.ts';
import { DialRequestSchema, OperatorCallRequestSchema, parseRequest, type DialRequest, type OperatorCallRequest } from './requests.ts';
import { CompiledRuleSet, DEFAULT_OPERATOR_RULES, parseRuleSet, type RuleDecision, type SimRuleSetInput } from './rules.ts';

export const DEFAULT_RING_TIMEOUT_SEC = 60;
export const DEFAULT_OWNER_TIMEOUT_MS = 5_000;
export const DEFAULT_KEEP_ENDED_MS = 60_000;

/** Why a call taken over from a stopped instance ended. */
export const LOST_WITH_PROCESS = 'call lost: the process that placed it stopped';
/** Why a call found by a repeated request, placed by an instance that stopped, ended. */
export const LOST_BEFORE_RESTART = 'call lost: placed before the simulator restarted';

/** Open calls taken over per sweep. */
const TAKE_OVER_BATCH = 500;

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
  /** This instance's name in the call log (default: a random UUID). */
  instanceId?: string;
  /**
   * How often this instance beats in the log and sweeps (takes over the open
   * calls of stopped instances, offers again events a listener failed on,
   * lets finished calls go). 0 (the default): never by itself — the
   * instance then counts as stopped for every other one, as when one
   * simulator owns its log; `sweep()` still does it on demand.
   */
  heartbeatMs?: number;
  /** An instance that has not beaten for this long has stopped: its open calls are taken over. */
  ownerTimeoutMs?: number;
  /** How long a finished call stays in memory (`get`, the agent page) before it leaves. */
  keepEndedMs?: number;
}

interface LiveCall {
  info: CallInfo;
  timer?: TimerHandle;
  talkMs?: number;
  /** Its events so far (the outcome, then hungUp), offered again when a listener failed on one. */
  events: CallEvent[];
  /** Deliveries of one call run one after another, in order. */
  delivering: Promise<void>;
  /** A listener failed on one of its events: the next sweep offers them all again. */
  undelivered?: boolean;
  /** Closed in the log: ended and delivered. */
  closed?: boolean;
}

/** What the simulator holds in memory (tests check that finished calls leave). */
export interface SimulatorFootprint {
  calls: number;
  keys: number;
  placing: number;
  undelivered: number;
  finished: number;
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
  readonly #id: string;
  readonly #heartbeatMs: number;
  readonly #ownerTimeoutMs: number;
  readonly #keepEndedMs: number;
  readonly #writer: CallLogWriter;

  readonly #calls = new Map<string, LiveCall>();
  readonly #callIdByKey = new Map<string, string>();
  readonly #placing = new Map<string, Promise<CallInfo>>();
  readonly #listeners = new Set<CallListener>();
  /** Calls a listener failed on. */
  readonly #undelivered = new Set<LiveCall>();
  /** Closed calls in the order they closed, with when they leave memory. */
  #finished: Array<{ call: LiveCall; leaveAt: number }> = [];
  /** Deliveries and sweeps under way, for settled(). */
  readonly #inflight = new Set<Promise<void>>();
  #tick: TimerHandle | undefined;
  #stopped = false;
  #firstBeat: Promise<void> = Promise.resolve();

  constructor(options: TelephonySimulatorOptions) {
    this.#clock = options.clock;
    this.#customerRules = new CompiledRuleSet(parseRuleSet(options.rules, 'simulator rules'));
    this.#operatorRules = new CompiledRuleSet(parseRuleSet(options.operatorRules ?? DEFAULT_OPERATOR_RULES, 'simulator operator rules'));
    this.#log = options.log ?? new InMemoryCallLogStore();
    this.#defaultTimeoutMs = (options.defaultTimeoutSec ?? DEFAULT_RING_TIMEOUT_SEC) * 1000;
    this.#newCallId = options.newCallId ?? randomUUID;
    this.#onError = options.onError ?? ((error) => console.error('[telephony-simulator]', error));
    this.#id = options.instanceId ?? randomUUID();
    this.#heartbeatMs = nonNegative(options.heartbeatMs ?? 0, 'heartbeatMs');
    this.#ownerTimeoutMs = nonNegative(options.ownerTimeoutMs ?? DEFAULT_OWNER_TIMEOUT_MS, 'ownerTimeoutMs');
    this.#keepEndedMs = nonNegative(options.keepEndedMs ?? DEFAULT_KEEP_ENDED_MS, 'keepEndedMs');
    if (this.#heartbeatMs > 0 && this.#ownerTimeoutMs <= this.#heartbeatMs) {
      throw new RangeError(`simulator: ownerTimeoutMs (${this.#ownerTimeoutMs}) must be longer than heartbeatMs (${this.#heartbeatMs})`);
    }
    this.#writer = new CallLogWriter({ store: this.#log, owner: this.#id, clock: this.#clock, onError: this.#onError });
    if (this.#heartbeatMs > 0) {
      // Beats before it places a call, so no call of its can belong to an instance nobody knows of.
      this.#firstBeat = this.#log.beat(this.#id, this.#clock.now()).catch(this.#onError);
      // The first sweep at once: calls a previous instance left open are taken over as soon as it counts as stopped.
      this.#scheduleSweep(0);
    }
  }

  /** This instance's name in the call log. */
  get instanceId(): string {
    return this.#id;
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

  /**
   * Hangs a call up. A call another instance holds (placed by another
   * process) is hung up by its holder at its next sweep, as one PBX serves
   * every process; a call nobody holds open (unknown, or long finished) is an
   * unknownCall error.
   */
  async hangup(callId: string): Promise<void> {
    if (!this.#calls.has(callId) && (await this.#log.requestHangup(callId))) return;
    const call = this.#mustGet(callId);
    if (call.info.state === 'ringing') await this.#settle(call, 'failed', 'cancelled by hangup');
    else if (call.info.state === 'answered') await this.#end(call, 'hangup');
    // Already ended: nothing to do, so retries are safe.
  }

  onEvent(listener: CallListener): Unsubscribe {
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

  /** The calls this instance holds in memory (open ones, and ended ones for a while), as snapshots. */
  list(): CallInfo[] {
    return [...this.#calls.values()].map((call) => ({ ...call.info }));
  }

  /** Answers a ringing call, typically a 'manual' operator call from the agent page. */
  async answer(callId: string): Promise<CallInfo> {
    const call = this.#mustBeRinging(callId, 'answer');
    await this.#settle(call, 'answered');
    return { ...call.info };
  }

  async reject(callId: string, outcome: 'busy' | 'failed' = 'busy', reason?: string): Promise<CallInfo> {
    if (outcome !== 'busy' && outcome !== 'failed') {
      throw new TelephonyError('invalidRequest', `reject: outcome must be "busy" or "failed", got "${String(outcome)}"`, callId);
    }
    const call = this.#mustBeRinging(callId, 'reject');
    await this.#settle(call, outcome, reason ?? 'rejected');
    return { ...call.info };
  }

  /** The call log once pending writes have landed. */
  async callLog(): Promise<CallLogEntry[]> {
    await this.settled();
    return this.#log.list();
  }

  /** Resolves when every log write issued so far has landed and every event was offered to the listeners. */
  async settled(): Promise<void> {
    while (this.#inflight.size || this.#writer.backlog) {
      await Promise.all(this.#inflight);
      await this.#writer.idle();
    }
  }

  /** Cancels all timers (end of a test, "kill -9"); calls stay as they are and nothing more is written. */
  dispose(): void {
    this.#stopped = true;
    if (this.#tick !== undefined) this.#clock.clearTimeout(this.#tick);
    this.#tick = undefined;
    for (const call of this.#calls.values()) this.#clearTimer(call);
  }

  /**
   * Shutdown: stops the calls (their legs end with the process), waits for
   * deliveries under way, writes what the log still lacks, and retires this
   * instance so its open calls are taken over at once by another one (or
   * the next start). Await it before closing the log's database.
   */
  async close(): Promise<void> {
    this.dispose();
    while (this.#inflight.size) await Promise.all(this.#inflight);
    await this.#writer.close();
    await this.#log.retire(this.#id).catch(this.#onError);
  }

  /** What the simulator holds in memory now. */
  footprint(): SimulatorFootprint {
    return {
      calls: this.#calls.size,
      keys: this.#callIdByKey.size,
      placing: this.#placing.size,
      undelivered: this.#undelivered.size,
      finished: this.#finished.length,
    };
  }

  /**
   * Beats (when heartbeats are on), offers again the events a listener
   * failed on, hangs up the calls other processes asked to end, takes over the open calls of stopped instances — handing on
   * the outcome the log holds, or ending them as lost — and lets finished
   * calls leave memory. Runs every `heartbeatMs`; callable any time.
   */
  async sweep(): Promise<void> {
    const now = this.#clock.now();
    if (this.#heartbeatMs > 0) await this.#log.beat(this.#id, now);
    for (const call of [...this.#undelivered]) {
      this.#undelivered.delete(call);
      call.undelivered = false;
      this.#deliver(call, [...call.events]);
    }
    for (const callId of await this.#log.takeHangups(this.#id)) if (this.#calls.has(callId)) await this.hangup(callId);
    const orphans = await this.#log.takeOver(this.#id, now - this.#ownerTimeoutMs, { limit: TAKE_OVER_BATCH });
    for (const entry of orphans) this.#adoptOrphan(entry, LOST_WITH_PROCESS, 'all');
    this.#evict(this.#clock.now());
  }

  #scheduleSweep(ms: number): void {
    this.#tick = this.#clock.setTimeout(() => {
      this.#tick = undefined;
      this.#track(
        this.sweep()
          .catch(this.#onError)
          .finally(() => {
            if (!this.#stopped) this.#scheduleSweep(this.#heartbeatMs);
          }),
      );
    }, ms);
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
    await this.#firstBeat;
    const startedAt = this.#clock.now();
    this.#evict(startedAt);
    const { placed, entry } = await this.#log.reserve({
      owner: this.#id,
      key: req.key,
      callId: this.#newCallId(),
      kind: req.kind,
      to: req.to,
      ...(req.callerId !== undefined && { callerId: req.callerId }),
      startedAt,
    });
    if (!placed) return await this.#existing(req, entry);

    const call = newCall({ callId: entry.callId, key: entry.key, kind: entry.kind, to: entry.to, state: 'ringing', startedAt });
    this.#register(call);
    const rules = req.kind === 'customer' ? this.#customerRules : this.#operatorRules;
    const timeoutMs = req.timeoutSec !== undefined ? req.timeoutSec * 1000 : this.#defaultTimeoutMs;
    this.#schedule(call, rules.decide(req.to, entry.attempt), timeoutMs);
    return { ...call.info };
  }

  async #existing(req: PlaceRequest, entry: CallLogEntry): Promise<CallInfo> {
    if (entry.kind !== req.kind || entry.to !== req.to) {
      throw new TelephonyError(
        'keyConflict',
        `key "${req.key}" was already used for a ${entry.kind} call to "${entry.to}"; refusing a ${req.kind} call to "${req.to}"`,
        entry.callId,
      );
    }
    const live = this.#calls.get(entry.callId);
    if (live) return { ...live.info };
    if (entry.owner === undefined || entry.owner === this.#id) return snapshot(entry);
    // Held by another instance: if it stopped, the call is this one's to end; if it runs, it reports the outcome.
    const [taken] = await this.#log.takeOver(this.#id, this.#clock.now() - this.#ownerTimeoutMs, { limit: 1, key: entry.key });
    return taken ? this.#adoptOrphan(taken, LOST_BEFORE_RESTART, 'after outcome') : snapshot(entry);
  }

  /**
   * A call this instance took over from one that stopped: its leg is gone,
   * so it ends now — with the outcome the log holds, or as lost. Its events
   * are offered to the listeners (`all`), or, for a repeated request, those
   * after the outcome (the outcome goes back to the requester as the answer).
   */
  #adoptOrphan(entry: CallLogEntry, reason: string, offer: 'all' | 'after outcome'): CallInfo {
    const now = this.#clock.now();
    const info = snapshot(entry);
    const base = { callId: entry.callId, key: entry.key };
    const patch: CallLogPatch = {};
    const events: CallEvent[] = [];
    if (entry.outcome === undefined) {
      info.state = 'ended';
      info.outcome = 'failed';
      info.reason = reason;
      info.lost = true;
      info.endedAt = now;
      patch.outcome = 'failed';
      patch.reason = reason;
      patch.lost = true;
      patch.endedAt = now;
      events.push({ type: 'failed', ...base, at: now, reason, lost: true });
    } else {
      const at = entry.outcome === 'answered' ? (entry.answeredAt ?? now) : (entry.endedAt ?? now);
      events.push({ type: entry.outcome, ...base, at, ...(entry.reason !== undefined && { reason: entry.reason }), ...(entry.lost && { lost: true }) });
      // An answered call still talking when its instance stopped was cut off then.
      const cutOff = entry.endedAt === undefined;
      if (cutOff) {
        info.state = 'ended';
        info.endedAt = now;
        patch.endedAt = now;
      }
      if (entry.outcome === 'answered') {
        if (cutOff) info.lost = patch.lost = true;
        events.push({ type: 'hungUp', ...base, at: info.endedAt ?? now, ...(cutOff && { reason, lost: true as const }) });
      }
    }
    const call = newCall(info, events);
    this.#register(call);
    this.#track(
      this.#writer.write(entry.key, patch).then(
        () => this.#deliver(call, offer === 'all' ? events : events.slice(1)),
        () => {}, // reported by the writer; the call stays open in the log for the next instance
      ),
    );
    return { ...call.info };
  }

  #register(call: LiveCall): void {
    this.#calls.set(call.info.callId, call);
    this.#callIdByKey.set(call.info.key, call.info.callId);
  }

  #schedule(call: LiveCall, decision: RuleDecision, timeoutMs: number): void {
    if (decision.talkMs !== undefined) call.talkMs = decision.talkMs;
    const elapsed = this.#clock.now() - call.info.startedAt;
    const noAnswer = (): void => void this.#settle(call, 'noAnswer', `no answer within ${timeoutMs / 1000}s`);
    if (decision.outcome === 'manual' || decision.afterMs > timeoutMs) {
      call.timer = this.#clock.setTimeout(noAnswer, timeoutMs - elapsed);
    } else {
      const outcome = decision.outcome;
      call.timer = this.#clock.setTimeout(() => void this.#settle(call, outcome), decision.afterMs - elapsed);
    }
  }

  // ── State transitions ────────────────────────────────────────────────────

  /** ringing → answered | ended, with the call's single outcome event; resolves once that was delivered. */
  #settle(call: LiveCall, outcome: CallOutcome, reason?: string): Promise<void> {
    if (call.info.state !== 'ringing') return Promise.resolve();
    this.#clearTimer(call);
    const at = this.#clock.now();
    call.info.outcome = outcome;
    if (reason !== undefined) call.info.reason = reason;
    const event: CallEvent = { type: outcome, callId: call.info.callId, key: call.info.key, at, ...(reason !== undefined && { reason }) };
    if (outcome === 'answered') {
      call.info.state = 'answered';
      call.info.answeredAt = at;
      if (call.talkMs !== undefined) {
        call.timer = this.#clock.setTimeout(() => void this.#end(call, 'remote party hung up'), call.talkMs);
      }
      return this.#publish(call, event, { outcome, answeredAt: at });
    }
    call.info.state = 'ended';
    call.info.endedAt = at;
    return this.#publish(call, event, { outcome, endedAt: at, ...(reason !== undefined && { reason }) });
  }

  /** answered → ended; a bridged partner goes down with it. Resolves once both were delivered. */
  #end(call: LiveCall, reason: string): Promise<void> {
    if (call.info.state !== 'answered') return Promise.resolve();
    this.#clearTimer(call);
    const at = this.#clock.now();
    call.info.state = 'ended';
    call.info.endedAt = at;
    const published = this.#publish(call, { type: 'hungUp', callId: call.info.callId, key: call.info.key, at, reason }, { endedAt: at });
    const partner = call.info.bridgedWith === undefined ? undefined : this.#calls.get(call.info.bridgedWith);
    return Promise.all([published, partner && this.#end(partner, `bridged call ${call.info.callId} hung up`)]).then(() => {});
  }

  #clearTimer(call: LiveCall): void {
    if (call.timer !== undefined) this.#clock.clearTimeout(call.timer);
    delete call.timer;
  }

  /** Writes what happened to the log, then (once it is there) offers the event to the listeners. */
  #publish(call: LiveCall, event: CallEvent, patch: CallLogPatch): Promise<void> {
    call.events.push(event);
    const published = this.#writer.write(call.info.key, patch).then(
      () => this.#deliver(call, [event]),
      () => {}, // reported by the writer (it gave up at close): the call stays open in the log for the next instance
    );
    this.#track(published);
    return published;
  }

  /**
   * Offers `events` to every listener, after the call's earlier deliveries.
   * A listener that fails (throws or rejects) leaves the call to the next
   * sweep, which offers its events again; with none listening, nothing is
   * delivered and the call stays open. Once a finished call was delivered, it is closed.
   */
  #deliver(call: LiveCall, events: CallEvent[]): Promise<void> {
    const run = call.delivering.then(async () => {
      let ok = events.length === 0 || this.#listeners.size > 0;
      for (const event of events) {
        const results = await Promise.allSettled([...this.#listeners].map(async (listener) => listener({ ...event })));
        for (const r of results) {
          if (r.status === 'rejected') {
            ok = false;
            this.#onError(r.reason);
          }
        }
      }
      if (!ok) {
        call.undelivered = true;
        this.#undelivered.add(call);
      } else if (call.info.state === 'ended' && !call.undelivered && !call.closed) this.#close(call);
    });
    call.delivering = run;
    this.#track(run);
    return run;
  }

  /** The call ended and was delivered: closed in the log, and out of memory once `keepEndedMs` has passed. */
  #close(call: LiveCall): void {
    call.closed = true;
    this.#writer.write(call.info.key, { closed: true }).catch(() => {});
    const now = this.#clock.now();
    this.#finished.push({ call, leaveAt: Math.max(now, call.info.endedAt ?? now) + this.#keepEndedMs });
    this.#evict(now);
  }

  /** Finished calls whose time in memory is up leave it. */
  #evict(now: number): void {
    let n = 0;
    while (n < this.#finished.length && this.#finished[n]!.leaveAt <= now) {
      const { call } = this.#finished[n++]!;
      if (this.#calls.get(call.info.callId) === call) this.#calls.delete(call.info.callId);
      if (this.#callIdByKey.get(call.info.key) === call.info.callId) this.#callIdByKey.delete(call.info.key);
    }
    if (n) this.#finished = this.#finished.slice(n);
  }

  #track(p: Promise<void>): void {
    const tracked = p.catch(this.#onError);
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
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

function newCall(info: CallInfo, events: CallEvent[] = []): LiveCall {
  return { info, events, delivering: Promise.resolve() };
}

/** A call as the log knows it, for an instance that does not hold it. */
function snapshot(entry: CallLogEntry): CallInfo {
  const ended = entry.endedAt !== undefined || (entry.outcome !== undefined && entry.outcome !== 'answered');
  return {
    callId: entry.callId,
    key: entry.key,
    kind: entry.kind,
    to: entry.to,
    state: ended ? 'ended' : entry.outcome === 'answered' ? 'answered' : 'ringing',
    startedAt: entry.startedAt,
    ...(entry.outcome !== undefined && { outcome: entry.outcome }),
    ...(entry.reason !== undefined && { reason: entry.reason }),
    ...(entry.lost && { lost: true as const }),
    ...(entry.answeredAt !== undefined && { answeredAt: entry.answeredAt }),
    ...(entry.endedAt !== undefined && { endedAt: entry.endedAt }),
  };
}

function nonNegative(ms: number, name: string): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`simulator: ${name} must be a number of milliseconds >= 0, got ${ms}`);
  return ms;
}

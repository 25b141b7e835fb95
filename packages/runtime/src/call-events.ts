/**
 * Call events from the telephony layer become effect results: a call's
 * outcome completes the effect keyed (execution, step) and wakes the
 * execution; an answered dial that asked to be bridged is joined to the
 * operator's call first. The calls themselves are recorded through the
 * attachment hook (call history); a call lost with the process that held it
 * is recorded there as `lost`. An event that could not be recorded is
 * reported back to the port (the listener's promise rejects), which offers
 * it again: recording one twice changes nothing.
 */
import type { Clock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import { isCallOutcome, type CallEvent, type TelephonyPort } from '@tellflow/telephony';
import type { ExecutionAttachment } from './attachment.ts';
import { parseEffectKey } from './effect-keys.ts';
import { WAKE_CHANNEL } from './runner.ts';
import { completeEffect, currentOperatorCall, loadEffect } from './sql/effects.ts';

export interface CallEventsOptions {
  db: Database;
  clock: Clock;
  telephony: TelephonyPort;
  attachment: ExecutionAttachment;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export class CallEvents {
  /** Events being recorded: settled() waits for them, so a drain misses nothing they make due. */
  private readonly inflight = new Set<Promise<void>>();
  private readonly unsubscribe: () => void;

  /** Listens to the telephony port's events until close(). */
  constructor(private readonly o: CallEventsOptions) {
    this.unsubscribe = o.telephony.onEvent((e) => {
      const p = this.record(e);
      const tracked = p.catch(() => {}).finally(() => this.inflight.delete(tracked));
      this.inflight.add(tracked);
      return p;
    });
  }

  /** Resolves when no event is being recorded. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all(this.inflight);
  }

  /** Stops listening and waits for the events already received. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.settled();
  }

  /** A call outcome becomes its effect's result; a hang-up only ends the call's history row. */
  private async record(e: CallEvent): Promise<void> {
    const ref = parseEffectKey(e.key);
    if (!ref) return;
    const { db, attachment } = this.o;
    try {
      if (!isCallOutcome(e.type)) {
        if (e.type === 'hungUp') await attachment.callHungUp(db, e.callId, e.at, e.lost === true);
        return;
      }
      if (e.type === 'answered') await this.bridgeIfAsked(ref.executionId, ref.step, e.callId);
      await attachment.callOutcome(db, ref.executionId, ref.step, e.lost ? 'lost' : e.type, e.at);
      const result: Json = { outcome: e.type, callId: e.callId, ...(e.reason ? { reason: e.reason } : {}), ...(e.lost ? { lost: true } : {}) };
      if (await completeEffect(db, ref.executionId, ref.step, result, this.o.clock.now())) await db.notify(WAKE_CHANNEL, '');
    } catch (err) {
      this.o.log('could not record a call outcome', { key: e.key, error: String(err) });
      throw err;
    }
  }

  private async bridgeIfAsked(executionId: string, step: number, callId: string): Promise<void> {
    const { db, log } = this.o;
    const effect = await loadEffect(db, executionId, step);
    // Only while the dial waits: an answer offered again (after a failure, or by another process) is not bridged twice.
    if (effect?.status !== 'pending' || effect.request.kind !== 'dial' || !effect.request.bridge) return;
    const operatorCall = await currentOperatorCall(db, executionId);
    if (!operatorCall?.callId) return log('dial asked to bridge, but there is no operator call', { execution: executionId, step });
    await this.o.telephony.bridge(operatorCall.callId, callId).catch((err: unknown) => log('bridge failed', { execution: executionId, error: String(err) }));
  }
}

/**
 * The agent page's view of the telephony simulator: the operator calls that
 * are ringing now, and answering or rejecting one ('manual' operator rules,
 * the default, leave that to a person).
 *
 * The simulator has no listing of its live calls, so the ringing ones are
 * found in its call log — entries of kind 'operator' without an outcome —
 * and each is checked against `get(callId)` for its live state (an entry
 * left without an outcome by a restart is no live call). When the log is
 * this database's `sim_calls` table (SqlCallLogStore, as `tellflow serve`
 * runs it), one query finds those entries instead of reading the whole log.
 * The simulator lives in one process: a call placed by another server
 * process sharing the database is not listed here and cannot be answered
 * from here.
 */
import type { Call, RingingCall } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import { parseEffectKey } from '@tellflow/runtime';
import type { CallInfo, CallLogEntry, TelephonySimulator } from '@tellflow/telephony';
import { conflict, forbidden, notFound } from './errors.ts';

/** What the desk needs of the simulator. */
export type SimulatorControls = Pick<TelephonySimulator, 'get' | 'answer' | 'reject' | 'callLog'>;

export interface TelephonyControls {
  simulator: SimulatorControls;
  /** The simulator's call log is the `sim_calls` table of the app's database. */
  logInDatabase?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

export const callView = (c: CallInfo): Call => ({
  callId: c.callId,
  operator: c.to,
  state: c.state,
  outcome: c.outcome ?? null,
  startedAt: new Date(c.startedAt),
  answeredAt: date(c.answeredAt),
  endedAt: date(c.endedAt),
});

export class CallDesk {
  constructor(
    private readonly db: Queryable,
    private readonly telephony: TelephonyControls | undefined,
  ) {}

  /** Operator calls ringing now, oldest first; `operators` limits them to those numbers. */
  async ringing(operators?: readonly string[]): Promise<RingingCall[]> {
    const sim = this.telephony?.simulator;
    if (!sim || operators?.length === 0) return [];
    const candidates = await this.unanswered(operators);
    const live = candidates.map((id) => sim.get(id)).filter((c): c is CallInfo => c?.kind === 'operator' && c.state === 'ringing');
    // Stable: calls placed in the same millisecond keep the log's order.
    live.sort((a, b) => a.startedAt - b.startedAt);
    const executionOf = new Map(live.map((c) => [c.callId, parseEffectKey(c.key)?.executionId] as const));
    const ids = [...new Set([...executionOf.values()].filter((id): id is string => !!id && UUID.test(id)))];
    const found = new Map<string, { taskId: string | null; subscriber: RingingCall['subscriber'] }>();
    if (ids.length) {
      const { rows } = await this.db.query<{
        id: string;
        task_id: string | null;
        subscriber_id: number | null;
        tel: string | null;
        first_name: string | null;
        last_name: string | null;
      }>(
        `select x.id, x.task_id, x.subscriber_id, s.tel, s.first_name, s.last_name
         from executions x left join table_out_call s on s."Id" = x.subscriber_id where x.id = any($1::uuid[])`,
        [ids],
      );
      for (const r of rows) {
        found.set(r.id, {
          taskId: r.task_id,
          subscriber: r.subscriber_id !== null && r.tel !== null ? { id: r.subscriber_id, tel: r.tel, firstName: r.first_name, lastName: r.last_name } : null,
        });
      }
    }
    return live.map((c) => {
      const executionId = executionOf.get(c.callId);
      const x = executionId ? found.get(executionId) : undefined;
      return {
        callId: c.callId,
        operator: c.to,
        startedAt: new Date(c.startedAt),
        executionId: x ? executionId! : null,
        taskId: x?.taskId ?? null,
        subscriber: x?.subscriber ?? null,
      };
    });
  }

  /**
   * Answers or rejects a ringing operator call. `operators`: the numbers the
   * user answers for (undefined: any call). 404 unknown, 403 someone else's,
   * 409 no longer ringing.
   */
  async settle(callId: string, action: { answer: true } | { reject: 'busy' | 'failed'; reason: string }, operators?: readonly string[]): Promise<Call> {
    const sim = this.telephony?.simulator;
    const call = sim?.get(callId);
    if (!sim || call?.kind !== 'operator') throw notFound(`operator call "${callId}"`);
    if (operators && !operators.includes(call.to)) throw forbidden(`call "${callId}" is for operator ${call.to}`);
    if (call.state !== 'ringing') {
      throw conflict(`call "${callId}" is no longer ringing: it is ${call.state}${call.outcome ? ` (${call.outcome})` : ''}`, { call: callView(call) });
    }
    // Settled meanwhile: the simulator's TelephonyError 'invalidState' is a 409 too.
    return callView('answer' in action ? await sim.answer(callId) : await sim.reject(callId, action.reject, action.reason));
  }

  /** Call ids of operator calls the log has no outcome for, in the log's order. */
  private async unanswered(operators?: readonly string[]): Promise<string[]> {
    if (this.telephony?.logInDatabase) {
      const { rows } = await this.db.query<{ call_id: string }>(
        `select call_id from sim_calls where kind = 'operator' and outcome is null and ended_at is null ${operators ? 'and "to" = any($1::text[])' : ''}
         order by started_at, key`,
        operators ? [[...operators]] : [],
      );
      return rows.map((r) => r.call_id);
    }
    const log: CallLogEntry[] = await this.telephony!.simulator.callLog();
    return log.filter((e) => e.kind === 'operator' && e.outcome === undefined && (!operators || operators.includes(e.to))).map((e) => e.callId);
  }
}

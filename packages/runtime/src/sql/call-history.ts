/**
 * The call history of outbound tasks: one row per call attempt, so the
 * operator's card can show the previous calls of a subscriber. Written
 * through the outbound attachment hook (outbound/attachment.ts).
 */
import type { Queryable } from '@tellflow/db';
import type { CallAttempt } from '../attachment.ts';

export async function recordAttempt(q: Queryable, a: CallAttempt): Promise<void> {
  await q.query(
    `insert into call_history (task_id, subscriber_id, execution_id, step, kind, operator, number, call_id, started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (execution_id, step) do nothing`,
    [a.taskId, a.subscriberId, a.executionId, a.step, a.kind, a.operator, a.number, a.callId, new Date(a.at)],
  );
}

/**
 * A call's outcome; the first one recorded stays. A lost call (its process
 * stopped before the outcome was known) gets no end time: nobody saw it end.
 */
export async function recordOutcome(q: Queryable, executionId: string, step: number, outcome: string, at: number): Promise<void> {
  await q.query(
    `update call_history set outcome = coalesce(outcome, $3),
       answered_at = case when $3 = 'answered' then coalesce(answered_at, $4) else answered_at end,
       ended_at = case when $3 not in ('answered', 'lost') then coalesce(ended_at, $4) else ended_at end
     where execution_id = $1 and step = $2`,
    [executionId, step, outcome, new Date(at)],
  );
}

/**
 * An answered call ended. One cut off with the process that held it (`lost`)
 * ended when nobody was looking: it is marked lost and keeps no end time, so
 * the time until another process noticed never counts as talk.
 */
export async function recordHangup(q: Queryable, callId: string, at: number, lost = false): Promise<void> {
  if (lost) await q.query(`update call_history set outcome = 'lost' where call_id = $1 and ended_at is null`, [callId]);
  else await q.query('update call_history set ended_at = $2 where call_id = $1 and ended_at is null', [callId, new Date(at)]);
}

export interface HistoryEntry {
  kind: 'operator' | 'customer';
  number: string;
  operator: string | null;
  outcome: string | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  /** Talk time in seconds, when the call was answered and has ended. */
  durationSec: number | null;
}

export async function subscriberHistory(q: Queryable, subscriberId: number, taskId?: string): Promise<HistoryEntry[]> {
  const { rows } = await q.query(
    `select kind, number, operator, outcome, started_at, answered_at, ended_at from call_history
     where subscriber_id = $1 ${taskId ? 'and task_id = $2' : ''} order by started_at, id`,
    taskId ? [subscriberId, taskId] : [subscriberId],
  );
  return rows.map((r) => {
    const answered = r.answered_at as Date | null;
    const ended = r.ended_at as Date | null;
    return {
      kind: r.kind as HistoryEntry['kind'],
      number: r.number as string,
      operator: r.operator as string | null,
      outcome: r.outcome as string | null,
      startedAt: r.started_at as Date,
      answeredAt: answered,
      endedAt: ended,
      durationSec: answered && ended ? Math.round((ended.getTime() - answered.getTime()) / 1000) : null,
    };
  });
}

/**
 * An outbound task's call figures for its administrator, from the call
 * history: how the calls to customers and to operators ended, how long the
 * answered customer calls lasted, and the same per operator. Optionally for
 * calls started within a time range.
 */
import type { OutcomeCounts, TaskCallStats } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';

export type { OutcomeCounts, TaskCallStats };

// A lost call (its process died before its outcome was known) counts as failed.
const COUNTS = `
  count(*)::int as calls,
  count(*) filter (where outcome = 'answered')::int as answered,
  count(*) filter (where outcome = 'busy')::int as busy,
  count(*) filter (where outcome = 'noAnswer')::int as no_answer,
  count(*) filter (where outcome in ('failed', 'lost'))::int as failed,
  count(*) filter (where outcome is null)::int as in_progress,
  coalesce(sum(extract(epoch from ended_at - answered_at)) filter (where answered_at is not null and ended_at is not null), 0)::float8 as talk_s,
  count(*) filter (where answered_at is not null and ended_at is not null)::int as talks`;

interface CountRow {
  calls: number;
  answered: number;
  busy: number;
  no_answer: number;
  failed: number;
  in_progress: number;
  talk_s: number;
  talks: number;
}

const counts = (r: CountRow | undefined): OutcomeCounts => ({
  calls: r?.calls ?? 0,
  answered: r?.answered ?? 0,
  busy: r?.busy ?? 0,
  noAnswer: r?.no_answer ?? 0,
  failed: r?.failed ?? 0,
  inProgress: r?.in_progress ?? 0,
});

const round = (x: number) => Math.round(x * 10) / 10;

export async function taskCallStats(q: Queryable, taskId: string, range: { from?: Date; to?: Date } = {}): Promise<TaskCallStats> {
  const where = 'task_id = $1 and ($2::timestamptz is null or started_at >= $2) and ($3::timestamptz is null or started_at < $3)';
  const params = [taskId, range.from ?? null, range.to ?? null];
  const byKind = await q.query<CountRow & { kind: string; subscribers: number }>(
    `select kind, ${COUNTS}, count(distinct subscriber_id)::int as subscribers from call_history where ${where} group by kind`,
    params,
  );
  const byOperator = await q.query<CountRow & { operator: string }>(
    `select operator, ${COUNTS} from call_history where ${where} and kind = 'customer' and operator is not null group by operator order by operator`,
    params,
  );
  const customer = byKind.rows.find((r) => r.kind === 'customer');
  const c = counts(customer);
  const finished = c.calls - c.inProgress;
  return {
    customers: {
      ...c,
      subscribersCalled: customer?.subscribers ?? 0,
      answerRate: finished > 0 ? Math.round((c.answered / finished) * 1000) / 1000 : null,
      talkSeconds: { total: round(customer?.talk_s ?? 0), average: customer?.talks ? round(customer.talk_s / customer.talks) : null },
    },
    operators: counts(byKind.rows.find((r) => r.kind === 'operator')),
    byOperator: byOperator.rows.map((r) => ({ operator: r.operator, ...counts(r), talkSeconds: round(r.talk_s) })),
  };
}

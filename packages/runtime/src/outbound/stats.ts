/**
 * An outbound task's call figures for its administrator, from the call
 * history: how the calls to customers and to operators ended, how long the
 * answered ones lasted, and both per operator (the calls ringing them, and
 * the customer calls made for them). Optionally for calls started within a
 * time range. The definitions are `CallFigures`' (packages/api).
 *
 * A call is classified once, in SQL (`CLASSIFIED`), by what its history row
 * and its execution say. A call without an outcome whose execution is over
 * (or gone) will never get one: it is lost, not ringing. An answered call
 * without an end is talking only while its execution runs and it was not
 * cut off with its process (outcome `lost`); otherwise its end is unknown.
 * Only an answer and an end both known make talk time.
 */
import type { CallFigures, OperatorCallFigures, TaskCallStats } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';

export type { CallFigures, OperatorCallFigures, TaskCallStats };

const CLASSIFIED = `
  select h.kind, h.operator, h.subscriber_id, h.answered_at, h.ended_at,
    case
      when h.answered_at is not null or h.outcome = 'answered' then 'answered'
      when h.outcome in ('busy', 'noAnswer', 'failed', 'lost') then h.outcome
      when h.outcome is null and e.status in ('running', 'waiting') then 'inProgress'
      else 'lost'
    end as result,
    case
      when h.answered_at is null and h.outcome is distinct from 'answered' then null
      when h.answered_at is not null and h.ended_at is not null then 'timed'
      when h.ended_at is null and h.outcome = 'answered' and e.status in ('running', 'waiting') then 'talking'
      else 'unknownEnd'
    end as talk
  from call_history h left join executions e on e.id = h.execution_id
  where h.task_id = $1 and ($2::timestamptz is null or h.started_at >= $2) and ($3::timestamptz is null or h.started_at < $3)`;

// Clocks of two processes may disagree a little: an end seen before the answer is no negative talk.
const FIGURES = `
  count(*)::int as calls,
  count(*) filter (where result = 'answered')::int as answered,
  count(*) filter (where result = 'busy')::int as busy,
  count(*) filter (where result = 'noAnswer')::int as no_answer,
  count(*) filter (where result = 'failed')::int as failed,
  count(*) filter (where result = 'lost')::int as lost,
  count(*) filter (where result = 'inProgress')::int as in_progress,
  count(*) filter (where talk = 'timed')::int as timed,
  count(*) filter (where talk = 'talking')::int as talking,
  count(*) filter (where talk = 'unknownEnd')::int as unknown_end,
  coalesce(sum(greatest(extract(epoch from ended_at - answered_at), 0)) filter (where talk = 'timed'), 0)::float8 as talk_s`;

interface FigureRow {
  kind: 'customer' | 'operator';
  /** Null on the rows for a whole kind. */
  operator: string | null;
  whole: boolean;
  subscribers: number;
  calls: number;
  answered: number;
  busy: number;
  no_answer: number;
  failed: number;
  lost: number;
  in_progress: number;
  timed: number;
  talking: number;
  unknown_end: number;
  talk_s: number;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

function figures(r: FigureRow | undefined): CallFigures {
  const n = (k: keyof FigureRow) => (r?.[k] as number | undefined) ?? 0;
  const known = n('calls') - n('lost') - n('in_progress');
  const timed = n('timed');
  return {
    calls: n('calls'),
    answered: n('answered'),
    busy: n('busy'),
    noAnswer: n('no_answer'),
    failed: n('failed'),
    lost: n('lost'),
    inProgress: n('in_progress'),
    answerRate: known > 0 ? round(n('answered') / known, 3) : null,
    talk: {
      timed,
      talking: n('talking'),
      unknownEnd: n('unknown_end'),
      totalSeconds: round(n('talk_s'), 1),
      averageSeconds: timed > 0 ? round(n('talk_s') / timed, 1) : null,
    },
  };
}

export async function taskCallStats(q: Queryable, taskId: string, range: { from?: Date; to?: Date } = {}): Promise<TaskCallStats> {
  // One pass: the figures of each kind as a whole, and of each kind per operator.
  const { rows } = await q.query<FigureRow>(
    `with c as (${CLASSIFIED})
     select kind, operator, grouping(operator) = 1 as whole, count(distinct subscriber_id)::int as subscribers, ${FIGURES}
     from c group by grouping sets ((kind), (kind, operator))`,
    [taskId, range.from ?? null, range.to ?? null],
  );
  const whole = (kind: FigureRow['kind']) => rows.find((r) => r.whole && r.kind === kind);
  const perOperator = rows.filter((r) => !r.whole && r.operator !== null);
  const operators = [...new Set(perOperator.map((r) => r.operator as string))].sort();
  const of = (operator: string, kind: FigureRow['kind']) => perOperator.find((r) => r.operator === operator && r.kind === kind);
  return {
    customers: { ...figures(whole('customer')), subscribersCalled: whole('customer')?.subscribers ?? 0 },
    operators: figures(whole('operator')),
    byOperator: operators.map(
      (operator): OperatorCallFigures => ({ operator, operatorCalls: figures(of(operator, 'operator')), customerCalls: figures(of(operator, 'customer')) }),
    ),
  };
}

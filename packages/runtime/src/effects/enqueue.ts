/**
 * `enqueue` (the `queue` node): the caller joins a queue and the execution
 * waits. The dispatcher completes the effect with `assigned` (and the agent)
 * when an agent accepts; leaving completes it with `left`, the queue's max
 * wait with `timeout`. The node's own timeout is the effect's deadline: past
 * it the entry ends as timed out and the node goes on `timeout`. If the
 * execution ends while waiting, its entry ends with it (a trigger: see the
 * queues migration).
 *
 * The join and the mark happen in one transaction, and a start repeated
 * after a crash finds the entry of `(execution, step)`: joined once.
 */
import type { Effect } from '@tellflow/engine';
import { joinQueue } from '../queues/entries.ts';
import { logQueueEvents } from '../queues/log.ts';
import { markStarted } from '../sql/effects.ts';
import type { EffectHandler } from './handler.ts';

type Enqueue = Extract<Effect, { kind: 'enqueue' }>;

export const enqueue: EffectHandler<Enqueue> = {
  performed: () => 'outside',
  outside: {
    async start(ctx, effect, request) {
      const { execution: x, now } = ctx;
      await ctx.services.db.transaction(async (tx) => {
        const found = await tx.query('select 1 from queue_entries where execution_id = $1 and step = $2', [x.id, effect.step]);
        if (found.rows.length === 0) {
          const extra = request.data !== null && typeof request.data === 'object' && !Array.isArray(request.data) ? request.data : { data: request.data };
          await joinQueue(
            tx,
            {
              queueId: request.queue,
              customer: request.customer ?? `execution:${x.id}`,
              extra,
              priority: request.priority,
              waiting: { executionId: x.id, step: effect.step },
            },
            now,
          );
        }
        await markStarted(tx, x.id, effect.step, now, { deadline: request.timeoutSec ? now + request.timeoutSec * 1000 : null });
      });
      await ctx.services.db.notify('tellflow_queue', request.queue);
    },
    lostResult: () => ({ outcome: 'timeout' }),
    async afterLost(ctx, effect) {
      const { rows } = await ctx.services.db.query<{ id: number; queue_id: string; agent_id: string | null }>(
        `with e as (
           update queue_entries set state = 'timedOut', ended_at = $3, reason = 'the queue node''s timeout passed'
           where execution_id = $1 and step = $2 and state in ('waiting', 'offered') returning id, queue_id
         ), o as (
           update queue_offers set state = 'cancelled', decided_at = $3, reason = 'the customer stopped waiting' where entry_id in (select id from e) and state = 'pending'
           returning entry_id, agent_id
         )
         select e.id, e.queue_id, o.agent_id from e left join o on o.entry_id = e.id`,
        [ctx.execution.id, effect.step, new Date(ctx.now)],
      );
      await logQueueEvents(
        ctx.services.db,
        ctx.now,
        rows.flatMap((r) => [
          // The offer it took back has its own row, as every cancellation does.
          ...(r.agent_id
            ? [{ kind: 'cancelled' as const, queueId: r.queue_id, entryId: r.id, agentId: r.agent_id, reason: 'the customer stopped waiting' }]
            : []),
          { kind: 'waitTimedOut' as const, queueId: r.queue_id, entryId: r.id, reason: "the queue node's timeout" },
        ]),
      );
    },
  },
};

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
 * after a crash finds the entry of `(execution, step)`: joined once. A join
 * refused (no such queue, the customer waits in another) fails the execution.
 */
import type { Effect } from '@tellflow/engine';
import { RuntimeError } from '../errors.ts';
import { QUEUE_CHANNEL } from '../queues/dispatcher.ts';
import { joinQueue } from '../queues/entries.ts';
import { logQueueEvents } from '../queues/log.ts';
import { recordQueueChange } from '../queues/outbox.ts';
import { markStarted } from '../sql/effects.ts';
import { EffectRefused, type EffectHandler } from './handler.ts';

type Enqueue = Extract<Effect, { kind: 'enqueue' }>;

const STOPPED_WAITING = 'the customer stopped waiting';

export const enqueue: EffectHandler<Enqueue> = {
  performed: () => 'outside',
  outside: {
    async start(ctx, effect, request) {
      const { execution: x, now } = ctx;
      try {
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
            // No notifier here: the round this wakes publishes the queue's new status and positions.
            await recordQueueChange(tx, request.queue);
          }
          await markStarted(tx, x.id, effect.step, now, { deadline: request.timeoutSec ? now + request.timeoutSec * 1000 : null });
        });
      } catch (e) {
        // No such queue, or the customer waits in another one: joining again would be refused the same way.
        if (e instanceof RuntimeError) throw new EffectRefused(`queue "${request.queue}": ${e.message}`);
        throw e;
      }
      await ctx.services.db.notify(QUEUE_CHANNEL, request.queue);
    },
    lostResult: () => ({ outcome: 'timeout' }),
    async afterLost(ctx, effect) {
      const { db } = ctx.services;
      await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: number; queue_id: string; agent_id: string | null; offer_id: number | null }>(
          `with e as (
             update queue_entries set state = 'timedOut', ended_at = $3, reason = 'the queue node''s timeout passed'
             where execution_id = $1 and step = $2 and state in ('waiting', 'offered') returning id, queue_id
           ), o as (
             update queue_offers set state = 'cancelled', decided_at = $3, reason = $4
             where entry_id in (select id from e) and state = 'pending' returning id, entry_id, agent_id
           )
           select e.id, e.queue_id, o.agent_id, o.id as offer_id from e left join o on o.entry_id = e.id`,
          [ctx.execution.id, effect.step, new Date(ctx.now), STOPPED_WAITING],
        );
        await logQueueEvents(
          tx,
          ctx.now,
          rows.flatMap((r) => [
            ...(r.agent_id ? [{ kind: 'cancelled' as const, queueId: r.queue_id, entryId: r.id, agentId: r.agent_id, reason: STOPPED_WAITING }] : []),
            { kind: 'waitTimedOut' as const, queueId: r.queue_id, entryId: r.id, reason: "the queue node's timeout" },
          ]),
        );
        // The round the NOTIFY below wakes tells the agent its offer went, and the queue its new figures.
        for (const r of rows) {
          const cancelled =
            r.offer_id !== null && r.agent_id !== null ? { offerId: Number(r.offer_id), agentId: r.agent_id, reason: STOPPED_WAITING } : undefined;
          await recordQueueChange(tx, r.queue_id, cancelled);
        }
      });
      // The agent whose offer went is free again: dispatch now.
      await db.notify(QUEUE_CHANNEL, 'timeout');
    },
  },
};

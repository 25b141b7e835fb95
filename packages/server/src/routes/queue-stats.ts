/**
 * `GET /api/queues/:id/stats` (admin and supervisor): a queue's figures now
 * and over a sliding window ending now (docs/queues.md "Statistics").
 */
import { QueueParams, QueueStats, QueueStatsQuery, STATS_WINDOW_DEFAULT, windowSeconds } from '@tellflow/api';
import { queueStats } from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { routeGroup } from '../http/route-group.ts';

export function queueStatsRoutes({ db, clock }: Deps) {
  const api = routeGroup('/api/queues', 'queues');
  api.get(
    '/:id/stats',
    {
      summary: "A queue's statistics: now, and over a sliding window (default 15m, at most 24h)",
      description:
        'Waiting, longest wait, agents free and busy, offers pending, the estimated wait of a customer joining now; within the window: offers offered / accepted / rejected / timed out / cancelled, customers joined, answered, abandoned (and short abandons apart), wait timeouts, overflows, served, average speed of answer, average handle time and the service level. Definitions: docs/queues.md "Statistics".',
      access: ['admin', 'supervisor'],
      params: QueueParams,
      query: QueueStatsQuery,
      response: QueueStats,
      errors: [404],
    },
    async (c, { params, query }) => c.json(await queueStats(db, params.id, clock.now(), windowSeconds(query.window ?? STATS_WINDOW_DEFAULT))),
  );
  return api.group;
}

/** `GET /api/health`: no session needed; 503 when the database does not answer. */
import { Health } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';
import { VERSION } from '../version.ts';

export function healthRoutes({ db, log }: Deps) {
  const api = routeGroup('/api/health', 'health');
  api.get('/', { summary: 'Is the server up and its database reachable?', access: 'public', response: Health, errors: [503] }, async (c) => {
    try {
      await db.query('select 1');
    } catch (e) {
      log('health check: the database does not answer', { error: String(e) });
      throw new ApiError(503, 'the database does not answer');
    }
    return c.json({ status: 'ok' as const, database: db.kind, version: VERSION });
  });
  return api.group;
}

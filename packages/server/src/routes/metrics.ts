/**
 * `GET /metrics`: Prometheus metrics (text format 0.0.4) for the engineer
 * running the server. Off unless TELLFLOW_METRICS_TOKEN is set; the scraper
 * then sends it as `Authorization: Bearer TOKEN` (no session: scrapers have
 * none).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { renderPrometheus } from '@tellflow/runtime';
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';
import { ApiError } from '../errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsRoutes({ runtime, options }: Deps) {
  const app = new Hono<AppEnv>();
  const expected = options.metricsToken ? digest(options.metricsToken) : null;
  app.get('/', async (c) => {
    if (!expected) throw new ApiError(404, 'metrics are off: set TELLFLOW_METRICS_TOKEN to turn them on');
    const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    // Compared as digests: equal lengths, and no timing hint about the token.
    if (!given || !timingSafeEqual(digest(given), expected)) {
      throw new ApiError(401, 'send the metrics token as "Authorization: Bearer TOKEN"', undefined, { 'WWW-Authenticate': 'Bearer' });
    }
    return c.body(renderPrometheus(await runtime.metrics()), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
  });
  return app;
}

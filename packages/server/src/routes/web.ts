/**
 * The built web app (`web/dist`) at `/`: files as they are (hashed assets
 * cached for a year), and index.html for any other GET without a file
 * extension, so client-side routes survive a reload. Without a build, a
 * page that says how to make one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tellflow</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto">
<h1>Tellflow is running</h1>
<p>The API is at <a href="/api/health">/api/health</a> (documented in <a href="/api/openapi.json">/api/openapi.json</a>),
but the web app has not been built. Run <code>npm run build</code> (or start with <code>npm start</code>, which builds it) and reload.</p>
</body></html>
`;

export function webRoutes({ dir }: { dir: string }) {
  const app = new Hono<AppEnv>();
  const index = join(dir, 'index.html');
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  let files: MiddlewareHandler<AppEnv> | undefined;
  app.get('*', async (c, next) => {
    // Created once the build exists (serveStatic complains about a missing root), so a later build is picked up.
    files ??= existsSync(dir) ? serveStatic<AppEnv>({ root: dir }) : undefined;
    return files ? files(c, next) : next();
  });
  app.get('*', async (c, next) => {
    if (/\.[A-Za-z0-9]+$/.test(c.req.path)) return next(); // a missing file, not a client-side route
    if (!existsSync(index)) return c.html(NOT_BUILT);
    c.header('Cache-Control', 'no-cache');
    return serveStatic<AppEnv>({ path: index })(c, next);
  });
  return app;
}

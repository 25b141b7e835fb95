/**
 * The first requests of a page, started by boot.ts before the app's code has
 * loaded and run (a second or more on a slow machine), so the server answers
 * while the browser is still busy. The API client takes each response once,
 * for the same GET; later calls go to the network as usual.
 */
const started = new Map<string, { response: Promise<Response>; at: number }>();
/** Past this age a prefetched answer may be stale (the user signed in meanwhile): ask again. */
const FRESH_MS = 15_000;

/** The scenario id when the path is the editor's (`/scenarios/:id`). */
export function editorScenarioId(pathname: string): string | undefined {
  return /^\/scenarios\/([^/]+)\/?$/.exec(pathname)?.[1];
}

export function prefetchFor(pathname: string): void {
  const urls = ['/api/auth/session'];
  const scenarioId = editorScenarioId(pathname);
  if (scenarioId) urls.push(`/api/scenarios/${scenarioId}`, '/api/node-types');
  for (const url of urls) {
    const response = fetch(url, { credentials: 'same-origin' });
    // A response nobody takes (the user is not signed in) must not be reported as an unhandled failure.
    response.catch(() => undefined);
    started.set(url, { response, at: performance.now() });
  }
}

export function takePrefetched(url: string): Promise<Response> | undefined {
  const entry = started.get(url);
  started.delete(url);
  return entry && performance.now() - entry.at < FRESH_MS ? entry.response : undefined;
}

/** A change (signing in, saving) makes every answer fetched before it stale. */
export function dropPrefetched(): void {
  started.clear();
}

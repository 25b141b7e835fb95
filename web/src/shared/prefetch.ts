/**
 * The first requests of a page, started by the inline script in index.html
 * before the app's code has loaded and run (a second or more on a slow
 * machine), so the server answers while the browser is still busy. The API
 * client takes each response once, for the same GET; later calls go to the
 * network as usual.
 */
interface Prefetched {
  url: string;
  response: Promise<Response>;
  at: number;
}

declare global {
  interface Window {
    __tellflowPrefetch?: Prefetched[];
  }
}

const started = new Map((globalThis.window?.__tellflowPrefetch ?? []).map((p) => [p.url, p]));
/** Past this age a prefetched answer may be stale (the user signed in meanwhile): ask again. */
const FRESH_MS = 15_000;

export function takePrefetched(url: string): Promise<Response> | undefined {
  const entry = started.get(url);
  started.delete(url);
  return entry && performance.now() - entry.at < FRESH_MS ? entry.response : undefined;
}

/** A change (signing in, saving) makes every answer fetched before it stale. */
export function dropPrefetched(): void {
  started.clear();
}

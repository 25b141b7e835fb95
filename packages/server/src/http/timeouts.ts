/**
 * How long the HTTP server waits for a client: all headers within
 * `headersTimeoutMs` (a slowloris client is cut off), the whole request, body
 * included, within `requestTimeoutMs` (a stalled or crawling upload is cut
 * off instead of holding a connection for Node's default 300 s). Node checks
 * both every `connectionsCheckingInterval`, which is 30 s by default: far too
 * coarse for limits of a few seconds, so it is a quarter of the shorter one.
 */
import type { ServerOptions } from 'node:http';
import { wholeNumberFromEnv } from '../env-number.ts';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** The request limit leaves a 64 MiB subscriber import 2 minutes (about 0.5 MB/s). */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeoutMs: 20_000, requestTimeoutMs: 120_000 };

export function httpServerOptions({ headersTimeoutMs, requestTimeoutMs }: HttpTimeouts): ServerOptions {
  if (headersTimeoutMs > requestTimeoutMs)
    throw new Error(`the headers timeout (${headersTimeoutMs} ms) must not exceed the request timeout (${requestTimeoutMs} ms)`);
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
  };
}

/** TELLFLOW_HEADERS_TIMEOUT_SECONDS and TELLFLOW_REQUEST_TIMEOUT_SECONDS, each a whole number of seconds from 1 to 3600. */
export function httpTimeoutsFromEnv(env: NodeJS.ProcessEnv): HttpTimeouts {
  const seconds = (name: string, fallbackMs: number) => {
    const n = wholeNumberFromEnv(env, name, 'seconds', 1, 3600);
    return n === undefined ? fallbackMs : n * 1000;
  };
  const t = {
    headersTimeoutMs: seconds('TELLFLOW_HEADERS_TIMEOUT_SECONDS', DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs),
    requestTimeoutMs: seconds('TELLFLOW_REQUEST_TIMEOUT_SECONDS', DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs),
  };
  if (t.headersTimeoutMs > t.requestTimeoutMs) throw new Error('TELLFLOW_HEADERS_TIMEOUT_SECONDS must not exceed TELLFLOW_REQUEST_TIMEOUT_SECONDS');
  return t;
}

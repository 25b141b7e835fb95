/**
 * The browser's API client, typed from @tellflow/api's `endpoints` — the
 * schemas the server's routes use — so a call names its operation the way
 * the OpenAPI document does:
 *
 *   const { scenarios } = await api.get('/api/scenarios');
 *   await api.post('/api/executions/{id}/cancel', { params: { id }, body: { reason } });
 *
 * Replies are decoded with the operation's response schema (ISO times become
 * Dates, a reply that does not match fails loudly); errors are thrown as
 * `ApiError` with the server's `{ error, details }`. The session is the
 * httpOnly cookie, which the browser sends itself.
 */
import { type Endpoint, type Endpoints, ErrorBody, endpoints } from '@tellflow/api';
import type { z } from 'zod';
import { dropPrefetched, takePrefetched } from './prefetch.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Key = keyof Endpoints;
type PathOf<M extends Method> = Key extends infer K ? (K extends `${M} ${infer P}` ? P : never) : never;
type Scalar = string | number | boolean;

/** What a call sends: path parameters and a query when the operation has them, a body when it takes one. */
type Init<E> = (E extends { params: infer P extends z.ZodType } ? { params: { [K in keyof z.output<P>]: Scalar } } : { params?: never }) &
  (E extends { query: infer Q extends z.ZodType } ? { query?: { [K in keyof z.output<Q>]?: Scalar | readonly Scalar[] } } : { query?: never }) &
  (E extends { body: infer B extends z.ZodType }
    ? object extends z.input<B>
      ? { body?: z.input<B> }
      : { body: z.input<B> }
    : E extends { documentBody: z.ZodType }
      ? { body: unknown }
      : E extends { rawBody: true }
        ? { body: Blob | string; contentType?: string }
        : { body?: never });

/** The decoded success body (undefined for a 204). */
export type Reply<K extends Key> = Endpoints[K] extends { response: infer R extends z.ZodType } ? z.output<R> : undefined;

/** The init argument is optional when nothing in it is required. */
type Args<K extends Key> = object extends Init<Endpoints[K]> ? [init?: Init<Endpoints[K]>] : [init: Init<Endpoints[K]>];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server's `details`, or the whole body of a response the operation declares for this status (e.g. an import's 422). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  /** Prefix of every path; '' in the browser (same origin). */
  baseUrl?: string;
  fetch?: typeof fetch;
}

export function createClient({ baseUrl = '', fetch: send = (input, init) => globalThis.fetch(input, init) }: ClientOptions = {}) {
  async function request<K extends Key>(key: K, ...[init]: Args<K>): Promise<Reply<K>> {
    const endpoint = (endpoints as Record<string, Endpoint>)[key]!;
    const given = init as unknown as { params?: Record<string, Scalar>; query?: Record<string, unknown>; body?: unknown; contentType?: string } | undefined;
    const { params, query, body, contentType } = given ?? {};
    const [method, template] = key.split(' ') as [Method, string];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params?.[name];
      if (value === undefined) throw new Error(`${key}: the path parameter "${name}" is missing`);
      return encodeURIComponent(String(value));
    });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) search.append(name, String(v));
    }
    const headers: Record<string, string> = {};
    let payload: BodyInit | undefined;
    if (body !== undefined) {
      const raw = endpoint.rawBody === true;
      payload = raw ? (body as Blob | string) : JSON.stringify(body);
      headers['content-type'] = raw ? (contentType ?? 'text/csv') : 'application/json';
    }
    const url = `${baseUrl}${path}${search.size ? `?${search}` : ''}`;
    if (method !== 'GET') dropPrefetched();
    const early = method === 'GET' ? takePrefetched(url) : undefined;
    const res = await (early ??
      send(url, {
        method,
        headers,
        credentials: 'same-origin',
        ...(payload !== undefined ? { body: payload } : {}),
      }));
    if (!res.ok) throw await errorOf(key, endpoint, res);
    if (!endpoint.response || res.status === 204) return undefined as Reply<K>;
    const parsed = endpoint.response.safeParse(await res.json());
    if (!parsed.success) throw new ApiError(res.status, `${key}: the reply does not match the API's schema: ${parsed.error.message}`);
    return parsed.data as Reply<K>;
  }

  const on =
    <M extends Method>(method: M) =>
    <P extends PathOf<M>>(path: P, ...init: Args<`${M} ${P}` & Key>) =>
      request(`${method} ${path}` as `${M} ${P}` & Key, ...init);

  return { request, get: on('GET'), post: on('POST'), put: on('PUT'), patch: on('PATCH'), delete: on('DELETE') };
}

async function errorOf(key: string, endpoint: Endpoint, res: Response): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => undefined);
  const error = ErrorBody.safeParse(body);
  const message = error.success ? error.data.error : `${key} failed with status ${res.status}`;
  return new ApiError(res.status, message, endpoint.responses?.[res.status] ? body : error.success ? error.data.details : undefined);
}

/** The client the web app uses: same origin, the session cookie sent by the browser. */
export const api = createClient();

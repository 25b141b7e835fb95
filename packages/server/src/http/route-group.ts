/**
 * A route group: one `new Hono()` plus the list of its documented
 * operations. Every route is added through `api.get/post/…(path, spec,
 * handler)`, which
 *   - checks access (401/403) with `requireAccess`,
 *   - parses path parameters (a value that does not fit → 404), the query
 *     and the JSON body with the spec's zod schemas (→ 400); a query
 *     parameter whose schema is an array takes every repeated value,
 *   - or, for a `rawBody` operation (a file upload), checks the media type
 *     (→ 415) and hands the body over as a size-limited stream (→ 413),
 *   - or refuses a body sent to an operation that takes none (→ 400),
 *   - for an `idempotent` operation, honours an `Idempotency-Key` header
 *     (after the checks above, so a bad request never takes a key),
 *   - and records the spec, from which openapi/document.ts builds the
 *     OpenAPI document. The schemas are written once, here.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AppEnv, CustomerViewer, SessionUser } from '../context.ts';
import { badRequest, notFound, zodIssues, type ErrorStatus } from '../errors.ts';
import { requireAccess, type Access } from '../middleware/require-access.ts';
import { refuseBody } from './no-body.ts';
import { checkRawBody, rawBody, type RawBody, type RawBodySpec } from './raw-body.ts';
import { readJson } from './read-json.ts';

export type { RawBody, RawBodySpec } from './raw-body.ts';

type Schema = z.ZodType;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OperationSpec<
  B extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  P extends Schema | undefined = Schema | undefined,
  A extends Access = Access,
> {
  summary: string;
  description?: string;
  /** Who may call it (middleware/require-access.ts); a list with 'customer' lets customer tokens in. */
  access: A;
  /** The JSON body, parsed with this schema; an empty body counts as `{}`. */
  body?: B;
  /**
   * The body is a whole document checked by the handler (a scenario file:
   * `validateScenario` reports issues naming node and field, which a plain
   * parse cannot). Documented with this schema; the handler gets the parsed JSON.
   */
  documentBody?: Schema;
  /**
   * The body is not JSON but a file (e.g. CSV), read by the handler from
   * `input.raw` as it arrives. The app-wide body limit does not apply: this
   * one's `maxBytes` does.
   */
  rawBody?: RawBodySpec;
  query?: Q;
  /** Path parameters; a value that does not parse means the resource does not exist (404). */
  params?: P;
  /** The success response body, for the document. */
  response?: Schema;
  /** Success status (default 200); `download` documents an attachment. */
  status?: 200 | 201 | 202 | 204;
  download?: boolean;
  /** The success response is a `text/event-stream` that stays open; `response` is then the schema of each message. */
  eventStream?: boolean;
  /**
   * A create that honours an `Idempotency-Key` header (middleware/idempotency.ts):
   * a repeat gets the first answer. A handler that creates in one transaction
   * stores the answer in it through `c.var.idempotency`.
   */
  idempotent?: true;
  /** Error statuses besides the ones implied by access and inputs. */
  errors?: ErrorStatus[];
  /** Other documented responses that are not `{ error, details }`, e.g. a 422 with a result body. */
  responses?: Partial<Record<number, { description: string; schema: Schema }>>;
}

export interface Operation {
  method: Method;
  /** OpenAPI form, with the group's prefix: `/api/scenarios/{id}`. */
  path: string;
  tag: string;
  spec: OperationSpec;
}

type Out<S> = S extends Schema ? z.output<S> : undefined;

/** Whether an access lets customers in: only customers, customers or staff, or none. */
type CustomersIn<A> = A extends readonly (infer P)[] ? ('customer' extends P ? ([Exclude<P, 'customer'>] extends [never] ? 'only' : 'some') : 'none') : 'none';

export interface Input<B, Q, P, A = Access> {
  body: B extends Schema ? z.output<B> : unknown;
  query: Out<Q>;
  params: Out<P>;
  /** The streamed body of a `rawBody` operation. */
  raw: RawBody | undefined;
  /** The signed-in user: present on every operation that is not public, except when a customer calls one that lets customers in. */
  user: CustomersIn<A> extends 'none' ? SessionUser : SessionUser | undefined;
  /** The customer token's customer, on operations that let customers in (then exactly one of `user` and `customer` is set). */
  customer: CustomersIn<A> extends 'only' ? CustomerViewer : CustomersIn<A> extends 'some' ? CustomerViewer | undefined : undefined;
}

type Handler<B, Q, P, A> = (c: Context<AppEnv>, input: Input<B, Q, P, A>) => Response | Promise<Response>;

export interface RouteGroup {
  /** Where the group is mounted, e.g. `/api/scenarios`. */
  prefix: string;
  app: Hono<AppEnv>;
  operations: Operation[];
}

export function routeGroup(prefix: string, tag: string) {
  const app = new Hono<AppEnv>();
  const operations: Operation[] = [];
  const add =
    (method: Method) =>
    <
      B extends Schema | undefined = undefined,
      Q extends Schema | undefined = undefined,
      P extends Schema | undefined = undefined,
      const A extends Access = Access,
    >(
      path: string,
      spec: OperationSpec<B, Q, P, A>,
      handler: Handler<B, Q, P, A>,
    ) => {
      const openApiPath = toOpenApiPath(prefix + (path === '/' ? '' : path));
      operations.push({ method, path: openApiPath, tag, spec: spec as unknown as OperationSpec });
      // Parsed inputs, from the parsing step to the handler (an idempotency guard may run in between).
      const inputs = new WeakMap<Context, Omit<Input<B, Q, P, A>, 'raw'>>();
      const parse: MiddlewareHandler<AppEnv> = async (c, next) => {
        const params = spec.params ? parseParams(spec.params, c.req.param() as Record<string, string>, c.req.path) : undefined;
        const query = spec.query ? parseOr400(spec.query, queryValues(c, spec.query), 'query') : undefined;
        let body: unknown;
        if (spec.body) body = parseOr400(spec.body, await readJson(c, { emptyAs: {} }), 'body');
        else if (spec.documentBody) body = await readJson(c);
        else if (spec.rawBody) checkRawBody(c, spec.rawBody);
        else await refuseBody(c, `${method.toUpperCase()} ${openApiPath}`);
        inputs.set(c, { body, query, params, user: c.get('user'), customer: c.get('customer') } as Omit<Input<B, Q, P, A>, 'raw'>);
        await next();
      };
      const guard: MiddlewareHandler<AppEnv>[] = spec.idempotent ? [(c, next) => c.get('idempotencyKeys').guard(spec.rawBody)(c, next)] : [];
      app.on(method.toUpperCase(), path, requireAccess(spec.access), parse, ...guard, async (c) => {
        // The stream is taken only now: the idempotency guard may have replaced it with one that hashes what passes.
        const raw = spec.rawBody ? rawBody(c, spec.rawBody) : undefined;
        return handler(c, { ...inputs.get(c)!, raw } as Input<B, Q, P, A>);
      });
    };
  const group = { prefix, app, operations } satisfies RouteGroup;
  return { group, get: add('get'), post: add('post'), put: add('put'), patch: add('patch'), delete: add('delete') };
}

/** The query as strings, with every value of the parameters the schema declares as arrays (`?map=a&map=b`). */
function queryValues(c: Context<AppEnv>, schema: Schema): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = c.req.query();
  if (schema instanceof z.ZodObject) {
    for (const [key, field] of Object.entries(schema.shape as Record<string, Schema>)) {
      if (!(unwrap(field) instanceof z.ZodArray)) continue;
      const all = c.req.queries(key);
      if (all) values[key] = all;
    }
  }
  return values;
}

const unwrap = (s: Schema): Schema =>
  s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable ? unwrap(s.unwrap() as Schema) : s;

function parseParams(schema: Schema, raw: Record<string, string>, path: string): unknown {
  const r = schema.safeParse(raw);
  if (!r.success) throw notFound(path);
  return r.data;
}

function parseOr400(schema: Schema, value: unknown, where: 'query' | 'body'): unknown {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`the request ${where} is not valid`, { issues: zodIssues(r.error) });
  return r.data;
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

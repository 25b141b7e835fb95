/**
 * The OpenAPI 3.1 document, built from the route groups' operation specs —
 * the same zod schemas that validate the requests — so it cannot drift from
 * what the server accepts.
 */
import { Scenario } from '@tellflow/engine';
import type { z } from 'zod';
import type { ErrorStatus } from '../errors.ts';
import type { Operation, OperationSpec } from '../http/route-group.ts';
import { ErrorBody, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from '@tellflow/api';
import { VERSION } from '../version.ts';
import { SchemaComponents, type JsonSchema } from './json-schema.ts';

const ERROR_TEXT: Record<ErrorStatus, string> = {
  400: 'Bad input: `details.issues` says which field (for scenarios: which node and field)',
  401: 'No valid credential: sign in first (or send a valid API key or customer token where the operation takes one; `error` says what is wrong with it)',
  403: 'Signed in (or holding a customer token), but this role or a customer may not do this',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The request body is too large',
  415: 'The request body is not of a media type this operation accepts',
  422: 'The Idempotency-Key was first used for another request (another path, query or body)',
  429: 'Too many failed sign-ins, or customer tokens minted with one API key: wait for Retry-After seconds',
  503: 'The server is busy checking passwords (wait for Retry-After seconds) or the database does not answer',
};

const IDEMPOTENCY_TEXT =
  'Makes this create safe to repeat (e.g. after a timeout): the first request with a key is processed and its answer kept with the key for 24 hours, per user. ' +
  `A repeat with the same key, path, query and body gets that answer again, marked \`${IDEMPOTENT_REPLAYED_HEADER}: true\`; ` +
  'the same key with another path, query or body is a 422; a repeat while the first is still being processed is a 409 with Retry-After. ' +
  'Answers of 500 and above are not kept (the key can be used again). ' +
  `At most ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, e.g. a random UUID; the draft's quoted form ("…") is accepted too.`;

export function buildOpenApiDocument(operations: Operation[], { maxBodyBytes }: { maxBodyBytes: number }): JsonSchema {
  const components = new SchemaComponents();
  // Scenario bodies reference the full scenario JSON Schema under one name.
  const refFor = (owner: string, schema: z.ZodType) => (schema === Scenario ? components.component('Scenario', Scenario) : components.convert(owner, schema));
  const paths: Record<string, Record<string, unknown>> = {};

  for (const op of operations) {
    const { spec } = op;
    const id = operationId(op);
    const statuses = new Set<ErrorStatus>(spec.errors ?? []);
    const parameters: unknown[] = [];
    for (const name of op.path.match(/\{([^}]+)\}/g)?.map((m) => m.slice(1, -1)) ?? []) {
      const shape = spec.params ? (objectProperties(components.convert(`${id}_params`, spec.params))[name] ?? { type: 'string' }) : { type: 'string' };
      parameters.push({ name, in: 'path', required: true, schema: shape });
    }
    if (spec.query) {
      const q = components.convert(`${id}_query`, spec.query);
      const required = new Set((q.required as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries(objectProperties(q))) {
        const { description, ...rest } = schema as JsonSchema;
        parameters.push({ name, in: 'query', required: required.has(name), schema: rest, ...(description ? { description } : {}) });
      }
      statuses.add(400);
    }
    let requestBody: unknown;
    const bodySchema = spec.body ?? spec.documentBody;
    if (bodySchema) {
      requestBody = { required: !spec.body, content: { 'application/json': { schema: refFor(`${id}_body`, bodySchema) } } };
      statuses.add(400).add(413);
    } else if (spec.rawBody) {
      const { mediaTypes, maxBytes, description } = spec.rawBody;
      requestBody = {
        required: true,
        description: `${description} At most ${maxBytes} bytes.`,
        content: Object.fromEntries(mediaTypes.map((m) => [m, { schema: { type: 'string', ...(m.startsWith('text/') ? {} : { format: 'binary' }) } }])),
      };
      statuses.add(400).add(413).add(415);
    }
    if (spec.idempotent) {
      parameters.push({
        name: IDEMPOTENCY_KEY_HEADER,
        in: 'header',
        required: false,
        description: IDEMPOTENCY_TEXT,
        schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
      });
      statuses.add(400).add(409);
      if (!spec.responses?.[422]) statuses.add(422);
    }
    if (spec.access !== 'public') statuses.add(401);
    if (Array.isArray(spec.access) || spec.access === 'signedIn') statuses.add(403);
    if (spec.access === 'apiKey') statuses.add(429);

    const status = spec.status ?? 200;
    const success: Record<string, unknown> = {
      description: spec.download ? 'The file, as an attachment' : spec.eventStream ? 'A stream of server-sent events, open until the client leaves' : 'Success',
    };
    if (spec.eventStream && spec.response) {
      // OpenAPI 3.1 has no schema for the items of a stream: the message's shape goes in an extension.
      success.content = { 'text/event-stream': { schema: { type: 'string' }, 'x-message-schema': refFor(`${id}_message`, spec.response) } };
    } else if (spec.response && status !== 204) success.content = { 'application/json': { schema: refFor(`${id}_response`, spec.response) } };
    const responses: Record<string, unknown> = { [status]: success };
    for (const [s, r] of Object.entries(spec.responses ?? {})) {
      if (r) responses[s] = { description: r.description, content: { 'application/json': { schema: refFor(`${id}_${s}`, r.schema) } } };
    }
    for (const s of [...statuses].sort()) responses[s] = { $ref: `#/components/responses/E${s}` };

    (paths[op.path] ??= {})[op.method] = {
      operationId: id,
      tags: [op.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      security: securityOf(spec.access),
      'x-roles': spec.access === 'public' ? 'anyone' : spec.access === 'signedIn' ? ['admin', 'supervisor', 'agent'] : spec.access,
    };
  }

  const errorRef = components.component('Error', ErrorBody);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tellflow API',
      version: VERSION,
      description: `Errors are JSON \`{ error, details }\`. Request bodies are limited to ${maxBodyBytes} bytes. Sign in with POST /api/auth/login; the session is the httpOnly cookie \`tellflow_session\`.`,
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components.schemas,
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([s, description]) => [`E${s}`, { description, content: { 'application/json': { schema: errorRef } } }]),
      ),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'tellflow_session' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`tfk_…`, POST /api/api-keys): mints customer tokens only.' },
        customerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A customer token (POST /api/customer-tokens).' },
      },
    },
  };
}

/** Which credentials open an operation: the session cookie, an API key, or (where customers are let in) a customer token. */
function securityOf(access: OperationSpec['access']): Record<string, string[]>[] {
  if (access === 'public') return [];
  if (access === 'apiKey') return [{ apiKey: [] }];
  if (access === 'signedIn') return [{ session: [] }];
  const staff = access.some((p) => p !== 'customer');
  return [...(staff ? [{ session: [] }] : []), ...(access.includes('customer') ? [{ customerToken: [] }] : [])];
}

const objectProperties = (schema: JsonSchema) => (schema.properties ?? {}) as Record<string, JsonSchema>;

/** `POST /api/scenarios/{id}/publish` → `postScenariosIdPublish`. */
function operationId(op: Operation): string {
  const words = op.path
    .replace(/^\/api\//, '')
    .split(/[/{}._-]+/)
    .filter(Boolean);
  return op.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

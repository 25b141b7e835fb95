/**
 * Does a response match what its operation declares? The server's test
 * support runs every response of every route test through this, so the
 * schemas (and the OpenAPI document made from them) cannot drift from what
 * the handlers really send:
 *   - a 2xx has the declared status, and its JSON body parses with
 *     `spec.response` and carries no field the schema does not declare
 *     (an event stream: each message, as `{ id?, event, data }`, does);
 *   - any other status under /api has a body of `spec.responses[status]`
 *     when one is declared, else the `{ error, details }` ErrorBody.
 */
import { ErrorBody } from '@tellflow/api';
import { z } from 'zod';
import { parseMessages } from '../events/sse.ts';
import type { Operation } from './route-group.ts';

export interface SeenResponse {
  method: string;
  /** The request path (a query string is ignored). */
  path: string;
  status: number;
  contentType: string | null;
  /** The body as text. */
  text: string;
}

/** The operation a request was routed to: static segments win over parameters, as in the router. */
export function operationFor(operations: readonly Operation[], method: string, path: string): Operation | undefined {
  const bare = path.split('?')[0]!;
  const matches = operations.filter((op) => op.method === method.toLowerCase() && pathPattern(op.path).test(bare));
  return matches.sort((a, b) => literalLength(b.path) - literalLength(a.path))[0];
}

const patterns = new Map<string, RegExp>();
function pathPattern(openApiPath: string): RegExp {
  let re = patterns.get(openApiPath);
  if (!re) {
    const source = openApiPath
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}/?$`);
    patterns.set(openApiPath, re);
  }
  return re;
}
const literalLength = (openApiPath: string) => openApiPath.replace(/\{[^}]+\}/g, '').length;

/** What is wrong with the response, in one message naming the route; undefined when it matches its declaration. */
export function responseProblem(operations: readonly Operation[], res: SeenResponse): string | undefined {
  const bare = res.path.split('?')[0]!;
  if (!bare.startsWith('/api/')) return undefined;
  const op = operationFor(operations, res.method, bare);
  const route = op ? `${op.method.toUpperCase()} ${op.path}` : `${res.method.toUpperCase()} ${bare}`;
  const problem = (what: string) => `${route} answered ${res.status}: ${what}`;
  const ok = res.status >= 200 && res.status < 300;

  if (ok && !op) return problem('no documented operation matches this request');
  if (ok) {
    const declared = op!.spec.status ?? 200;
    if (res.status !== declared) return problem(`the operation declares status ${declared}`);
    if (res.status === 204) return res.text === '' ? undefined : problem('a 204 must have no body');
    if (!op!.spec.response) return problem('the operation declares no response schema');
    if (op!.spec.eventStream) return streamProblem(op!.spec.response, res, problem);
    return bodyProblem(op!.spec.response, res, problem);
  }
  const declared = op?.spec.responses?.[res.status];
  return bodyProblem(declared ? declared.schema : ErrorBody, res, problem);
}

function bodyProblem(schema: z.ZodType, res: SeenResponse, problem: (what: string) => string): string | undefined {
  if (!res.contentType?.includes('json')) return problem(`the body is ${res.contentType ?? 'untyped'}, not JSON: ${res.text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return problem(`the body is not JSON: ${res.text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return problem(`the body does not match the declared schema:\n${z.prettifyError(parsed.error)}`);
  const extra = undeclared(body, parsed.data, '');
  return extra ? problem(`the body has "${extra}", which the declared schema does not have`) : undefined;
}

/** Each message of an event stream (what was read of it) is `{ id?, event, data: JSON }` of the declared schema. */
function streamProblem(schema: z.ZodType, res: SeenResponse, problem: (what: string) => string): string | undefined {
  if (!res.contentType?.startsWith('text/event-stream')) return problem(`the body is ${res.contentType ?? 'untyped'}, not text/event-stream`);
  for (const m of parseMessages(res.text)) {
    if (m.event === undefined && m.data === undefined && m.id === undefined) continue; // the retry hint alone
    let data: unknown;
    try {
      data = JSON.parse(m.data ?? '');
    } catch {
      return problem(`an event's data is not JSON: ${String(m.data).slice(0, 200)}`);
    }
    const message = { ...(m.id !== undefined ? { id: m.id } : {}), event: m.event, data };
    const parsed = schema.safeParse(message);
    if (!parsed.success) return problem(`an event does not match the declared schema:\n${z.prettifyError(parsed.error)}`);
    const extra = undeclared(message, parsed.data, '');
    if (extra) return problem(`an event has "${extra}", which the declared schema does not have`);
  }
  return undefined;
}

/** The first field of `sent` that parsing dropped (an object schema strips what it does not declare). */
function undeclared(sent: unknown, kept: unknown, path: string): string | undefined {
  if (Array.isArray(sent)) {
    if (!Array.isArray(kept)) return undefined;
    for (let i = 0; i < sent.length; i++) {
      const found = undeclared(sent[i], kept[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (sent === null || typeof sent !== 'object' || kept === null || typeof kept !== 'object' || kept instanceof Date) return undefined;
  for (const [key, value] of Object.entries(sent)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in kept)) return at;
    const found = undeclared(value, (kept as Record<string, unknown>)[key], at);
    if (found) return found;
  }
  return undefined;
}

/** Throws when the response does not match its declaration (what the test support calls on every response). */
export function assertDeclaredResponse(operations: readonly Operation[], res: SeenResponse): void {
  const problem = responseProblem(operations, res);
  if (problem) throw new Error(`the response does not match the API's declaration: ${problem}`);
}

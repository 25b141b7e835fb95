/**
 * @tellflow/api's `endpoints` (what the browser's client is typed from) and
 * the server's route specs name the same operations with the very same
 * schema objects: one declaration, used on both sides.
 */
import { type Endpoint, endpoints } from '@tellflow/api';
import { afterAll, describe, expect, it } from 'vitest';
import { appWithoutDatabase } from './test-support.ts';

const { app, close } = appWithoutDatabase();
afterAll(close);

describe('the API contract', () => {
  it('lists exactly the operations the server documents', () => {
    const served = app.operations.map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(served.sort()).toEqual(Object.keys(endpoints).sort());
  });

  it('gives every operation the schemas its route spec uses', () => {
    for (const op of app.operations) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      const e = (endpoints as Record<string, Endpoint>)[key]!;
      const { spec } = op;
      const same = (what: string, a: unknown, b: unknown) => expect(a, `${key}: ${what}`).toBe(b);
      same('params', spec.params, e.params);
      same('query', spec.query, e.query);
      same('body', spec.body, e.body);
      same('documentBody', spec.documentBody, e.documentBody);
      same('rawBody', !!spec.rawBody, !!e.rawBody);
      same('response', spec.response, e.response);
      same('status', spec.status ?? 200, e.status ?? 200);
      same('download', !!spec.download, !!e.download);
      same('eventStream', !!spec.eventStream, !!e.eventStream);
      same('idempotent', !!spec.idempotent, !!e.idempotent);
      expect(Object.keys(spec.responses ?? {}), `${key}: responses`).toEqual(Object.keys(e.responses ?? {}));
      for (const [status, r] of Object.entries(spec.responses ?? {})) same(`response ${status}`, r?.schema, e.responses?.[Number(status)]);
    }
  });
});

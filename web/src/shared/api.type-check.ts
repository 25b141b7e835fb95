import type { createClient } from './api.ts';

/** Compile-time checks (`npm run typecheck` checks this file; nothing imports it): the client refuses calls the API does not declare. Never called. */
export function refusedByTheCompiler(api: ReturnType<typeof createClient>) {
  // @ts-expect-error not an operation of the API
  void api.get('/api/nothing');
  // @ts-expect-error the path parameter is required
  void api.get('/api/executions/{id}');
  // @ts-expect-error a body field of the wrong type
  void api.post('/api/auth/login', { body: { username: 1, password: 'x' } });
  // @ts-expect-error an operation without a body
  void api.get('/api/health', { body: {} });
}

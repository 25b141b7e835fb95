/**
 * `/api/api-keys` (admin): the keys integrators' backends mint customer
 * tokens with. The secret is in the create's answer and nowhere else: only
 * its hash is stored. (So the create is not idempotent: a replay would have
 * to hand the secret out a second time.)
 */
import { ApiKeyList, ApiKeyParams, CreateApiKey, CreatedApiKey } from '@tellflow/api';
import { createApiKey } from '../auth/api-keys.ts';
import type { Deps } from '../context.ts';
import { notFound } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';
import { listApiKeys, revokeApiKey } from '../sql/api-keys.ts';

export function apiKeyRoutes({ db, clock, customerTokens, log }: Deps) {
  const api = routeGroup('/api/api-keys', 'api keys');
  const admin = ['admin'] as const;

  api.get('/', { summary: 'List API keys (never their secrets), revoked ones too', access: admin, response: ApiKeyList }, async (c) =>
    c.json({ apiKeys: await listApiKeys(db) }),
  );

  api.post(
    '/',
    { summary: 'Create an API key: the answer holds its secret, shown this once', access: admin, body: CreateApiKey, response: CreatedApiKey, status: 201 },
    async (c, { body, user }) => {
      const { apiKey, secret } = await createApiKey(db, { name: body.name, scopes: body.scopes, createdBy: user.id, now: new Date(clock.now()) });
      log('API key created', { id: apiKey.id, prefix: apiKey.prefix, by: user.username });
      return c.json({ apiKey, secret }, 201);
    },
  );

  api.delete(
    '/:id',
    {
      summary: 'Revoke an API key: it mints no more tokens, and the tokens it minted are refused',
      access: admin,
      params: ApiKeyParams,
      status: 204,
      errors: [404],
    },
    async (c, { params, user }) => {
      const revoked = await revokeApiKey(db, params.id, new Date(clock.now()));
      if (!revoked) throw notFound(`API key "${params.id}"`);
      customerTokens.noteRevoked(revoked.id);
      log('API key revoked', { id: revoked.id, prefix: revoked.prefix, by: user.username });
      return c.body(null, 204);
    },
  );

  return api.group;
}

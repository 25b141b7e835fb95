/**
 * `POST /api/customer-tokens`: an integrator's backend, holding an API key
 * (`Authorization: Bearer tfk_…`, not a session), mints a short-lived token
 * for one of its customers. Each key is rate-limited (a leaky bucket in its
 * row: sql/api-keys.ts `checkMint`), so a leaked key cannot mint without bound.
 */
import { CustomerToken, MintCustomerToken } from '@tellflow/api';
import { hashToken } from '../auth/tokens.ts';
import type { Deps } from '../context.ts';
import { ApiError, forbidden } from '../errors.ts';
import { routeGroup } from '../http/route-group.ts';
import { checkMint } from '../sql/api-keys.ts';

export function customerTokenRoutes({ db, clock, customerTokens, options }: Deps) {
  const api = routeGroup('/api/customer-tokens', 'customer tokens');
  const policy = { burst: options.customerTokenMintBurst, perSecond: options.customerTokenMintsPerMinute / 60 };

  api.post(
    '/',
    {
      summary: 'Mint a customer token with an API key',
      description: "Authenticated with `Authorization: Bearer <API key>`. The token is sent by the customer's client as `Authorization: Bearer <token>`.",
      access: 'apiKey',
      body: MintCustomerToken,
      response: CustomerToken,
      status: 201,
    },
    async (c, { body }) => {
      const secret = c.get('apiKeySecret')!;
      const check = await checkMint(db, hashToken(secret), 'customer-tokens', new Date(clock.now()), policy);
      switch (check.kind) {
        case 'unknown':
          throw new ApiError(401, 'the API key is not valid', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        case 'revoked':
          throw new ApiError(401, 'the API key has been revoked', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        case 'noScope':
          throw forbidden('the API key does not have the customer-tokens scope');
        case 'throttled': {
          const seconds = Math.max(1, Math.ceil(check.retryAfterMs / 1000));
          throw new ApiError(
            429,
            `too many customer tokens minted with this API key; try again in ${seconds} s`,
            { retryAfterSeconds: seconds },
            {
              'Retry-After': String(seconds),
            },
          );
        }
      }
      const minted = await customerTokens.mint({ apiKeyId: check.id, subject: body.subject, name: body.name, ttlSeconds: body.ttlSeconds });
      return c.json(minted, 201);
    },
  );

  return api.group;
}

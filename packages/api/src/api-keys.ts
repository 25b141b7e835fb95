/**
 * API keys and customer tokens: an integrator's backend holds an API key and
 * mints short-lived customer tokens with it; its web or app clients call the
 * customer routes with such a token (docs/security.md).
 */
import { z } from 'zod';
import { DateTime } from './common.ts';

/** What a key may do. `customer-tokens`: mint customer tokens (POST /api/customer-tokens). */
export const API_KEY_SCOPES = ['customer-tokens'] as const;
export const ApiKeyScope = z.enum(API_KEY_SCOPES, { error: `must be one of: ${API_KEY_SCOPES.join(', ')}` });
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

/** A key as the API shows it: never its secret. */
export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().meta({ description: 'the first characters of the secret, to tell keys apart (e.g. `tfk_Ab12Cd34`)' }),
  scopes: z.array(ApiKeyScope),
  createdBy: z.string().nullable().meta({ description: 'the user who created it (null once that user is deleted)' }),
  createdAt: DateTime,
  revokedAt: DateTime.nullable().meta({ description: 'set once revoked: the key and the tokens it minted are refused' }),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateApiKey = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    scopes: z
      .array(ApiKeyScope)
      .min(1, 'give at least one scope')
      .refine((xs) => new Set(xs).size === xs.length, 'must not repeat a scope')
      .default(['customer-tokens']),
  })
  .strict();
export const CreatedApiKey = z.object({
  apiKey: ApiKey,
  secret: z.string().meta({ description: 'the key itself, shown this once: only its hash is kept' }),
});
export const ApiKeyList = z.object({ apiKeys: z.array(ApiKey) });
export const ApiKeyParams = z.object({ id: z.uuid() });

/** Customer tokens live 15 minutes unless asked otherwise, 24 hours at most. */
export const DEFAULT_CUSTOMER_TOKEN_TTL_SECONDS = 15 * 60;
export const MAX_CUSTOMER_TOKEN_TTL_SECONDS = 24 * 3600;

export const MintCustomerToken = z
  .object({
    subject: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').meta({ description: "the integrator's id for the customer" }),
    name: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    ttlSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(60, 'must be at least 60 seconds')
      .max(MAX_CUSTOMER_TOKEN_TTL_SECONDS, `must be at most ${MAX_CUSTOMER_TOKEN_TTL_SECONDS} seconds (24 hours)`)
      .default(DEFAULT_CUSTOMER_TOKEN_TTL_SECONDS),
  })
  .strict();
export const CustomerToken = z.object({
  token: z.string().meta({ description: 'send it as `Authorization: Bearer <token>`' }),
  expiresAt: DateTime,
});

/** Who a customer token says the caller is. */
export const CustomerMe = z.object({
  subject: z.string(),
  name: z.string().nullable(),
  expiresAt: DateTime,
});
export type CustomerMe = z.infer<typeof CustomerMe>;

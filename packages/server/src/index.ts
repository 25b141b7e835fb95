export { createApp, DEFAULT_OPTIONS, DEFAULT_WEB_DIR, type App, type CreateAppInput } from './app.ts';
export { bootServer, startServer, type ServerProcess, type ServerProcessOptions } from './boot.ts';
export { ensureAdmin, ADMIN_USERNAME } from './auth/ensure-admin.ts';
export { hashPassword, verifyPassword, DEFAULT_SCRYPT, type ScryptParams } from './auth/password.ts';
export type { AppEnv, AppOptions, SessionUser, Log } from './context.ts';
export { ApiError } from './errors.ts';
export { pruneIdempotencyKeys } from './middleware/idempotency.ts';
export { ROLES, type Role } from '@tellflow/api';

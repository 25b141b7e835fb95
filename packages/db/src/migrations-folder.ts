/**
 * Where the SQL migrations live: the top-level `drizzle/` folder (the project
 * keeps it there). This constant is the only place that says so — the
 * migrator, drizzle-kit's config, the CLI, tests and benches all go through
 * it. No imports besides node:url, so drizzle-kit's config loader can read it.
 */
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

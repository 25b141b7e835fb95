import { relative } from 'node:path';
import { defineConfig } from 'drizzle-kit';
import { MIGRATIONS_FOLDER } from './src/migrations-folder.ts';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  // drizzle-kit wants a path relative to where it runs.
  out: relative(process.cwd(), MIGRATIONS_FOLDER),
  casing: 'snake_case',
});

/**
 * vitest globalSetup: the browser tests drive the built app (`web/dist`,
 * what `tellflow serve` serves), so it is built once before the tests when
 * any web source or package it imports is newer than the build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/package.json', 'packages/engine/src', 'packages/api/src'];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

export default function setup(): void {
  const built = join(ROOT, 'web/dist/index.html');
  const sourceTime = Math.max(
    ...SOURCES.map((s) => join(ROOT, s))
      .filter(existsSync)
      .map(newest),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) return;
  console.log('building web/ for the browser tests…');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: join(ROOT, 'web'), stdio: 'inherit' });
}

/**
 * PGlite's WebAssembly, compiled once per process. Left to itself, every
 * `PGlite.create` compiles postgres and initdb again: creating a cluster takes
 * ~40% less when they are compiled already, loading a dump ~15% less, and a
 * test run creates hundreds of databases.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGliteOptions } from '@electric-sql/pglite';

export type PgliteAssets = Required<Pick<PGliteOptions, 'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle'>>;

let assets: Promise<PgliteAssets> | undefined;

export function pgliteAssets(): Promise<PgliteAssets> {
  assets ??= (async () => {
    const dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
      WebAssembly.compile(readFileSync(join(dir, 'pglite.wasm'))),
      WebAssembly.compile(readFileSync(join(dir, 'initdb.wasm'))),
    ]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([readFileSync(join(dir, 'pglite.data'))]) };
  })();
  // A failed compile is not kept: the next database tries again (and PGlite reports why).
  assets.catch(() => {
    assets = undefined;
  });
  return assets;
}

/**
 * A fresh, migrated in-memory PGlite, fast. Creating PGlite from nothing runs
 * initdb inside WebAssembly (about 2 s, the bulk of `tellflow run`'s start);
 * loading a dump of an already created and migrated database takes a quarter
 * of that. So the first call creates and migrates one the slow way and keeps
 * its dump in the user's cache directory; later calls load that dump. Tests
 * make their PGlite databases the same way, migrated or empty.
 *
 * The dump's name carries a digest of PGlite's version and of every migration,
 * so a new migration or PGlite release makes a new dump (older ones are
 * deleted). A dump that cannot be read or loaded is dropped and the database
 * created the slow way: the cache is only ever a shortcut.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type Database, wrapPglite } from './client.ts';
import { MIGRATIONS_FOLDER, migrate } from './migrate.ts';
import { pgliteAssets } from './pglite-assets.ts';

/** What a dump holds: a cluster just after initdb, or one with every migration applied. */
type Template = 'empty' | 'migrated';

export interface ScratchOptions {
  /** Where dumps are kept; default $XDG_CACHE_HOME/tellflow (~/.cache/tellflow). Null: no cache. */
  cacheDir?: string | null;
  /** Migrations to apply (tests); default MIGRATIONS_FOLDER. */
  migrationsFolder?: string;
}

/** Which step the last call took, and how long each took (ms): for `bench/run-startup`. */
export interface ScratchTiming {
  source: 'cached dump' | 'created';
  createMs: number;
  migrateMs: number;
  /** Writing the dump after creating (0 when loaded from one). */
  dumpMs: number;
}

/** A fresh in-memory PGlite with every migration applied. */
export function createScratchDatabase(options: ScratchOptions = {}, timing?: (t: ScratchTiming) => void): Promise<Database> {
  return fromTemplate('migrated', options, timing);
}

/** A fresh in-memory PGlite with nothing in it (for tests of migrations themselves). */
export function createEmptyScratchDatabase(options: ScratchOptions = {}): Promise<Database> {
  return fromTemplate('empty', options);
}

async function fromTemplate(template: Template, options: ScratchOptions, timing?: (t: ScratchTiming) => void): Promise<Database> {
  const folder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  const { file, cacheDir } = where(template, folder, options);
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };

  const cached = file ? await loadDump(file) : null;
  if (cached) {
    const createMs = lap();
    const db = wrapPglite(cached);
    // Cheap (nothing to apply) and a check that the dump is what its name says.
    if (template === 'migrated') await guarded(db, () => migrate(db, folder));
    timing?.({ source: 'cached dump', createMs, migrateMs: lap(), dumpMs: 0 });
    return db;
  }

  const pg = await PGlite.create(await pgliteAssets());
  const createMs = lap();
  const db = wrapPglite(pg);
  if (template === 'migrated') await guarded(db, () => migrate(db, folder));
  const migrateMs = lap();
  if (file && cacheDir) {
    try {
      saveDump(new Uint8Array(await (await pg.dumpDataDir('none')).arrayBuffer()), cacheDir, file, prefix(template));
    } catch {
      // No dump: this database is fine, the next one is made the slow way again.
    }
  }
  timing?.({ source: 'created', createMs, migrateMs, dumpMs: lap() });
  return db;
}

async function guarded(db: Database, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** The template's dump file: its name carries what its contents depend on. */
function where(template: Template, folder: string, options: ScratchOptions): { file: string | null; cacheDir: string | null } {
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  return { cacheDir, file: cacheDir === null ? null : join(cacheDir, `${prefix(template)}${snapshotKey(template, folder)}.tar`) };
}

const prefix = (template: Template) => `pglite-${template}-`;

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(base, 'tellflow');
}

/** PGlite's version and (when migrated) every migration's hash: what the dump's contents depend on. */
function snapshotKey(template: Template, folder: string): string {
  const hash = createHash('sha256');
  hash.update(`pglite ${pgliteVersion()}\n`);
  if (template === 'migrated') for (const m of readMigrationFiles({ migrationsFolder: folder })) hash.update(`${m.hash}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** From its package.json, which its `exports` do not expose: found above its entry point. */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    } catch {
      // No package.json at this level.
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the version of @electric-sql/pglite');
    dir = up;
  }
}

function readDump(file: string): Uint8Array<ArrayBuffer> | null {
  try {
    // A file read is never backed by a SharedArrayBuffer.
    return readFileSync(file) as Uint8Array<ArrayBuffer>;
  } catch {
    return null;
  }
}

async function loadDump(file: string): Promise<PGlite | null> {
  const bytes = readDump(file);
  if (!bytes) return null;
  try {
    return await PGlite.create({ ...(await pgliteAssets()), loadDataDir: new Blob([bytes]) });
  } catch {
    // Truncated or from an incompatible build: start over.
    forgetDump(file);
    return null;
  }
}

function saveDump(dump: Uint8Array, dir: string, file: string, templatePrefix: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written aside, then renamed: a concurrent run never loads half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, dump, { mode: 0o600 });
    renameSync(temp, file);
    const stale = readdirSync(dir).filter((n) => n.startsWith(templatePrefix) && join(dir, n) !== file && !n.endsWith('.tmp'));
    for (const name of stale) forgetDump(join(dir, name));
  } catch {
    // No cache (read-only home, full disk): this run is fine, the next one is slow again.
  }
}

/** Drops a dump (stale, or one that would not load). */
function forgetDump(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

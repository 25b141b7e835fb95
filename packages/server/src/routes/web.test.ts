import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appWithoutDatabase } from '../test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'tellflow-web-'));
const dist = join(dir, 'dist');
mkdirSync(join(dist, 'assets'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title><div id="root"></div>');
writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');

const apps: Array<{ close(): Promise<void> }> = [];
const appFor = (webDir: string) => {
  const made = appWithoutDatabase({ webDir });
  apps.push(made);
  return made.app;
};
afterAll(async () => {
  for (const a of apps) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web app at /', () => {
  const app = appFor(dist);

  it('serves index.html at / and for client-side routes, assets with a long cache', async () => {
    for (const path of ['/', '/editor/flow', '/agent']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(await res.text()).toContain('<div id="root">');
    }
    const asset = await app.request('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 404 for missing files and JSON 404 under /api, and does not leave the folder', async () => {
    expect((await app.request('/assets/missing.js')).status).toBe(404);
    const api = await app.request('/api/editor');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'GET /api/editor not found' });
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const res = await app.request(path);
      expect(await res.text(), path).not.toContain('"name"');
    }
  });

  it('says how to build the web app when there is no build', async () => {
    const res = await appFor(join(dir, 'missing')).request('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('npm run build');
  });
});

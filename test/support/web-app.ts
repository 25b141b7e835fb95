/**
 * The web app in real Chromium against a real `tellflow serve` on PGlite,
 * for the browser tests: one server per test file (fresh data directory,
 * bundled scenarios installed, admin password known), a page per test that
 * records console errors, screenshots under test-results/screens, and an
 * axe-core check.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { chromiumAvailable, launchBrowser } from './browser.ts';
import { startServer, type ServerProcess } from './server-process.ts';

export const ADMIN_PASSWORD = 'browser-test-password';
export const SCREENS = fileURLToPath(new URL('../../test-results/screens/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface WebApp {
  url: string;
  server: ServerProcess;
  browser: Browser;
  /** A fresh browser context and page, closed after the test; console errors fail the test. */
  page(options?: { viewport?: { width: number; height: number }; signedIn?: boolean; allowConsoleErrors?: RegExp }): Promise<Page>;
}

/** Starts the server and the browser for a test file; `skip` when Chromium is missing (outside CI). */
export function useWebApp(env: Record<string, string> = {}): { app: () => WebApp; skip: boolean } {
  const skip = !chromiumAvailable();
  let app: WebApp | undefined;
  let dir = '';
  const contexts: { context: BrowserContext; errors: string[]; allow?: RegExp | undefined }[] = [];
  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'tellflow-web-'));
    mkdirSync(SCREENS, { recursive: true });
    // Test runs get the time a loaded CI machine needs (the product's 10 s has tests of its own).
    const server = await startServer({ TELLFLOW_DATA_DIR: dir, TELLFLOW_ADMIN_PASSWORD: ADMIN_PASSWORD, TELLFLOW_TEST_RUN_SECONDS: '120', ...env });
    const browser = await launchBrowser();
    app = {
      url: server.url.replace('localhost', '127.0.0.1'),
      server,
      browser,
      async page(options = {}) {
        const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 } });
        const errors: string[] = [];
        contexts.push({ context, errors, allow: options.allowConsoleErrors });
        const page = await context.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        if (options.signedIn !== false) await signIn(page, app!.url);
        return page;
      },
    };
  }, 120_000);
  afterEach(async () => {
    const open = contexts.splice(0);
    for (const { context } of open) await context.close();
    for (const { errors, allow } of open)
      expect(
        errors.filter((e) => !allow?.test(e)),
        'console errors',
      ).toEqual([]);
  });
  afterAll(async () => {
    await app?.browser.close();
    await app?.server.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return { app: () => app!, skip };
}

/** Signs in as admin through the login page and waits for the start page. */
export async function signIn(page: Page, url: string, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Saves a full-page screenshot as test-results/screens/NAME.png (look at them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: false });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })) }));
}

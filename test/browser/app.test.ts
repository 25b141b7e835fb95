/**
 * The web app's frame in Chromium against a real server: signing in and out,
 * role-aware navigation, the scenario list, opening every bundled scenario,
 * and an axe-core check of each page.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, screenshot, seriousViolations, signIn, useWebApp } from '../support/web-app.ts';

const BUNDLED = ['callback-monitor', 'dialog', 'inbound-queue', 'operator-call', 'outbound-routing', 'queue-callback'];

describe('the web app', () => {
  const { app, skip } = useWebApp();

  it.skipIf(skip)('signs in with a clear error for a wrong password, lands on the scenarios, signs out', async () => {
    const page = await app().page({ signedIn: false, allowConsoleErrors: /401 \(Unauthorized\)/ });
    await page.goto(`${app().url}/scenarios`);
    await page.waitForURL(/\/login\?next=%2Fscenarios/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/wrong username or password/);
    await screenshot(page, 'login-error');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/scenarios$/);
    await page.getByRole('button', { name: /Administrator/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
  });

  it.skipIf(skip)('lists the bundled scenarios with kind, versions and validity; the page passes axe', async () => {
    const page = await app().page();
    await page.goto(`${app().url}/scenarios`);
    const rows = page.getByRole('row');
    await expect.poll(() => rows.count()).toBe(BUNDLED.length + 1);
    const firstCells = await page.locator('tbody tr td:first-child').allInnerTexts();
    expect(firstCells.map((t) => t.split('\n').at(-1))).toEqual(BUNDLED);
    expect(await page.getByText('valid', { exact: true }).count()).toBe(BUNDLED.length);
    await screenshot(page, 'scenario-list');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it.skipIf(skip)('opens every bundled scenario on the canvas as saved, with no problems', async () => {
    const page = await app().page();
    for (const id of BUNDLED) {
      await page.goto(`${app().url}/scenarios/${id}`);
      await page.locator('.react-flow__node').first().waitFor();
      const doc = await (await page.request.get(`${app().url}/api/scenarios/${id}`)).json();
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(doc.document.nodes.length);
      // Each node sits where the document puts it.
      const first = doc.document.nodes[1];
      const transform = await page.locator(`.react-flow__node[data-id="${first.id}"]`).evaluate((el) => (el as HTMLElement).style.transform);
      expect(transform).toBe(`translate(${first.position.x}px, ${first.position.y}px)`);
      await expect.poll(() => page.getByText('No problems').count()).toBe(1);
      await screenshot(page, `editor-${id}`);
    }
    expect(await seriousViolations(page)).toEqual([]);
  });

  it.skipIf(skip)('an agent lands on its own page, without the staff navigation', async () => {
    const admin = await app().page();
    const created = await admin.request.post(`${app().url}/api/users`, {
      data: { username: 'ann', password: 'agent-password-1', role: 'agent', extensions: ['201'] },
    });
    expect(created.status()).toBe(201);
    const page = await app().page({ signedIn: false });
    await signIn(page, app().url, 'ann', 'agent-password-1');
    await page.waitForURL(/\/agent$/);
    expect(await page.getByRole('link', { name: 'Scenarios' }).count()).toBe(0);
    await screenshot(page, 'agent-home');
    expect(await seriousViolations(page)).toEqual([]);
  });
});

describe('export and import through the browser', () => {
  const { app, skip } = useWebApp();

  it.skipIf(skip)('exports a bundled scenario from the list and imports the file back unchanged, as its next version', async () => {
    const page = await app().page();
    await page.goto(`${app().url}/scenarios`);
    await page.getByRole('button', { name: 'Actions for Dialog: Form 1' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: /Latest \(v1\)/ }).click()]);
    expect(download.suggestedFilename()).toBe('dialog.v1.json');
    const file = join(mkdtempSync(join(tmpdir(), 'tellflow-export-')), download.suggestedFilename());
    await download.saveAs(file);

    await page.locator('input[type="file"]').setInputFiles(file);
    await page.waitForURL(/\/scenarios\/dialog$/);
    await page.locator('.react-flow__node').first().waitFor();
    const versions = await (await page.request.get(`${app().url}/api/scenarios/dialog/versions`)).json();
    expect(versions.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const [v1, v2] = await Promise.all([1, 2].map(async (v) => (await page.request.get(`${app().url}/api/scenarios/dialog/versions/${v}/export`)).text()));
    expect(v2).toBe(v1);
    expect(readFileSync(file, 'utf8')).toBe(v1);
    await screenshot(page, 'imported-dialog');
  });

  it.skipIf(skip)('an invalid file is not imported: its problems are listed per node', async () => {
    // The server's 400 for the file shows in the console as a failed request: the answer the page expects.
    const page = await app().page({ allowConsoleErrors: /400 \(Bad Request\)/ });
    await page.goto(`${app().url}/scenarios`);
    const dir = mkdtempSync(join(tmpdir(), 'tellflow-import-'));
    const bad = {
      format: 'tellflow.scenario/v1',
      id: 'broken',
      name: 'Broken',
      kind: 'service',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'pause', type: 'teleport', params: {} },
      ],
      edges: [{ source: 'start', sourceHandle: 'next', target: 'pause' }],
    };
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(bad));
    await page.locator('input[type="file"]').setInputFiles(join(dir, 'broken.json'));
    const dialog = page.getByRole('dialog');
    await page.getByText('broken.json was not imported').waitFor();
    expect(await dialog.textContent()).toContain('node pause');
    // The dialog fades in: the screenshot shows it once it is there.
    await page.waitForFunction(() => getComputedStyle(document.querySelector('[role="dialog"]')!).opacity === '1');
    await screenshot(page, 'import-problems');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await page.request.get(`${app().url}/api/scenarios/broken`)).status()).toBe(404);
  });
});

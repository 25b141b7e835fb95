/**
 * Versions in Chromium against a real server: two saved changes, publishing
 * through the review dialog (the diff from the published version, a
 * message), the version list, viewing an old version read-only, and the
 * visual diff of two versions with the changed node coloured and its
 * changed field listed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, seriousViolations, useWebApp } from '../support/web-app.ts';

/** Waits for the page (or the server) to get there; generous, for a loaded machine. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

const ID = 'greeting-line';

/** start → greet (setVariables) → end, with the greeting and positions given. */
function greeting(text: string, endX = 0, extra: { nodes?: object[]; edges?: object[] } = {}) {
  return {
    format: 'tellflow.scenario/v1',
    id: ID,
    name: 'Greeting line',
    kind: 'service',
    nodes: [
      { id: 'start', type: 'start', label: 'Start', position: { x: 0, y: 0 } },
      { id: 'greet', type: 'setVariables', label: 'Greet', params: { assign: [{ name: 'greeting', value: text }] }, position: { x: 0, y: 160 } },
      { id: 'end', type: 'end', label: 'Done', params: { result: { var: 'greeting' } }, position: { x: endX, y: 320 } },
      ...(extra.nodes ?? []),
    ],
    edges: [{ source: 'start', sourceHandle: 'next', target: 'greet' }, { source: 'greet', sourceHandle: 'next', target: 'end' }, ...(extra.edges ?? [])],
  };
}

/** Presses Tab until a button with this text has the focus: proof it is reachable by keyboard. */
async function tabTo(page: Page, text: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((t) => document.activeElement?.tagName === 'BUTTON' && document.activeElement.textContent?.trim() === t, text)) return;
  }
  throw new Error(`the button "${text}" is not reachable with Tab`);
}

describe('versions, publishing and the visual diff', () => {
  const { app, skip } = useWebApp();

  it.skipIf(skip)(
    'publishes after a review with a message, lists the versions, views one read-only, and diffs two on the canvas',
    async () => {
      const page = await app().page();
      const url = app().url;
      // Version 1, published; then two saved changes: the greeting text (v2), then the end node moved and a note node added (v3).
      expect((await page.request.post(`${url}/api/scenarios?publish=true`, { data: greeting('Hello') })).status()).toBe(201);
      const v2 = await page.request.put(`${url}/api/scenarios/${ID}/draft?baseVersion=1&comment=${encodeURIComponent('Friendlier greeting')}`, {
        data: greeting('Hello and welcome'),
      });
      expect(v2.status()).toBe(201);
      const v3 = await page.request.put(`${url}/api/scenarios/${ID}/draft?baseVersion=2&comment=${encodeURIComponent('Log the greeting')}`, {
        data: greeting('Hello and welcome', 160, {
          nodes: [{ id: 'note', type: 'setVariables', label: 'Note', params: { assign: [{ name: 'noted', value: true }] }, position: { x: 340, y: 160 } }],
        }),
      });
      expect(v3.status()).toBe(201);

      // The review: the diff from the published version 1 to the draft (v3), a message, then publish.
      await page.goto(`${url}/scenarios/${ID}`);
      await page.locator('.react-flow__node').first().waitFor();
      await tabTo(page, 'Publish');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Review and publish' });
      await dialog.waitFor();
      await poll(() => dialog.getByText('Changes from the published version 1').count()).toBe(1);
      const greet = dialog.locator('[data-node="greet"]');
      await poll(() => greet.getAttribute('data-change')).toBe('changed');
      expect(await greet.textContent()).toContain('params.assign[greeting].value');
      expect(await greet.textContent()).toContain('"Hello"');
      expect(await greet.textContent()).toContain('"Hello and welcome"');
      expect(await dialog.locator('[data-node="note"]').getAttribute('data-change')).toBe('added');
      // A warning (the added node is unreachable) is shown and does not block; the message does until written.
      await poll(() => dialog.getByText(/warning.*publishing is allowed/).count()).toBe(1);
      const publish = dialog.getByRole('button', { name: 'Publish version 3' });
      expect(await publish.isDisabled()).toBe(true);
      await dialog.getByLabel('Publish message').fill('Warmer greeting for the spring campaign');
      expect(await publish.isDisabled()).toBe(false);
      await screenshot(page, 'versions-publish-review');
      expect(await seriousViolations(page)).toEqual([]);
      await publish.click();
      await poll(() => page.getByText('Published version 3').count()).toBe(1);
      await poll(() => dialog.count()).toBe(0);

      // The version list: newest first, author, comments, the published marker with its message.
      await page.getByRole('tab', { name: 'Versions' }).click();
      const items = page.locator('li[data-version]');
      await poll(() => items.count()).toBe(3);
      expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-version')))).toEqual(['3', '2', '1']);
      const newest = items.first();
      expect(await newest.textContent()).toMatch(/published[\s\S]*admin|admin[\s\S]*published/i);
      expect(await newest.textContent()).toContain('Log the greeting');
      expect(await newest.textContent()).toContain('Warmer greeting for the spring campaign');
      expect(await items.nth(2).textContent()).toContain('was published');
      expect(await page.getByRole('link', { name: 'Export version 2' }).getAttribute('href')).toBe(`/api/scenarios/${ID}/versions/2/export`);
      await screenshot(page, 'versions-list');
      expect(await seriousViolations(page)).toEqual([]);

      // Version 1 read-only on the canvas, then back to the draft.
      await page.getByRole('button', { name: 'View version 1' }).click();
      await poll(() => page.getByText('Viewing version 1 — read only').count()).toBe(1);
      await poll(() => page.locator('.react-flow__node').count()).toBe(3);
      expect(await page.locator('.react-flow__node[data-id="note"]').count()).toBe(0);
      expect(await page.locator('.react-flow__node[data-id="greet"]').getAttribute('draggable')).not.toBe('true');
      await screenshot(page, 'versions-view-old');
      await page.getByRole('button', { name: 'Back to the draft' }).click();
      await poll(() => page.locator('.react-flow__node').count()).toBe(4);
      expect(await page.getByText(/Viewing version/).count()).toBe(0);

      // Compare v2 → v3 from the list, then pick v1 as the "from" version.
      await page.getByRole('link', { name: 'Compare version 3 with version 2' }).click();
      await page.waitForURL(/\/diff\?from=2&to=3$/);
      const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"] [data-mark]`);
      await poll(() => node('note').getAttribute('data-mark')).toBe('added');
      expect(await node('end').getAttribute('data-mark')).toBe('moved');
      expect(await node('greet').count()).toBe(0);
      await page.getByRole('combobox', { name: 'From version' }).click();
      await page.getByRole('option', { name: /^v1/ }).click();
      await page.waitForURL(/\/diff\?from=1&to=3$/);
      await poll(() => node('greet').getAttribute('data-mark')).toBe('changed');
      const changes = page.getByRole('complementary', { name: 'Changes' });
      const listed = changes.locator('[data-node="greet"]');
      expect(await listed.textContent()).toContain('params.assign[greeting].value');
      expect(await changes.getByRole('region', { name: 'Moved nodes' }).textContent()).toContain('Done');
      // Clicking the changed node in the list selects it on the canvas.
      await listed.getByRole('button').click();
      await poll(() => page.locator('.react-flow__node[data-id="greet"]').getAttribute('class')).toMatch(/\bselected\b/);
      await screenshot(page, 'versions-diff');
      expect(await seriousViolations(page)).toEqual([]);
    },
    240_000,
  );

  it.skipIf(skip)(
    'publishing is blocked by errors in the draft, and the server refusing shows its problems per node',
    async () => {
      const page = await app().page({ allowConsoleErrors: /status of 400/ });
      const url = app().url;
      // A scenario that runs one not yet published: the engine finds no error, the server refuses to publish it.
      const runner = {
        format: 'tellflow.scenario/v1',
        id: 'runs-a-draft',
        name: 'Runs a draft',
        kind: 'service',
        nodes: [
          { id: 'start', type: 'start', position: { x: 0, y: 0 } },
          { id: 'child', type: 'runScenario', label: 'Run the greeting', params: { scenario: 'unpublished-child' }, position: { x: 0, y: 160 } },
          { id: 'end', type: 'end', position: { x: 0, y: 340 } },
        ],
        edges: [
          { source: 'start', sourceHandle: 'next', target: 'child' },
          { source: 'child', sourceHandle: 'done', target: 'end' },
        ],
      };
      expect((await page.request.post(`${url}/api/scenarios`, { data: { ...greeting('Hi'), id: 'unpublished-child' } })).status()).toBe(201);
      expect((await page.request.post(`${url}/api/scenarios`, { data: runner })).status()).toBe(201);
      await page.goto(`${url}/scenarios/runs-a-draft`);
      await page.locator('.react-flow__node').first().waitFor();
      // Without its start node the draft has an error: the review lists it and publishing is blocked.
      await page.locator('.react-flow__node[data-id="start"]').click();
      await page.keyboard.press('Delete');
      await poll(() => page.locator('.react-flow__node').count()).toBe(2);
      await page.getByRole('button', { name: 'Publish' }).click();
      const blocked = page.getByRole('dialog', { name: 'Review and publish' });
      await poll(() => blocked.getByText('Errors block publishing').count()).toBe(1);
      expect(await blocked.getByRole('button', { name: 'Save and publish' }).isDisabled()).toBe(true);
      await screenshot(page, 'versions-publish-blocked');
      await page.reload();
      await page.locator('.react-flow__node').first().waitFor();
      await page.getByRole('button', { name: 'Publish' }).click();
      const dialog = page.getByRole('dialog', { name: 'Review and publish' });
      await poll(() => dialog.getByText('First publication').count()).toBe(1);
      await dialog.getByLabel('Publish message').fill('First release');
      await dialog.getByRole('button', { name: 'Publish version 1' }).click();
      await poll(() => dialog.getByText('The server refused to publish').count()).toBe(1);
      expect(await dialog.locator('[data-issue-node="child"]').textContent()).toMatch(/unpublished-child/);
      await screenshot(page, 'versions-publish-refused');
      expect(await seriousViolations(page)).toEqual([]);
    },
    180_000,
  );
});

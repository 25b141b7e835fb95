/**
 * Executions in Chromium against a real server: an execution started
 * through the API and finished by the server (a short wait on its timer)
 * is listed with its status and duration, filters narrow the list, and it
 * opens on its version's canvas, where the replay steps through the trace:
 * the current node and the variables change with each step, and the wait's
 * effect shows its request and result.
 */
import { describe, expect, it } from 'vitest';
import { screenshot, seriousViolations, useWebApp } from '../support/web-app.ts';

/** Waits for the page (or the server) to get there; generous, for a loaded machine. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

const ID = 'welcome-flow';

/** start (customer) → greet → pause (a wait of 0 s: the server's timer finishes it) → close → end with the greeting. */
const scenario = {
  format: 'tellflow.scenario/v1',
  id: ID,
  name: 'Welcome flow',
  kind: 'service',
  nodes: [
    { id: 'start', type: 'start', label: 'Start', params: { inputs: [{ name: 'customer', type: 'string', required: true }] }, position: { x: 0, y: 0 } },
    {
      id: 'greet',
      type: 'setVariables',
      label: 'Greet the customer',
      params: { assign: [{ name: 'greeting', value: { cat: ['Hello ', { var: 'customer' }] } }] },
      position: { x: 0, y: 170 },
    },
    { id: 'pause', type: 'wait', label: 'Short pause', params: { seconds: 0 }, position: { x: 0, y: 340 } },
    { id: 'close', type: 'setVariables', label: 'Mark as done', params: { assign: [{ name: 'done', value: true }] }, position: { x: 0, y: 510 } },
    { id: 'end', type: 'end', label: 'End', params: { result: { var: 'greeting' } }, position: { x: 0, y: 680 } },
  ],
  edges: [
    { source: 'start', sourceHandle: 'next', target: 'greet' },
    { source: 'greet', sourceHandle: 'next', target: 'pause' },
    { source: 'pause', sourceHandle: 'next', target: 'close' },
    { source: 'close', sourceHandle: 'next', target: 'end' },
  ],
};

describe('executions: the list and the replay', () => {
  const { app, skip } = useWebApp();

  it.skipIf(skip)(
    'lists an execution the server finished, filters the list, and replays it step by step on its version',
    async () => {
      const page = await app().page();
      const url = app().url;
      const imported = await page.request.post(`${url}/api/scenarios?publish=true`, { data: scenario });
      expect(imported.status()).toBe(201);
      const started = await page.request.post(`${url}/api/executions`, { data: { scenarioId: ID, input: { customer: 'Ada' } } });
      expect(started.status()).toBe(201);
      const { id } = (await started.json()) as { id: string };
      // The server's worker runs it and its timer wakes it: wait for the end through the API.
      await poll(async () => ((await (await page.request.get(`${url}/api/executions/${id}`)).json()) as { status: string }).status).toBe('completed');

      await page.goto(`${url}/executions`);
      const row = page.locator(`tr[data-execution="${id}"]`);
      // The scenario's name comes with the list of scenarios, which may answer after the executions.
      await poll(() => row.textContent()).toMatch(/Welcome flow[\s\S]*welcome-flow · v1[\s\S]*completed[\s\S]*"Hello Ada"/);
      await screenshot(page, 'executions-list');
      expect(await seriousViolations(page)).toEqual([]);

      // Filters: by status (none failed), then cleared; by scenario.
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'failed' }).click();
      await poll(() => page.getByText('No executions match these filters').count()).toBe(1);
      expect(new URL(page.url()).searchParams.get('status')).toBe('failed');
      await screenshot(page, 'executions-empty');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await row.waitFor();
      await page.getByRole('combobox', { name: 'Scenario' }).click();
      await page.getByRole('option', { name: 'Welcome flow' }).click();
      await poll(() => new URL(page.url()).searchParams.get('scenario')).toBe(ID);
      await row.waitFor();

      // Open it: its version on the canvas, read only, at the first step.
      await row.getByRole('link').click();
      await page.waitForURL(new RegExp(`/executions/${id}$`));
      await page.locator('.react-flow__node').first().waitFor();
      expect(await page.locator('.react-flow__node').count()).toBe(5);
      const current = () => page.locator('[data-mark="current"]').evaluate((el) => el.closest('.react-flow__node')?.getAttribute('data-id'));
      const variable = (name: string) => page.locator(`tr[data-var="${name}"] td:last-child`);
      await poll(current).toBe('start');
      await poll(() => page.getByText('Step 1 of 5').count()).toBe(1);
      expect(await variable('customer').textContent()).toBe('"Ada"');
      expect(await variable('greeting').count()).toBe(0);

      // Forward with the button: the greeting is set at "greet", and the path so far is marked.
      await page.getByRole('button', { name: 'Next step (→)' }).click();
      await poll(current).toBe('greet');
      expect(await variable('greeting').textContent()).toBe('"Hello Ada"');
      expect(await page.locator('tr[data-var="greeting"]').getAttribute('data-changed')).toBe('true');
      expect(await page.locator('.react-flow__node[data-id="start"] [data-mark]').getAttribute('data-mark')).toBe('visited');
      await screenshot(page, 'executions-replay-greet');

      // Forward with the arrow key: the wait, with its timer request and result.
      await page.locator('body').press('ArrowRight');
      await poll(current).toBe('pause');
      const effect = page.getByRole('region', { name: 'Effect of this step' });
      expect(await effect.textContent()).toMatch(/timer[\s\S]*done[\s\S]*wakeAt/);
      await screenshot(page, 'executions-replay-wait');
      expect(await seriousViolations(page)).toEqual([]);

      // To the end, then back one with the key: "done" is set at "close" and gone before it.
      await page.locator('body').press('End');
      await poll(current).toBe('end');
      expect(await page.getByRole('region', { name: 'Result of the execution' }).textContent()).toContain('"Hello Ada"');
      await page.locator('body').press('ArrowLeft');
      await poll(current).toBe('close');
      expect(await variable('done').textContent()).toBe('true');
      await page.locator('body').press('ArrowLeft');
      await poll(current).toBe('pause');
      expect(await variable('done').count()).toBe(0);
      // A step in the list jumps there.
      await page
        .getByRole('list', { name: 'Steps' })
        .getByRole('button', { name: /Greet the customer/ })
        .click();
      await poll(current).toBe('greet');
      await screenshot(page, 'executions-replay-list-jump');
    },
    240_000,
  );
});

/**
 * The editor's Test run and Tests tabs in Chromium against a real server:
 * the bundled dialog scenario's test cases run green; a scenario made
 * through the API is test-run as a draft (its path walked on the canvas, a
 * form answered inline, a step's variables opened), the run is kept as a
 * test case, the draft saved, and its tests run green.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, seriousViolations, useWebApp } from '../support/web-app.ts';

/** start → form → setVariables → branch (two cases) → two ends. */
const REFUND = {
  format: 'tellflow.scenario/v1',
  id: 'refund-check',
  name: 'Refund check',
  kind: 'dialog',
  nodes: [
    {
      id: 'start',
      type: 'start',
      position: { x: 0, y: 0 },
      params: { inputs: [{ name: 'amount', type: 'number', required: true, description: 'The refund asked for, in euros' }] },
    },
    {
      id: 'review',
      type: 'showForm',
      label: 'Operator reviews',
      position: { x: 0, y: 170 },
      params: {
        title: 'Refund review',
        timeoutSec: 600,
        fields: [
          { name: 'amountShown', label: 'Amount', type: 'number', readOnly: true, default: { var: 'amount' } },
          { name: 'note', label: 'Note', type: 'text', required: true },
          { name: 'approved', label: 'Approve the refund', type: 'checkbox' },
        ],
      },
    },
    {
      id: 'classify',
      type: 'setVariables',
      label: 'Classify',
      position: { x: 0, y: 360 },
      params: { assign: [{ name: 'big', value: { and: [{ var: 'approved' }, { '>': [{ var: 'amount' }, 100] }] } }] },
    },
    {
      id: 'decide',
      type: 'branch',
      label: 'Big refund?',
      position: { x: 0, y: 520 },
      params: {
        cases: [
          { name: 'big', when: { var: 'big' } },
          { name: 'small', when: { '!': { var: 'big' } } },
        ],
      },
    },
    { id: 'manager', type: 'end', label: 'To the manager', position: { x: -160, y: 700 }, params: { result: 'manager' } },
    { id: 'refund', type: 'end', label: 'Refund at once', position: { x: 160, y: 700 }, params: { result: 'refund' } },
  ],
  edges: [
    { source: 'start', sourceHandle: 'next', target: 'review' },
    { source: 'review', sourceHandle: 'submitted', target: 'classify' },
    { source: 'review', sourceHandle: 'timeout', target: 'refund' },
    { source: 'classify', sourceHandle: 'next', target: 'decide' },
    { source: 'decide', sourceHandle: 'big', target: 'manager' },
    { source: 'decide', sourceHandle: 'small', target: 'refund' },
    { source: 'decide', sourceHandle: 'default', target: 'refund' },
  ],
};

/** axe on the page at rest: the pointer off the button it just clicked (a hovered button shows its hover colour). */
async function axe(page: Page) {
  await page.mouse.move(1, 890);
  return seriousViolations(page);
}

const marked = (page: Page, mark: 'visited' | 'current') =>
  page.locator(`[data-mark="${mark}"]`).evaluateAll((cards) => cards.map((c) => c.getAttribute('data-node-id')));

describe('test runs and test cases in the editor', () => {
  const { app, skip } = useWebApp();

  it.skipIf(skip)(
    "runs the bundled dialog scenario's test cases green",
    async () => {
      const page = await app().page();
      await page.goto(`${app().url}/scenarios/dialog`);
      await page.locator('.react-flow__node').first().waitFor();
      await page.getByRole('tab', { name: /Tests/ }).click();
      const cases = page.getByTestId('test-case');
      await expect.poll(() => cases.count()).toBe(4);
      expect(await page.locator('[data-testid="test-case"][data-state="not run"]').count()).toBe(4);
      await page.getByRole('button', { name: 'Run all' }).click();
      await page.getByTestId('tests-summary').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('tests-summary').textContent()).toBe('4 passed, 0 failed on version 1');
      expect(await cases.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['passed', 'passed', 'passed', 'passed']);
      await screenshot(page, 'tests-dialog-green');
      expect(await axe(page)).toEqual([]);

      // A case's run opens in the Test run tab, its path on the canvas.
      await page.getByRole('button', { name: 'Open the run of done' }).click();
      await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('Completed');
      await page
        .getByRole('button', { name: 'Skip' })
        .click({ timeout: 2000 })
        .catch(() => undefined);
      await expect.poll(() => marked(page, 'current')).toEqual(['finished']);
      expect((await marked(page, 'visited')).sort()).toEqual(['card', 'decide', 'done', 'form', 'start']);
      await screenshot(page, 'tests-dialog-open-run');
    },
    120_000,
  );

  it.skipIf(skip)(
    'test-runs a draft, answers its form inline, keeps the run as a test case and runs it green',
    async () => {
      const page = await app().page();
      const created = await page.request.post(`${app().url}/api/scenarios`, { data: REFUND });
      expect(created.status()).toBe(201);
      await page.goto(`${app().url}/scenarios/refund-check`);
      await page.locator('.react-flow__node').first().waitFor();

      // The toolbar's button opens the tab, by keyboard.
      await page.getByRole('button', { name: 'Test run', exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.getByText('A test run never changes production data', { exact: false }).waitFor();
      await page.getByLabel(/^amount/).fill('250');
      await page.getByRole('button', { name: /Call outcomes/ }).click();
      await page.getByRole('button', { name: 'Add a number rule' }).click();
      await page.getByLabel('Number pattern of rule 1').fill('+1555*');
      await screenshot(page, 'testrun-setup');
      expect(await axe(page)).toEqual([]);
      await page.getByRole('button', { name: 'Run the draft' }).click();

      // The run stops at the form: shown inline, with its defaults evaluated; the canvas is at the form.
      const form = page.getByRole('region', { name: 'Form Refund review' });
      await form.waitFor({ timeout: 60_000 });
      expect(await form.getByLabel('Amount').inputValue()).toBe('250');
      await expect.poll(() => marked(page, 'current')).toEqual(['review']);
      expect(await marked(page, 'visited')).toEqual(['start']);
      await screenshot(page, 'testrun-form');
      expect(await axe(page)).toEqual([]);

      // Answered by keyboard: the note, the checkbox, Enter submits.
      await form.getByLabel('Note').fill('customer kept the receipt');
      await form.getByLabel('Approve the refund').focus();
      await page.keyboard.press('Space');
      await form.getByLabel('Note').press('Enter');
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('Completed');
      // The canvas walks on from the form to the end.
      await expect.poll(() => marked(page, 'current'), { timeout: 10_000 }).toEqual(['manager']);
      expect((await marked(page, 'visited')).sort()).toEqual(['classify', 'decide', 'review', 'start']);
      expect(await page.locator('.react-flow__edge.animated').count()).toBe(4);
      expect(await page.getByTestId('run-result').textContent()).toBe('"manager"');
      await screenshot(page, 'testrun-completed');

      // A step opens with its variables, and the canvas highlight moves there.
      const steps = page.getByRole('list', { name: 'Steps of the run' });
      await steps.getByRole('button', { name: /Classify/ }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => marked(page, 'current')).toEqual(['classify']);
      await steps.getByText('Set in this step').waitFor();
      expect(await steps.locator('code').first().textContent()).toBe('big');
      await screenshot(page, 'testrun-step');
      expect(await axe(page)).toEqual([]);

      // Keep the run as a test case: added to the draft, saved with it.
      await page.getByRole('button', { name: 'Save as test case' }).click();
      await page.getByLabel('Test case name').fill('a big approved refund');
      await screenshot(page, 'testrun-save-case');
      await page.getByRole('button', { name: 'Add test case' }).click();
      await page.getByRole('tab', { name: /Tests/ }).click();
      await expect.poll(() => page.getByTestId('test-case').count()).toBe(1);
      await page.getByText('this draft has unsaved changes', { exact: false }).waitFor();
      await screenshot(page, 'tests-unsaved');
      expect(await axe(page)).toEqual([]);
      await page.getByRole('button', { name: 'Save the draft and run all' }).click();
      await expect.poll(() => page.getByTestId('tests-summary').textContent(), { timeout: 60_000 }).toBe('1 passed, 0 failed on version 2');
      expect(await page.getByTestId('test-case').getAttribute('data-state')).toBe('passed');
      await screenshot(page, 'tests-green');

      const saved = await (await page.request.get(`${app().url}/api/scenarios/refund-check`)).json();
      expect(saved.document.tests).toEqual([
        {
          name: 'a big approved refund',
          input: { amount: 250 },
          sim: { customers: { rules: [{ match: '+1555*', outcome: 'busy' }], default: 'answered' } },
          answers: { review: { note: 'customer kept the receipt', approved: true } },
          expect: { path: ['start', 'review', 'classify', 'decide', 'manager'], status: 'completed', result: 'manager' },
        },
      ]);

      // Leaving the tab clears the path from the canvas.
      await page.getByRole('tab', { name: 'Problems' }).click();
      await expect.poll(() => page.locator('[data-mark]').count()).toBe(0);
    },
    180_000,
  );

  it.skipIf(skip)(
    'a form left to time out takes its timeout path; a run without its required input does not start',
    async () => {
      // The refused run's 400 is logged by the browser; the panel says why.
      const page = await app().page({ allowConsoleErrors: /status of 400 \(Bad Request\)/ });
      await page.goto(`${app().url}/scenarios/refund-check`);
      await page.locator('.react-flow__node').first().waitFor();
      await page.getByRole('tab', { name: 'Test run' }).click();
      await page.getByLabel(/^amount/).fill('40');
      await page.getByRole('button', { name: 'Run the draft' }).click();
      await page.getByRole('button', { name: 'Let it time out' }).click({ timeout: 60_000 });
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('Completed');
      await expect.poll(() => marked(page, 'current'), { timeout: 10_000 }).toEqual(['refund']);
      expect(await marked(page, 'visited')).toEqual(['start', 'review']);
      // Ten simulated minutes passed at the form.
      expect(await page.getByText('10 min simulated').count()).toBe(1);
      await screenshot(page, 'testrun-timeout');

      // Without its required input the run does not start, and says which input.
      await page.getByLabel(/^amount/).fill('');
      await page.getByRole('button', { name: 'Run again' }).click();
      await expect.poll(() => page.getByRole('alert').filter({ hasText: 'did not start' }).textContent(), { timeout: 60_000 }).toMatch(/amount/);
      await screenshot(page, 'testrun-refused');
      expect(await axe(page)).toEqual([]);
    },
    120_000,
  );
});

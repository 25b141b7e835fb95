/**
 * The editor's side panels in Chromium against a real server: the property
 * form generated from the node catalogue (a wait's duration, a query in
 * CodeMirror with its placeholder, a branch's cases becoming outcome
 * handles), validation marked on the node and the field and cleared when
 * fixed, jumping from a problem to its field, saving; the form designer
 * with its live preview; the Variables tab; keyboard reach and axe.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, seriousViolations, useWebApp } from '../support/web-app.ts';

const SCENARIO = 'panels-demo';

/** A scenario to edit: start → wait → sql → branch (one case) → two ends. */
const DOCUMENT = {
  format: 'tellflow.scenario/v1',
  id: SCENARIO,
  name: 'Callback qualification',
  kind: 'outbound',
  nodes: [
    { id: 'start', type: 'start', position: { x: 240, y: 0 } },
    { id: 'pause', type: 'wait', label: 'Let the line settle', params: { seconds: 5 }, position: { x: 240, y: 150 } },
    {
      id: 'lookup',
      type: 'sql',
      label: 'Look up the customer',
      params: { query: 'select 1 as one', result: 'first', into: 'customer' },
      position: { x: 240, y: 300 },
    },
    {
      id: 'route',
      type: 'branch',
      label: 'Route the call',
      params: { cases: [{ name: 'vip', when: { '==': [{ var: 'customer.tier' }, 'gold'] } }] },
      position: { x: 240, y: 470 },
    },
    { id: 'vipEnd', type: 'end', label: 'VIP', position: { x: 60, y: 650 } },
    { id: 'otherEnd', type: 'end', label: 'Others', position: { x: 420, y: 650 } },
  ],
  edges: [
    { source: 'start', sourceHandle: 'next', target: 'pause' },
    { source: 'pause', sourceHandle: 'next', target: 'lookup' },
    { source: 'lookup', sourceHandle: 'ok', target: 'route' },
    { source: 'lookup', sourceHandle: 'empty', target: 'otherEnd' },
    { source: 'lookup', sourceHandle: 'error', target: 'otherEnd' },
    { source: 'route', sourceHandle: 'vip', target: 'vipEnd' },
    { source: 'route', sourceHandle: 'default', target: 'otherEnd' },
  ],
};

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const properties = (page: Page) => page.getByRole('tabpanel', { name: 'Properties' });

/** Replaces the text of a CodeMirror editor by typing, as a user would, then closes any completion popup. */
async function typeInto(page: Page, editor: Locator, text: string) {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

async function openEditor(page: Page, url: string, id: string) {
  page.setDefaultTimeout(10_000);
  await page.goto(`${url}/scenarios/${id}`);
  await page.locator('.react-flow__node').first().waitFor();
}

describe('the editor side panels', () => {
  const { app, skip } = useWebApp();

  it.skipIf(skip)('edits params through the generated form, marks and clears a problem, jumps to its field, and saves', { timeout: 120_000 }, async () => {
    const page = await app().page();
    const created = await page.request.post(`${app().url}/api/scenarios`, { data: DOCUMENT });
    expect(created.status()).toBe(201);
    await openEditor(page, app().url, SCENARIO);

    // A declared variable for the query to read.
    await page.getByRole('tab', { name: 'Variables' }).click();
    const declared = page.getByRole('region', { name: 'Scenario variables' });
    await declared.getByRole('button', { name: 'Add variable' }).click();
    await declared.getByRole('textbox', { name: 'Name of variable 1' }).fill('customer_id');
    await declared.getByRole('textbox', { name: 'Default of customer_id' }).fill('42');
    await declared.getByRole('combobox', { name: 'Type of customer_id' }).click();
    await page.getByRole('option', { name: 'number' }).click();
    await screenshot(page, 'panels-variables');
    expect(await seriousViolations(page)).toEqual([]);

    // The wait: selecting the node opens Properties; its duration is a number of seconds.
    await node(page, 'pause').click();
    await expect.poll(() => page.getByRole('tab', { name: 'Properties' }).getAttribute('aria-selected')).toBe('true');
    const seconds = properties(page).getByRole('textbox', { name: 'Seconds' });
    expect(await seconds.inputValue()).toBe('5');
    await seconds.fill('30');
    await expect.poll(() => node(page, 'pause').textContent()).toContain('30');
    await screenshot(page, 'panels-wait');

    // The query: a placeholder without a value is an error on the field and on the node, until it gets one.
    await node(page, 'lookup').click();
    const query = properties(page).getByRole('textbox', { name: 'Query' });
    await typeInto(page, query, 'select tier, name from customers where id = :customer_id');
    await expect.poll(() => query.locator('.cm-sql-placeholder').allTextContents()).toEqual([':customer_id']);
    const queryField = properties(page).locator('[data-field-path="params.query"]');
    const missing = 'parameter :customer_id is used in the query but has no value in "params"';
    await expect.poll(() => queryField.locator('[data-severity="error"]').allTextContents()).toEqual([missing]);
    await expect.poll(() => node(page, 'lookup').locator('[data-problem]').getAttribute('data-problem')).toBe('error');
    await screenshot(page, 'panels-sql-error');
    await properties(page).getByRole('button', { name: 'Add :customer_id' }).click();
    await expect.poll(() => queryField.locator('[data-severity="error"]').count()).toBe(0);
    await expect.poll(() => node(page, 'lookup').locator('[data-problem]').count()).toBe(0);
    expect(await properties(page).getByRole('textbox', { name: 'Value of customer_id' }).textContent()).toBe('{"var": "customer_id"}');
    await screenshot(page, 'panels-sql');

    // The branch: a second case becomes a second outcome handle; its missing condition is marked until written.
    await node(page, 'route').click();
    await properties(page).getByRole('button', { name: 'Add case' }).click();
    await expect
      .poll(() =>
        node(page, 'route')
          .locator('.react-flow__handle.source')
          .evaluateAll((hs) => hs.map((h) => h.getAttribute('data-handleid'))),
      )
      .toEqual(['vip', 'case2', 'default']);
    const second = properties(page).getByRole('region', { name: 'Cases case2' });
    await expect.poll(() => second.locator('[data-severity="error"]').allTextContents()).toEqual(['When is required']);
    await expect.poll(() => node(page, 'route').locator('[data-problem]').getAttribute('data-problem')).toBe('error');
    await second.scrollIntoViewIfNeeded();
    await screenshot(page, 'panels-branch-error');

    // From the Problems tab, the problem opens the field it names, focused.
    await page.getByRole('tab', { name: 'Problems' }).click();
    await page.getByRole('button', { name: /route · params\.cases\[1\]\.when/ }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('When');
    await expect.poll(() => page.getByRole('tab', { name: 'Properties' }).getAttribute('aria-selected')).toBe('true');

    await typeInto(page, second.getByRole('textbox', { name: 'When' }), '{">": [{"var": "customer_id"}, 100]}');
    await second.getByRole('textbox', { name: 'Name' }).fill('bigAccount');
    const renamed = properties(page).getByRole('region', { name: 'Cases bigAccount' });
    await expect.poll(() => renamed.locator('[data-severity]').count()).toBe(0);
    await expect.poll(() => node(page, 'route').locator('[data-problem]').count()).toBe(0);
    await expect.poll(() => node(page, 'route').locator('.react-flow__handle.source').count()).toBe(3);
    await screenshot(page, 'panels-branch');
    expect(await seriousViolations(page)).toEqual([]);

    // An unknown json-logic operation is flagged in the editor as it is typed.
    const when = renamed.getByRole('textbox', { name: 'When' });
    await typeInto(page, when, '{"bigger": [1, 2]}');
    await expect.poll(() => renamed.locator('[data-severity="error"]').allTextContents()).toEqual(['unknown json-logic operation "bigger"']);
    await page.keyboard.press('ControlOrMeta+z');
    await typeInto(page, when, '{">": [{"var": "customer_id"}, 100]}');
    await expect.poll(() => renamed.locator('[data-severity]').count()).toBe(0);

    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.getByText(/Saved as version 2/).count()).toBe(1);
    const saved = (await (await page.request.get(`${app().url}/api/scenarios/${SCENARIO}`)).json()).document;
    const byId = Object.fromEntries(saved.nodes.map((n: { id: string }) => [n.id, n]));
    expect(saved.variables).toEqual([{ name: 'customer_id', type: 'number', default: 42 }]);
    expect(byId.pause.params).toEqual({ seconds: 30 });
    expect(byId.lookup.params).toEqual({
      query: 'select tier, name from customers where id = :customer_id',
      result: 'first',
      into: 'customer',
      params: { customer_id: { var: 'customer_id' } },
    });
    expect(byId.route.params.cases).toEqual([
      { name: 'vip', when: { '==': [{ var: 'customer.tier' }, 'gold'] } },
      { name: 'bigAccount', when: { '>': [{ var: 'customer_id' }, 100] } },
    ]);
  });

  it.skipIf(skip)('designs a form for a showForm node with a live preview checked like the operator’s', { timeout: 60_000 }, async () => {
    const page = await app().page();
    await openEditor(page, app().url, 'queue-callback');
    await node(page, 'talk').click();
    const panel = properties(page);
    const before = await panel.getByRole('region', { name: /^Form field / }).count();
    await panel.getByRole('button', { name: 'Add field' }).click();
    const card = panel.getByRole('region', { name: /^Form field / }).nth(before);
    await card.getByRole('textbox', { name: 'Label' }).fill('Callback reason');
    await card.getByRole('combobox', { name: 'Name' }).fill('callbackReason');
    await card.getByRole('combobox', { name: 'Type' }).click();
    await page.getByRole('option', { name: 'Choice' }).click();
    await card.getByRole('checkbox', { name: 'Required' }).check();
    // Choices of the select field.
    const options = card.locator('[data-field-path$=".options"]');
    await options.getByRole('button', { name: 'Add option' }).click();
    await options.getByRole('textbox', { name: 'Value' }).last().fill('later');
    await options.getByRole('textbox', { name: 'Label' }).last().fill('Call me later');

    const preview = panel.getByRole('region', { name: 'Form preview' });
    const reason = preview.getByRole('combobox', { name: 'Callback reason' });
    await expect.poll(() => reason.count()).toBe(1);
    expect(await reason.getAttribute('required')).not.toBeNull();
    await preview.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => preview.getByText('"Callback reason" is required').count()).toBe(1);
    await reason.click();
    expect(await page.getByRole('option').allTextContents()).toEqual(['Yes', 'No', 'Call me later']);
    await page.getByRole('option', { name: 'Call me later' }).click();
    await preview.scrollIntoViewIfNeeded();
    await screenshot(page, 'panels-form-designer');
    expect(await seriousViolations(page)).toEqual([]);
    // Saved, the designed field is in the document in the engine's shape.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.getByText(/Saved as version 2/).count()).toBe(1);
    const saved = (await (await page.request.get(`${app().url}/api/scenarios/queue-callback`)).json()).document;
    expect(saved.nodes.find((n: { id: string }) => n.id === 'talk').params.fields.at(-1)).toEqual({
      name: 'callbackReason',
      label: 'Callback reason',
      type: 'select',
      required: true,
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
        { value: 'later', label: 'Call me later' },
      ],
    });
  });

  it.skipIf(skip)('reaches every control of the property panel with the keyboard', { timeout: 60_000 }, async () => {
    const page = await app().page();
    await openEditor(page, app().url, 'dialog');
    await node(page, 'card').click();
    const panel = properties(page);
    const controls = await panel.evaluate((root) => {
      const all = root.querySelectorAll<HTMLElement>(
        // Mantine's clear buttons are out of the tab order on purpose (the input clears with Backspace).
        'input:not([type="hidden"]):not([disabled]):not([type="radio"]), input[type="radio"]:checked, textarea, button:not([disabled]):not([tabindex="-1"]), [contenteditable="true"], a[href]',
      );
      all.forEach((el, i) => {
        el.dataset.reach = String(i);
      });
      return all.length;
    });
    expect(controls).toBeGreaterThan(8);
    await panel.getByRole('textbox', { name: 'Node id' }).focus();
    const reached = new Set<string>();
    for (let i = 0; i < controls * 2 && reached.size < controls; i++) {
      const at = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.reach ?? null);
      if (at !== null) reached.add(at);
      await page.keyboard.press('Tab');
    }
    const missed = await panel.evaluate(
      (root, seen) =>
        [...root.querySelectorAll<HTMLElement>('[data-reach]')].filter((el) => !seen.includes(el.dataset.reach!)).map((el) => el.outerHTML.slice(0, 200)),
      [...reached],
    );
    expect(missed).toEqual([]);
    await screenshot(page, 'panels-sql-bundled');
  });
});

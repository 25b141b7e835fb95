/**
 * Drawing on the editor's canvas in Chromium against a real server: the
 * palette (drag, splice onto an edge, keyboard), connecting outcomes,
 * undo/redo, copy/paste between two scenarios in two tabs, duplicate,
 * delete, box selection, node search, tidy-up, the `?` shortcut overlay;
 * screenshots of each state and an axe check.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, seriousViolations, useWebApp } from '../support/web-app.ts';

interface TestNode {
  id: string;
  type: string;
  label?: string;
  position: { x: number; y: number };
  params?: unknown;
}

/** A valid small scenario: start → (middle…) → end, in a column. */
function scenario(id: string, middle: TestNode[] = []) {
  const nodes: TestNode[] = [
    { id: 'start', type: 'start', position: { x: 0, y: 0 } },
    ...middle,
    { id: 'end', type: 'end', label: 'Done', position: { x: 0, y: 180 * (middle.length + 1) }, params: { result: 'done' } },
  ];
  const chain = nodes.map((n) => n.id);
  const edges = chain.slice(1).map((target, i) => ({ source: chain[i]!, sourceHandle: 'next', target }));
  return { format: 'tellflow.scenario/v1', id, name: `Canvas ${id}`, kind: 'service', nodes, edges };
}

const setNode = (id: string, y: number, label: string, variable = 'greeting'): TestNode => ({
  id,
  type: 'setVariables',
  label,
  position: { x: 0, y },
  params: { assign: [{ name: variable, value: `hello from ${id}` }] },
});

/** Each test drives many drags and keys through a real browser; on a busy machine that takes a while. */
const SLOW = 120_000;

describe('the editor canvas', () => {
  const { app, skip } = useWebApp();

  async function open(page: Page, doc: ReturnType<typeof scenario>): Promise<void> {
    const created = await page.request.post(`${app().url}/api/scenarios`, { data: doc });
    expect(created.status(), await created.text()).toBe(201);
    await page.goto(`${app().url}/scenarios/${doc.id}`);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(doc.nodes.length);
  }

  const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const edgeIds = (page: Page) => page.locator('.react-flow__edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
  const nodeIds = (page: Page) => page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
  const selectedIds = (page: Page) => page.locator('.react-flow__node.selected').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
  const positionOf = (page: Page, id: string) => node(page, id).evaluate((el) => (el as HTMLElement).style.transform, undefined, { timeout: 5000 });

  /** Drags a palette entry onto the canvas pane at `at` (pixels from the pane's top-left corner). */
  async function dropFromPalette(page: Page, type: string, at: { x: number; y: number }): Promise<void> {
    await page.locator(`nav[aria-label="Node palette"] button[data-type="${type}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: at });
  }

  /** Drags from an outcome's handle to a node's input handle. */
  async function connect(page: Page, source: string, outcome: string, target: string): Promise<void> {
    const from = await node(page, source).locator(`.react-flow__handle[data-handleid="${outcome}"]`).boundingBox();
    const to = await node(page, target).locator('.react-flow__handle.target').boundingBox();
    if (!from || !to) throw new Error(`no handle ${source}:${outcome} or ${target}`);
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    await expect
      .poll(() => page.locator(`.react-flow__edge[data-id="${source}:${outcome}"]`).getAttribute('aria-label'), { timeout: 5000 })
      .toBe(`Edge from ${source} to ${target}`);
  }

  /** Clicks the canvas's empty background so the keys go to the editor, not to a field. */
  const focusCanvas = (page: Page) => page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });

  it.skipIf(skip)(
    'draws start → set variables → branch → two ends from the palette and connects the outcomes by dragging',
    async () => {
      const page = await app().page();
      const doc = scenario('canvas-draw');
      doc.nodes = doc.nodes.slice(0, 1);
      doc.nodes.push({ id: 'done', type: 'end', label: 'Done', position: { x: 0, y: 720 } });
      doc.edges = [{ source: 'start', sourceHandle: 'next', target: 'done' }];
      await open(page, doc);
      // The list page does not load the editor's code (React Flow); the editor does.
      await page.goto(`${app().url}/scenarios`);
      await page.getByRole('row').nth(1).waitFor();
      const chunks = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name));
      expect(chunks.filter((c) => /EditorPage/.test(c))).toEqual([]);
      await page.goto(`${app().url}/scenarios/canvas-draw`);
      await node(page, 'start').waitFor();

      // Drop the new nodes in a column under the start node, at the canvas's zoom.
      const start = await node(page, 'start').boundingBox();
      const pane = await page.locator('.react-flow__pane').boundingBox();
      if (!start || !pane) throw new Error('no start node or pane');
      const zoom = start.width / 240;
      const below = (dx: number, dy: number) => ({ x: start.x + start.width / 2 - pane.x + dx * zoom, y: start.y + start.height - pane.y + dy * zoom });
      await dropFromPalette(page, 'setVariables', below(0, 90));
      await dropFromPalette(page, 'branch', below(0, 260));
      await dropFromPalette(page, 'end', below(-150, 440));
      await dropFromPalette(page, 'end', below(150, 440));
      expect(await nodeIds(page)).toEqual(['branch1', 'done', 'end1', 'end2', 'setVariables1', 'start']);
      // New nodes land where they were dropped, each with its own id, the last one selected.
      expect(await selectedIds(page)).toEqual(['end2']);
      await connect(page, 'start', 'next', 'setVariables1');
      await connect(page, 'setVariables1', 'next', 'branch1');
      await connect(page, 'branch1', 'true', 'end1');
      await connect(page, 'branch1', 'false', 'end2');
      // One edge per outcome: start's `next` now goes to the new node instead of `done`.
      expect(await edgeIds(page)).toEqual(['branch1:false', 'branch1:true', 'setVariables1:next', 'start:next']);
      expect(await page.locator('.react-flow__edge[data-id="start:next"]').getAttribute('aria-label')).toMatch(/to setVariables1/);
      await page.keyboard.press('Shift+F');
      // The new branch and set-variables nodes need their parameters: validation marks them.
      await expect.poll(() => node(page, 'branch1').locator('[data-problem="error"]').count()).toBe(1);
      await expect.poll(() => node(page, 'setVariables1').locator('[data-problem="error"]').count()).toBe(1);
      await expect.poll(() => page.getByText('unsaved changes').count()).toBe(1);
      await screenshot(page, 'canvas-drawn');
      expect(await seriousViolations(page)).toEqual([]);
    },
    SLOW,
  );

  it.skipIf(skip)(
    'splices a node onto an edge; undo and redo by keys and toolbar buttons',
    async () => {
      const page = await app().page();
      await open(page, scenario('canvas-splice', [setNode('greet', 180, 'Greet')]));
      const undo = page.getByRole('button', { name: 'Undo' });
      const redo = page.getByRole('button', { name: 'Redo' });
      expect(await undo.isDisabled()).toBe(true);
      expect(await redo.isDisabled()).toBe(true);

      // Drop a wait node onto the middle of the greet → end edge.
      const edge = await page.locator('.react-flow__edge[data-id="greet:next"] .react-flow__edge-path').boundingBox();
      const pane = await page.locator('.react-flow__pane').boundingBox();
      if (!edge || !pane) throw new Error('no edge or pane');
      await dropFromPalette(page, 'wait', { x: edge.x + edge.width / 2 - pane.x, y: edge.y + edge.height / 2 - pane.y });
      expect(await edgeIds(page)).toEqual(['greet:next', 'start:next', 'wait1:next']);
      expect(await page.locator('.react-flow__edge[data-id="greet:next"]').getAttribute('aria-label')).toBe('Edge from greet to wait1');
      expect(await page.locator('.react-flow__edge[data-id="wait1:next"]').getAttribute('aria-label')).toBe('Edge from wait1 to end');
      await screenshot(page, 'canvas-spliced');

      expect(await undo.isDisabled()).toBe(false);
      await focusCanvas(page);
      await page.keyboard.press('Control+z');
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'greet', 'start']);
      expect(await edgeIds(page)).toEqual(['greet:next', 'start:next']);
      expect(await page.locator('.react-flow__edge[data-id="greet:next"]').getAttribute('aria-label')).toBe('Edge from greet to end');
      expect(await redo.isDisabled()).toBe(false);
      await page.keyboard.press('Control+Shift+z');
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'greet', 'start', 'wait1']);
      await undo.click();
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'greet', 'start']);
      expect(await undo.isDisabled()).toBe(true);
      await focusCanvas(page);
      await page.keyboard.press('Control+y');
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'greet', 'start', 'wait1']);
      expect(await redo.isDisabled()).toBe(true);
    },
    SLOW,
  );

  it.skipIf(skip)(
    'copies nodes from one scenario and pastes them into another in a second tab, renaming clashing ids and keeping their edges',
    async () => {
      const source = await app().page();
      await source.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app().url });
      await open(source, scenario('canvas-copy-from', [setNode('greet', 180, 'Greet'), setNode('thank', 360, 'Thank', 'thanks')]));
      const target = await source.context().newPage();
      await open(target, scenario('canvas-copy-to', [setNode('greet', 180, 'Greet the caller')]));

      await source.bringToFront();
      await node(source, 'greet').click();
      await node(source, 'thank').click({ modifiers: ['Shift'] });
      expect(await selectedIds(source)).toEqual(['greet', 'thank']);
      await source.keyboard.press('Control+c');
      const copied = JSON.parse(await source.evaluate(() => navigator.clipboard.readText()));
      expect(copied.format).toBe('tellflow.scenario/v1');
      expect(copied.nodes.map((n: TestNode) => n.id)).toEqual(['greet', 'thank']);
      expect(copied.edges).toEqual([{ source: 'greet', sourceHandle: 'next', target: 'thank' }]);

      await target.bringToFront();
      await focusCanvas(target);
      await target.keyboard.press('Control+v');
      // `greet` exists in the target, so the pasted one becomes greet1; `thank` keeps its id.
      await expect.poll(() => nodeIds(target)).toEqual(['end', 'greet', 'greet1', 'start', 'thank']);
      expect(await selectedIds(target)).toEqual(['greet1', 'thank']);
      expect(await edgeIds(target)).toEqual(['greet1:next', 'greet:next', 'start:next']);
      expect(await target.locator('.react-flow__edge[data-id="greet1:next"]').getAttribute('aria-label')).toBe('Edge from greet1 to thank');
      expect(await node(target, 'greet1').textContent()).toContain('Greet');
      // Pasted next to where they were, offset so a paste into the same place is visible.
      const from = await positionOf(source, 'greet');
      const to = await positionOf(target, 'greet1');
      const xy = (t: string) => t.match(/-?\d+(\.\d+)?/g)!.map(Number);
      expect(xy(to)).toEqual([xy(from)[0]! + 40, xy(from)[1]! + 40]);
      await screenshot(target, 'canvas-pasted');

      // Cut removes from the source; the clipboard still has them.
      await source.bringToFront();
      await focusCanvas(source);
      await node(source, 'thank').click();
      expect(await selectedIds(source)).toEqual(['thank']);
      await source.keyboard.press('Control+x');
      await expect.poll(() => nodeIds(source)).toEqual(['end', 'greet', 'start']);
      expect(JSON.parse(await source.evaluate(() => navigator.clipboard.readText())).nodes[0].id).toBe('thank');
    },
    SLOW,
  );

  it.skipIf(skip)(
    'selects with shift-click, a shift-drag box and Ctrl+A; duplicates with Ctrl+D; deletes with Delete',
    async () => {
      const page = await app().page();
      await open(page, scenario('canvas-select', [setNode('one', 180, 'One'), setNode('two', 360, 'Two')]));
      // Box selection: shift-drag around `one` and `two`.
      const a = await node(page, 'one').boundingBox();
      const b = await node(page, 'two').boundingBox();
      if (!a || !b) throw new Error('nodes not drawn');
      await page.keyboard.down('Shift');
      await page.mouse.move(a.x - 30, a.y - 20);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width + 30, b.y + b.height + 20, { steps: 10 });
      await page.mouse.up();
      await page.keyboard.up('Shift');
      expect(await selectedIds(page)).toEqual(['one', 'two']);
      await screenshot(page, 'canvas-box-selected');

      await page.keyboard.press('Control+d');
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'one', 'one1', 'start', 'two', 'two1']);
      expect(await selectedIds(page)).toEqual(['one1', 'two1']);
      expect(await edgeIds(page)).toContain('one1:next');
      await screenshot(page, 'canvas-duplicated');

      await page.keyboard.press('Delete');
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'one', 'start', 'two']);
      await node(page, 'two').click();
      await node(page, 'end').click({ modifiers: ['Shift'] });
      expect(await selectedIds(page)).toEqual(['end', 'two']);
      await page.keyboard.press('Backspace');
      await expect.poll(() => nodeIds(page)).toEqual(['one', 'start']);
      expect(await edgeIds(page)).toEqual(['start:next']);
      await page.keyboard.press('Control+a');
      expect(await selectedIds(page)).toEqual(['one', 'start']);
      await page.keyboard.press('Escape');
      expect(await selectedIds(page)).toEqual([]);
      // Typing in a field never deletes nodes.
      const search = page.getByRole('textbox', { name: 'Search node types' });
      await search.fill('abc');
      await search.press('Backspace');
      await search.press('Delete');
      expect(await nodeIds(page)).toEqual(['one', 'start']);
    },
    SLOW,
  );

  it.skipIf(skip)(
    'finds nodes by label, type or parameter text and brings the chosen one into view',
    async () => {
      const page = await app().page();
      const middle = Array.from({ length: 12 }, (_, i) => setNode(`step${i}`, 180 * (i + 1), `Step ${i}`, `v${i}`));
      middle[9]!.params = { assign: [{ name: 'v9', value: 'postcode lookup' }] };
      await open(page, scenario('canvas-search', middle));
      await focusCanvas(page);
      await page.keyboard.press('Control+f');
      const search = page.getByRole('textbox', { name: 'Search nodes by label, type or parameter' });
      expect(await search.evaluate((el) => el === document.activeElement)).toBe(true);
      await search.fill('postcode');
      const results = page.getByRole('option');
      await expect.poll(() => results.allTextContents()).toEqual([expect.stringContaining('Step 9')]);
      await screenshot(page, 'canvas-search-results');
      await search.press('Enter');
      await expect.poll(() => selectedIds(page)).toEqual(['step9']);
      // In view: the selected card lies inside the canvas.
      await expect
        .poll(async () => {
          const card = await node(page, 'step9').boundingBox();
          const pane = await page.locator('.react-flow__pane').boundingBox();
          return !!card && !!pane && card.y >= pane.y && card.y + card.height <= pane.y + pane.height;
        })
        .toBe(true);
      await search.fill('Set variables');
      await expect.poll(() => results.count()).toBe(12);
      await search.fill('no such thing');
      await expect.poll(() => page.getByText('No node matches').count()).toBe(1);
      await screenshot(page, 'canvas-search-found');
    },
    SLOW,
  );

  it.skipIf(skip)(
    'tidies up the whole scenario or only the selection, each undone in one step',
    async () => {
      const page = await app().page();
      const doc = scenario('canvas-tidy', [setNode('a', 180, 'A'), setNode('b', 360, 'B')]);
      // Scattered by hand.
      doc.nodes[1]!.position = { x: 520, y: 40 };
      doc.nodes[2]!.position = { x: -300, y: 500 };
      doc.nodes[3]!.position = { x: 300, y: 260 };
      await open(page, doc);
      const before = await Promise.all(['start', 'a', 'b', 'end'].map((id) => positionOf(page, id)));
      await page.getByRole('button', { name: 'Tidy up the layout' }).click();
      await page.getByRole('menuitem', { name: 'Tidy up the whole scenario' }).click();
      const xy = (t: string) => t.match(/-?\d+(\.\d+)?/g)!.map(Number);
      await expect.poll(async () => xy(await positionOf(page, 'a'))[0] === xy(await positionOf(page, 'start'))[0]).toBe(true);
      // Top to bottom: one column, each below the one before.
      const after = await Promise.all(['start', 'a', 'b', 'end'].map(async (id) => xy(await positionOf(page, id))));
      expect(new Set(after.map(([x]) => x)).size).toBe(1);
      expect(after.map(([, y]) => y)).toEqual([...after.map(([, y]) => y!)].sort((p, q) => p - q));
      await screenshot(page, 'canvas-tidied');
      await focusCanvas(page);
      await page.keyboard.press('Control+z');
      // The view followed the tidy layout; zoom to fit (Shift+F) shows every node again.
      await page.keyboard.press('Shift+F');
      await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
      await expect.poll(() => Promise.all(['start', 'a', 'b', 'end'].map((id) => positionOf(page, id)))).toEqual(before);

      // Only the selection: `a` and `b` line up, `start` and `end` stay.
      await node(page, 'a').click();
      await node(page, 'b').click({ modifiers: ['Shift'] });
      await page.keyboard.press('Shift+L');
      const aAboveB = async () => {
        const [a, b] = await Promise.all(['a', 'b'].map(async (id) => xy(await positionOf(page, id))));
        return a![0] === b![0] && a![1]! < b![1]!;
      };
      await expect.poll(aAboveB).toBe(true);
      expect(await positionOf(page, 'start')).toBe(before[0]);
      expect(await positionOf(page, 'end')).toBe(before[3]);
    },
    SLOW,
  );

  it.skipIf(skip)(
    'shows every shortcut on `?`, in an accessible dialog',
    async () => {
      const page = await app().page();
      await open(page, scenario('canvas-help'));
      await focusCanvas(page);
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      for (const text of ['Undo', 'Redo', 'Duplicate the selected nodes', 'Zoom to fit the whole scenario', 'Select the nodes inside a box'])
        expect(await dialog.getByText(text, { exact: true }).count()).toBe(1);
      await screenshot(page, 'canvas-shortcuts');
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      // Zoom to fit from the toolbar keeps every node in view.
      await page.getByRole('button', { name: 'Zoom to fit' }).click();
      expect(await page.locator('.react-flow__node').count()).toBe(2);
    },
    SLOW,
  );

  it.skipIf(skip)(
    'adds a node with the keyboard only: Tab to the palette, search, Enter',
    async () => {
      const page = await app().page();
      await open(page, scenario('canvas-keyboard'));
      const active = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName);
      for (let i = 0; i < 40 && (await active()) !== 'Search node types'; i++) await page.keyboard.press('Tab');
      expect(await active()).toBe('Search node types');
      await page.keyboard.type('wait');
      // Past the search field's clear button to the one matching entry.
      for (let i = 0; i < 3 && !/^Wait:/.test(String(await active())); i++) await page.keyboard.press('Tab');
      expect(await active()).toMatch(/^Wait:/);
      await page.keyboard.press('Enter');
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'start', 'wait1']);
      expect(await selectedIds(page)).toEqual(['wait1']);
      // Enter again adds another, beside the first rather than on top of it.
      await page.keyboard.press('Enter');
      await expect.poll(() => nodeIds(page)).toEqual(['end', 'start', 'wait1', 'wait2']);
      expect(await positionOf(page, 'wait1')).not.toBe(await positionOf(page, 'wait2'));
      expect(await page.getByText('Added Wait node wait2 in the middle of the canvas.').count()).toBe(1);
      await screenshot(page, 'canvas-keyboard-added');
      expect(await seriousViolations(page)).toEqual([]);
    },
    SLOW,
  );

  it.skipIf(skip)(
    'validates in the page when its validation worker cannot load: problems still marked, saving still possible',
    async () => {
      const page = await app().page();
      await page.route('**/validation.worker-*', (route) => route.abort());
      await open(page, scenario('canvas-no-worker', [setNode('greet', 180, 'Greet')]));
      await node(page, 'greet').click();
      await page.keyboard.press('Delete');
      // Nothing leads to the end any more: the engine, run in the page, marks it.
      await expect.poll(() => node(page, 'end').locator('[data-problem="warning"]').count(), { timeout: 30_000 }).toBe(1);
      const save = page.getByRole('button', { name: 'Save draft' });
      await expect.poll(() => save.isEnabled(), { timeout: 30_000 }).toBe(true);
      await save.click();
      await expect.poll(() => page.getByText('unsaved changes').count(), { timeout: 30_000 }).toBe(0);
    },
    SLOW,
  );
});

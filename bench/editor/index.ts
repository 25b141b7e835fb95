/**
 * The editor in headless Chromium against a real `tellflow serve` (PGlite,
 * temporary data directory): time from navigation to an interactive canvas
 * for 100 and 1,000 nodes, the frame time while dragging a node in the
 * 1,000-node scenario, and the tidy-up time for 1,000 nodes with the longest
 * main-thread gap meanwhile. See bench/README.md ("editor").
 *
 *   npm run bench:editor [-- --runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../../test/support/browser.ts';
import buildWeb from '../../test/support/build-web.ts';
import { startServer } from '../../test/support/server-process.ts';
import { frameWork } from './frame-work.ts';
import { benchScenario } from './scenario.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const PASSWORD = 'bench-editor-password';
const TARGET = { openMs: 1000, dragFrameMs: 16, tidyGapMs: 100 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** Navigates to the editor and returns the ms from navigation start until the canvas has drawn its nodes and answers the next frame. */
async function openTime(context: BrowserContext, url: string, id: string): Promise<{ ms: number; cpu: number; rendered: number; page: Page }> {
  const page = await context.newPage();
  const cpu = await mainThreadClock(context, page);
  await page.goto(`${url}/scenarios/${id}`, { waitUntil: 'commit' });
  const result = await page.evaluate(
    () =>
      new Promise<{ ms: number; rendered: number }>((resolve) => {
        const ready = () => {
          const nodes = document.querySelectorAll<HTMLElement>('.react-flow__node');
          const viewport = document.querySelector<HTMLElement>('.react-flow__viewport');
          // Drawn: nodes in the DOM, every one measured (React Flow hides a node until it knows its size), the view fitted.
          return nodes.length > 0 && viewport?.style.transform && [...nodes].every((n) => n.style.visibility !== 'hidden') ? nodes.length : 0;
        };
        const check = () => {
          const rendered = ready();
          // The frame after the canvas is drawn: the page is responding, not still busy.
          if (rendered) requestAnimationFrame(() => resolve({ ms: performance.now(), rendered }));
          else requestAnimationFrame(check);
        };
        check();
      }),
  );
  return { ...result, cpu: await cpu(), page };
}

/**
 * The renderer main thread's CPU time (Chrome's `ThreadTime` metric) since
 * the call, in ms. Unlike wall time it does not grow when other processes
 * take the cores, so it shows the page's own cost on a busy machine.
 */
async function mainThreadClock(context: BrowserContext, page: Page): Promise<() => Promise<number>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')!.value * 1000;
  const start = await read();
  return async () => (await read()) - start;
}

/**
 * Drags a visible node with the mouse and returns, for the frames that
 * handled a move, the main thread's work (from a trace) and the rAF intervals.
 */
async function dragFrames(browser: Browser, page: Page): Promise<{ work: number[]; frames: number[]; moved: boolean }> {
  const node = await page.evaluate(() => {
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    for (const el of document.querySelectorAll<HTMLElement>('.react-flow__node')) {
      const r = el.getBoundingClientRect();
      if (r.left > pane.left + 20 && r.right < pane.right - 300 && r.top > pane.top + 20 && r.bottom < pane.bottom - 200)
        return { id: el.dataset.id!, x: r.left + r.width / 2, y: r.top + 12, transform: el.style.transform };
    }
    throw new Error('no node fully in view to drag');
  });
  await page.mouse.move(node.x, node.y);
  await page.mouse.down();
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    let moved = false;
    let last = performance.now();
    // pointermove: React Flow's drag stops the mousemove it handles from reaching other listeners.
    window.addEventListener('pointermove', () => (moved = true), { capture: true });
    const tick = (t: number) => {
      if (moved) w.__frames.push(t - last);
      moved = false;
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  for (let i = 1; i <= 150; i++) await page.mouse.move(node.x + i * 2, node.y + Math.sin(i / 10) * 40);
  const work = frameWork(await browser.stopTracing(), ['pointermove', 'mousemove']);
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames;
  });
  const after = await page.locator(`.react-flow__node[data-id="${node.id}"]`).evaluate((el) => (el as HTMLElement).style.transform);
  return { work, frames, moved: after !== node.transform };
}

/** Tidies the whole scenario (Shift+L) and returns how long it took and the longest gap between frames meanwhile. */
async function tidyTime(page: Page): Promise<{ ms: number; longestGap: number; moved: boolean }> {
  const before = await page
    .locator('.react-flow__node')
    .first()
    .evaluate((el) => (el as HTMLElement).style.transform);
  const result = await page.evaluate(
    () =>
      new Promise<{ ms: number; longestGap: number }>((resolve) => {
        const button = document.querySelector('[aria-label="Tidy up the layout"]')!;
        let longestGap = 0;
        let last = performance.now();
        let started = false;
        const t0 = performance.now();
        const tick = (t: number) => {
          longestGap = Math.max(longestGap, t - last);
          last = t;
          const busy = button.hasAttribute('data-loading');
          if (busy) started = true;
          if (started && !busy) {
            // One more frame: the moved nodes have been drawn.
            requestAnimationFrame((t2) => resolve({ ms: t2 - t0, longestGap: Math.max(longestGap, t2 - last) }));
            return;
          }
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'L', shiftKey: true, bubbles: true }));
      }),
  );
  const after = await page
    .locator('.react-flow__node')
    .first()
    .evaluate((el) => (el as HTMLElement).style.transform);
  return { ...result, moved: after !== before };
}

async function main() {
  buildWeb();
  const dir = mkdtempSync(join(tmpdir(), 'tellflow-bench-editor-'));
  const server = await startServer({ TELLFLOW_DATA_DIR: dir, TELLFLOW_ADMIN_PASSWORD: PASSWORD });
  const url = server.url.replace('localhost', '127.0.0.1');
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // tsx names the functions it compiles with a `__name` helper; the in-page functions below need it too.
    await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    const login = await context.request.post(`${url}/api/auth/login`, { data: { username: 'admin', password: PASSWORD } });
    if (!login.ok()) throw new Error(`login failed: ${login.status()} ${await login.text()}`);
    for (const size of [100, 1000]) {
      const res = await context.request.post(`${url}/api/scenarios`, { data: benchScenario(size) });
      if (!res.ok()) throw new Error(`import of ${size} nodes failed: ${res.status()} ${await res.text()}`);
    }
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores`,
    );
    console.log(`editor bench: Chromium ${browser.version()}, ${RUNS} runs per figure\n`);

    // Warm the HTTP cache once, as a returning user's browser would be.
    const warm = await openTime(context, url, 'bench-editor-100');
    await warm.page.close();

    const open: Record<number, number> = {};
    for (const size of [100, 1000]) {
      const times: number[] = [];
      const cpus: number[] = [];
      let rendered = 0;
      for (let run = 0; run < RUNS; run++) {
        const o = await openTime(context, url, `bench-editor-${size}`);
        times.push(o.ms);
        cpus.push(o.cpu);
        rendered = o.rendered;
        await o.page.close();
      }
      open[size] = median(times);
      console.log(
        `open ${String(size).padStart(5)} nodes: median ${ms(open[size])} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}; main-thread CPU ${ms(median(cpus))}; ${rendered} cards in the DOM)  target ≤ ${TARGET.openMs} ms for 1,000: ${size === 1000 ? verdict(open[size] <= TARGET.openMs) : '-'}`,
      );
    }

    const work: number[] = [];
    const frames: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const o = await openTime(context, url, 'bench-editor-1000');
      await o.page.waitForTimeout(300);
      const drag = await dragFrames(browser, o.page);
      if (!drag.moved) throw new Error('the dragged node did not move');
      if (drag.work.length === 0) throw new Error('no frame handled a move');
      work.push(...drag.work);
      frames.push(...drag.frames);
      await o.page.close();
    }
    const dragMedian = median(work);
    console.log(
      `drag in 1,000 nodes: main-thread work per frame median ${ms(dragMedian)} (p90 ${ms(quantile(work, 0.9))}, max ${ms(Math.max(...work))}; ${work.length} frames)  target ≤ ${TARGET.dragFrameMs} ms: ${verdict(dragMedian <= TARGET.dragFrameMs)}`,
    );
    console.log(
      `                     time between those frames median ${ms(median(frames))} (p90 ${ms(quantile(frames, 0.9))}; never below the display's 16.7 ms)`,
    );

    const tidy: { ms: number; longestGap: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const o = await openTime(context, url, 'bench-editor-1000');
      await o.page.waitForTimeout(300);
      const t = await tidyTime(o.page);
      if (!t.moved) throw new Error('tidy-up did not move the nodes');
      tidy.push(t);
      await o.page.close();
    }
    const tidyMedian = median(tidy.map((t) => t.ms));
    const gapMedian = median(tidy.map((t) => t.longestGap));
    console.log(
      `tidy-up 1,000 nodes: median ${ms(tidyMedian)} (min ${ms(Math.min(...tidy.map((t) => t.ms)))}, max ${ms(Math.max(...tidy.map((t) => t.ms)))}); longest gap between frames meanwhile: median ${ms(gapMedian)}, max ${ms(Math.max(...tidy.map((t) => t.longestGap)))}  target: the page keeps drawing (gap ≤ ${TARGET.tidyGapMs} ms): ${verdict(gapMedian <= TARGET.tidyGapMs)}`,
    );
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

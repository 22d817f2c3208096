/**
 * The watch page's weight and first paint: the local stack (dev stack with the real bundles, the
 * fake Bedrock) runs the scripted four-turn task of the browser test to its end; then headless
 * Chromium opens the task's link afresh each run (new context: empty cache) and reports what it
 * transferred and when it painted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from '../test/support/browser.ts';
import { SOURCE_FILES, scriptedTask, startViewStack } from '../test/support/view-stack.ts';
import type { Measurement } from './types.ts';

const TASK = 'bench-watch';

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (performance.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const watchPage: Measurement = {
  id: 'view',
  title: 'Watch page (Chromium, local stack)',
  method:
    'The dev stack runs a finished four-turn task (text, two shell calls, three edits; a two-file diff). Each run opens its watch-page link in a fresh headless Chromium context (empty cache) and waits for the diff. ' +
    'Page weight = headers and bodies of the HTML, script and style sheet as Chromium received them (DevTools protocol); the task data = the bodies of the event stream and the diff for that task. Paint times from the Paint Timing API, from navigation start.',
  figures: [
    { key: 'pageKiB', label: 'page (HTML, script, style sheet) transferred', unit: 'KiB', target: '< 200', digits: 1 },
    { key: 'dataKiB', label: "the task's data the page then reads (event stream and diff bodies)", unit: 'KiB', digits: 1 },
    { key: 'firstPaint', label: 'first paint', unit: 'ms', digits: 0 },
    { key: 'firstContentfulPaint', label: 'first contentful paint', unit: 'ms', target: '< 1000', digits: 0 },
    { key: 'diffShown', label: 'link opened → diff shown (finished task)', unit: 'ms', digits: 0 },
  ],
  defaultRuns: 5,
  async measure(ctx, runs) {
    const gate = path.join(ctx.tmp, 'watch-gate');
    fs.writeFileSync(gate, '');
    const env = await startViewStack({ turns: (i) => scriptedTask(gate)(i), distDir: ctx.distDir });
    const browser = await launchChromium();
    try {
      await env.send(TASK, 'Fix the answer and add a test.', SOURCE_FILES);
      await until('the task to finish', async () => (await fetch(env.link(TASK).replace('/view', '/diff'))).status === 200);
      // The data is the same on every run: its size, read here as the page reads it.
      const body = async (what: string) => Buffer.byteLength(await (await fetch(env.link(TASK).replace('/view', `/${what}`))).text());
      const dataBytes = (await body('events')) + (await body('diff'));
      const samples: Record<string, number>[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        // What DevTools shows as transferred: each request's encoded bytes (headers and body) when it finished.
        const cdp = await context.newCDPSession(page);
        const types = new Map<string, string>();
        const bytes = new Map<string, number>();
        cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
        cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
        await cdp.send('Network.enable');
        const opened = performance.now();
        await page.goto(env.link(TASK));
        await page.locator('.diff-file').first().waitFor({ timeout: 60_000 });
        const diffShown = performance.now() - opened;
        const paints = (await page.evaluate("performance.getEntriesByType('paint').map((p) => [p.name, p.startTime])")) as [string, number][];
        const pageBytes = [...bytes].filter(([id]) => ['Document', 'Script', 'Stylesheet'].includes(types.get(id) ?? '')).reduce((n, [, b]) => n + b, 0);
        const paint = Object.fromEntries(paints);
        samples.push({ pageKiB: pageBytes / 1024, dataKiB: dataBytes / 1024, firstPaint: paint['first-paint'], firstContentfulPaint: paint['first-contentful-paint'], diffShown });
        ctx.log(`watch page run ${i + 1}: ${(pageBytes / 1024).toFixed(1)} KiB page, first contentful paint ${paint['first-contentful-paint']?.toFixed(0)} ms`);
        await context.close();
      }
      return samples;
    } finally {
      await browser.close();
      await env.stop();
    }
  },
};

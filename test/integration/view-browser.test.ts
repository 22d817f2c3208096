/**
 * The watch page in a real browser (Debian's Chromium through playwright-core), on the local stack:
 * the real worker runs a scripted task against the fake Bedrock while the page follows it through
 * the view function. Screenshots of the page running and finished go to test-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORBIDDEN_BODY } from '../../src/view/index.ts';
import { launchChromium } from '../support/browser.ts';
import { HOSTILE_OUTPUT, SOURCE_FILES, scriptedTask, startViewStack, type ViewStack } from '../support/view-stack.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results');
const TASK = 'view-browser-1';

let env: ViewStack;
let browser: Browser;
let gate: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  let gateFile = '';
  // Short function time: the page's streams end every few seconds and it must resume them.
  env = await startViewStack({ turns: (i) => scriptedTask(gateFile)(i), functionTimeoutMs: 8_000 });
  gate = path.join(env.tmpDir, 'go');
  gateFile = gate;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  fs.writeFileSync(gate, '');
  await browser?.close();
  await env?.stop();
});

interface Recorded {
  page: Page;
  requests: string[];
  errors: string[];
}

async function openPage(url: string): Promise<Recorded> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const rec: Recorded = { page, requests: [], errors: [] };
  page.on('request', (r) => rec.requests.push(r.url()));
  page.on('pageerror', (e) => rec.errors.push(e.message));
  page.on('console', (m) => {
    // The feed's 404s while the task has not started are expected (the page waits and retries).
    if (m.type() === 'error' && !/status of 404/.test(m.text())) rec.errors.push(m.text());
  });
  await page.goto(url);
  return rec;
}

const countOf = (page: Page, selector: string) => page.locator(selector).count();

describe('the watch page in Chromium', () => {
  it('follows a running task live, keeps tool output inert, resumes after reloads and dropped streams, and shows the result and diff', async () => {
    const link = env.link(TASK);
    const origin = new URL(link).origin;
    // Opened before the task is sent: the page waits for it to start.
    const first = await openPage(link);
    await env.send(TASK, 'Fix the answer and add a test.', SOURCE_FILES);
    const { page } = first;

    // While the second turn's command waits for the gate: everything so far is shown, live.
    const live = page.locator('#running');
    await expect.poll(async () => (await live.isVisible()) && (await live.textContent()), { timeout: 60_000 }).toMatch(/^running `until \[ -f .*` for \d+ s$/);
    expect(await page.locator('#stats .status').textContent()).toBe('running');
    expect(await page.locator('#stats .model').textContent()).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(await page.locator('.assistant h2').first().textContent()).toBe('Plan');
    expect(await page.locator('.assistant li code').allTextContents()).toEqual(['src/app.ts', 'answer']);
    expect(await page.locator('.assistant a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]))).toEqual([
      ['the docs', 'https://example.com/docs', 'noopener noreferrer nofollow'],
    ]);
    const output = page.locator('.tool pre.output').first();
    expect(await output.textContent()).toBe(`exit code: 0\n${HOSTILE_OUTPUT}\n`);
    // The markup is text: no element was made from it, and nothing in it ran.
    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();
    expect(await countOf(page, 'main script, main img, main b')).toBe(0);
    await page.locator('.tool').first().locator('summary').click();
    await page.screenshot({ path: path.join(SHOTS, 'watch-running.png'), fullPage: false });

    // A reload shows the same conversation again (each event once) and goes on following.
    const before = await countOf(page, '.item');
    await page.reload();
    await expect.poll(async () => (await live.isVisible()) && countOf(page, '.item'), { timeout: 30_000 }).toBe(before);

    // The streams have ended (function time) and been resumed at least once by now.
    await expect.poll(() => first.requests.filter((u) => /\/events\?token=[^&]+&after=\d+/.test(u)).length, { timeout: 30_000 }).toBeGreaterThan(0);

    fs.writeFileSync(gate, '');
    const result = page.locator('#result');
    await expect.poll(() => result.isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await page.locator('#stats .status').textContent()).toBe('succeeded');
    expect(await live.isHidden()).toBe(true);
    await expect.poll(() => countOf(page, '.diff-file'), { timeout: 30_000 }).toBe(2);
    expect(await page.locator('.diff-file summary code.path').allTextContents()).toEqual(['src/app.test.ts', 'src/app.ts']);
    // Side by side: old and new halves, coloured.
    expect(await page.locator('.diff.split td.code.del').allTextContents()).toEqual(["  return 'Hello ' + name;", 'export const answer = 41;']);
    expect(await countOf(page, '.diff .tok-keyword')).toBeGreaterThan(0);
    expect(await countOf(page, '.diff .tok-string')).toBeGreaterThan(0);
    // Each tool call once, with its result, after every reconnection.
    expect(await page.locator('.item.tool').evaluateAll((els) => els.map((e) => e.className))).toEqual([
      'item tool success',
      'item tool success',
      'item tool success',
      'item tool success',
      'item tool success',
    ]);
    expect(await page.locator('.item.turn').allTextContents()).toEqual(['Turn 1', 'Turn 2', 'Turn 3', 'Turn 4']);
    await page.screenshot({ path: path.join(SHOTS, 'watch-finished-full.png'), fullPage: true });
    await page.evaluate("window.scrollTo({ top: document.getElementById('result').offsetTop - 430 })");
    await page.screenshot({ path: path.join(SHOTS, 'watch-finished.png') });
    await page.locator('button.layout', { hasText: 'Unified' }).click();
    expect(await page.locator('.diff.unified tr.line.add td.code').allTextContents()).toContain('+export const answer = 42;');

    // The download links redirect to presigned URLs of the stack's bucket, asking for an attachment.
    const href = new URL((await page.locator('.artifacts a', { hasText: 'diff.patch' }).getAttribute('href'))!, page.url()).toString();
    const redirect = await fetch(href, { redirect: 'manual' });
    const location = new URL(redirect.headers.get('location')!);
    expect([redirect.status, location.origin, location.pathname, location.searchParams.get('response-content-disposition'), location.searchParams.get('X-Amz-Expires')]).toEqual([
      302,
      env.stack.s3Endpoint,
      `/${env.stack.bucket}/tasks/${TASK}/diff.patch`,
      `attachment; filename="${TASK}-diff.patch"`,
      '300',
    ]);
    const download = await page.request.get(href);
    const stored = await (await env.s3.send(new GetObjectCommand({ Bucket: env.stack.bucket, Key: `tasks/${TASK}/diff.patch` }))).Body!.transformToString();
    expect([download.status(), await download.text()]).toEqual([200, stored]);

    // Nothing but this origin was asked for, and the page raised no error.
    expect(first.requests.filter((u) => new URL(u).origin !== origin && !u.startsWith('data:'))).toEqual([]);
    expect(first.errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows a finished task from the start, and answers 403 with one body to a wrong, expired or missing token', async () => {
    const { page, errors } = await openPage(env.link(TASK));
    await expect.poll(() => countOf(page, '.diff-file'), { timeout: 30_000 }).toBe(2);
    expect(await page.locator('#stats .connection').textContent()).toBe('finished');
    expect(errors).toEqual([]);

    const good = new URL(env.link(TASK));
    const forbidden = [
      new URL(env.link(TASK, -60)),
      new URL(env.link('view-no-such-task', -60)),
      new URL(good.toString().replace(/token=[^&]+/, 'token=v1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')),
      new URL(good.toString().replace('view-browser-1', 'view-no-such-task')),
      new URL(good.toString().replace(/\?token=.*$/, '')),
    ];
    for (const url of forbidden) {
      const nav = await page.goto(url.toString());
      expect([nav?.status(), await nav?.text()]).toEqual([403, FORBIDDEN_BODY]);
      const events = await fetch(url.toString().replace('/view', '/events'));
      expect([events.status, await events.text()]).toEqual([403, FORBIDDEN_BODY]);
    }
    await page.close();
  }, 60_000);
});

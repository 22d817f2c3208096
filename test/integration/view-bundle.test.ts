/**
 * The built view bundle (dist/view/index.mjs) as Lambda runs it, on the sample event of
 * events/view-url.json with the View settings of events/env.json: the page for a valid link, its
 * files, 403 otherwise; and nothing it writes to its logs holds the token.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuildScript, loadBundle } from '../../src/local/index.ts';
import { FORBIDDEN_BODY, PAGE_FILES } from '../../src/view/index.ts';
import { FAKE_CREDENTIALS, setEnv } from '../support/fauxqs.ts';
import { openStream } from '../support/lambda-stream.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/view-url.json'), 'utf8'));
const ENV = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/env.json'), 'utf8'));
const TOKEN: string = SAMPLE.queryStringParameters.token;

let outDir: string;
let handler: unknown;
let restore: () => void;
const written: string[] = [];
const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

beforeAll(async () => {
  outDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `view-bundle-${process.pid}`);
  await (await loadBuildScript(ROOT)).buildFunctions({ root: ROOT, outDir, names: ['view'], log: () => undefined });
  restore = setEnv({
    ...ENV.View,
    ARTIFACT_BUCKET: ENV.Parameters.ARTIFACT_BUCKET,
    // Nothing listens here: the routes under test read nothing, and a read would fail loudly.
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  handler = await loadBundle(path.join(outDir, 'view', 'index.mjs'));
  // Every log line the function writes (Powertools writes JSON lines to stdout).
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => (written.push(String(chunk)), originals.out(chunk, ...(rest as [])))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => (written.push(String(chunk)), originals.err(chunk, ...(rest as [])))) as typeof process.stderr.write;
}, 60_000);

afterAll(() => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  restore?.();
  fs.rmSync(outDir, { recursive: true, force: true });
});

async function invoke(event: unknown): Promise<{ status?: number; headers: Record<string, string>; body: string }> {
  const s = openStream(handler, event);
  const prelude = await s.prelude;
  await s.done;
  return { status: prelude?.statusCode, headers: prelude?.headers ?? {}, body: s.text() };
}

const at = (rawPath: string, rawQueryString: string) => ({ ...SAMPLE, rawPath, rawQueryString, queryStringParameters: rawQueryString ? Object.fromEntries(new URLSearchParams(rawQueryString)) : undefined, requestContext: { ...SAMPLE.requestContext, http: { ...SAMPLE.requestContext.http, path: rawPath } } });

describe('the view bundle', () => {
  it('serves the sample event the page, then its files, and 403 without the token', async () => {
    const page = await invoke(SAMPLE);
    expect([page.status, page.headers['content-type'], page.headers['x-content-type-options']]).toEqual([200, 'text/html; charset=utf-8', 'nosniff']);
    const names = [...page.body.matchAll(/\.\.\/\.\.\/assets\/([\w.-]+)/g)].map((m) => m[1]);
    expect(names.sort()).toEqual([...PAGE_FILES.keys()].sort());
    for (const name of names) expect((await invoke(at(`/assets/${name}`, ''))).body).toBe(PAGE_FILES.get(name)!.body);
    const denied = await invoke(at('/tasks/example-task-1/events', 'token=v1.4102444800.wrong'));
    const unknown = await invoke(at('/tasks/no-such-task/view', `token=${TOKEN}`));
    expect([denied.status, denied.body, unknown.status, unknown.body]).toEqual([403, FORBIDDEN_BODY, 403, FORBIDDEN_BODY]);
  });

  it('writes no log line holding the token, even when a request fails', async () => {
    // The diff read fails (nothing listens at the S3 endpoint): the function logs the error.
    const failed = await invoke(at('/tasks/example-task-1/diff', `token=${TOKEN}`));
    expect(failed.status).toBe(502);
    expect(written.join('')).toContain('cannot read the diff');
    expect(written.filter((w) => w.includes(TOKEN.split('.')[2]))).toEqual([]);
  }, 30_000);
});

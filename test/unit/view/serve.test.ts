import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/task/events.ts';
import type { FunctionUrlRequest, HttpResponsePrelude, ResponseStream } from '../../../src/progress/index.ts';
import { createRedactor } from '../../../src/security/index.ts';
import { FORBIDDEN_BODY, PAGE_FILES, SECURITY_HEADERS, handleViewRequest, signViewToken, type ViewDeps } from '../../../src/view/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';

const KEY = 'a-view-link-key-of-at-least-32-characters';
const NOW = Date.UTC(2025, 5, 1);
const token = (taskId: string, ttl = 3600) => signViewToken(KEY, taskId, NOW / 1000 + ttl);

interface Answer {
  status?: number;
  headers: Record<string, string>;
  body: string;
}

function request(path: string, query = '', method = 'GET'): FunctionUrlRequest {
  return { rawPath: path, rawQueryString: query, headers: {}, requestContext: { http: { method, path } } };
}

async function call(req: FunctionUrlRequest, deps: Partial<ViewDeps> & { store: MemoryStore }): Promise<Answer & { logs: string[]; presigned: unknown[] }> {
  let prelude: HttpResponsePrelude | undefined;
  let body = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      body += chunk.toString();
      cb();
    },
  }) as ResponseStream;
  const logs: string[] = [];
  const presigned: unknown[] = [];
  const line = (level: string) => (message: string, extra?: Record<string, unknown>) => void logs.push(`${level} ${message} ${JSON.stringify(extra ?? {})}`);
  await handleViewRequest(req, sink, {
    from: (s, p) => ((prelude = p), s),
    remainingMs: () => 900_000,
    clock: () => NOW,
    sleep: async () => undefined,
    log: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), appendKeys: () => undefined, removeKeys: () => undefined },
    key: async () => KEY,
    presign: async (taskId, name, opts) => {
      presigned.push({ taskId, name, opts });
      return `https://bucket.s3.example/tasks/${taskId}/${name}?X-Amz-Signature=abc`;
    },
    redactor: createRedactor(),
    ...deps,
  });
  return { status: prelude?.statusCode, headers: prelude?.headers ?? {}, body, logs, presigned };
}

function withTask(taskId: string, opts: { done?: boolean; diff?: string } = {}): MemoryStore {
  const store = new MemoryStore();
  void store.put(taskId, 'task.json', '{}');
  const events: AgentEvent[] = [
    { seq: 1, time: new Date(NOW).toISOString(), taskId, type: 'turn_started', turn: 1 },
    { seq: 2, time: new Date(NOW).toISOString(), taskId, type: 'assistant_text', turn: 1, text: '<script>x</script>' },
  ];
  if (opts.done) {
    events.push({ seq: 3, time: new Date(NOW).toISOString(), taskId, type: 'result', status: 'succeeded', stopReason: 'end_turn', turns: 1, model: 'm', usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, costUsd: 0, diff: { files: 1, additions: 1, deletions: 0 } });
    void store.put(taskId, 'result.json', '{}');
  }
  void store.appendEvents(taskId, events);
  if (opts.diff !== undefined) void store.put(taskId, 'diff.patch', opts.diff);
  return store;
}

describe('handleViewRequest', () => {
  it('answers 403 with one body, before reading anything, to a missing, wrong, expired or other task token, known task or not', async () => {
    const store = withTask('known', { done: true });
    const reads: string[] = [];
    const spy = Object.assign(Object.create(store), {
      get: (t: string, n: string) => (reads.push(`${t}/${n}`), store.get(t, n as 'task.json')),
      readEvents: (t: string, a?: number) => (reads.push(`${t}/events`), store.readEvents(t, a)),
    }) as MemoryStore;
    const cases: [string, string][] = [];
    for (const id of ['known', 'unknown', 'bad%2Fid', 'x'.repeat(100)]) {
      for (const action of ['view', 'events', 'diff', 'artifacts/diff.patch', 'artifacts/lease.json']) {
        cases.push([`/tasks/${id}/${action}`, '']);
        cases.push([`/tasks/${id}/${action}`, `token=${token('other')}`]);
        cases.push([`/tasks/${id}/${action}`, `token=${token(/^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : 'known', -1)}`]);
        cases.push([`/tasks/${id}/${action}`, `token=${token('known').replace(/.$/, 'A')}&token=${token('known').replace(/.$/, 'B')}`]);
      }
    }
    const answers = await Promise.all(cases.map(([p, q]) => call(request(p, q), { store: spy })));
    expect(new Set(answers.map((a) => JSON.stringify([a.status, a.body, a.headers])))).toEqual(
      new Set([JSON.stringify([403, FORBIDDEN_BODY, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }])]),
    );
    expect(reads).toEqual([]);
  });

  it('serves the page with a strict CSP to the holder of a valid token, for a task not started yet too', async () => {
    for (const id of ['known', 'not-yet']) {
      const res = await call(request(`/tasks/${id}/view`, `token=${token(id)}`), { store: withTask('known') });
      expect([res.status, res.headers['content-type'], res.headers['content-security-policy'], res.headers['cache-control'], res.headers['referrer-policy']]).toEqual([
        200,
        'text/html; charset=utf-8',
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        'no-store',
        'no-referrer',
      ]);
      expect(res.body).toContain(`<code>${id}</code>`);
      // No inline script or style: only the two files, by relative URL.
      expect([...res.body.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([`<script type="module" src="../../assets/${[...PAGE_FILES.keys()].find((n) => n.endsWith('.js'))}">`]);
      expect(res.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
  });

  it('serves the page files without a token, cacheable for good, and 404 for any other', async () => {
    const store = new MemoryStore();
    for (const [name, file] of PAGE_FILES) {
      const res = await call(request(`/assets/${name}`), { store });
      expect([res.status, res.headers['content-type'], res.headers['cache-control'], res.body]).toEqual([200, file.contentType, 'public, max-age=31536000, immutable', file.body]);
    }
    const missing = await call(request('/assets/view-old.js'), { store });
    const root = await call(request('/'), { store });
    const post = await call(request('/tasks/known/view', `token=${token('known')}`, 'POST'), { store });
    expect([missing.status, root.status, post.status, post.headers.allow]).toEqual([404, 404, 405, 'GET']);
  });

  it("streams the task's events (resuming after `after`), and answers 404 for a valid token of a task not started", async () => {
    const store = withTask('known', { done: true });
    const res = await call(request('/tasks/known/events', `token=${token('known')}&after=1`), { store });
    expect([res.status, res.headers['content-type'], res.headers['content-security-policy']]).toEqual([200, 'text/event-stream; charset=utf-8', SECURITY_HEADERS['content-security-policy']]);
    expect([...res.body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([2, 3]);
    const waiting = await call(request('/tasks/later/events', `token=${token('later')}`), { store });
    expect(waiting.status).toBe(404);
    const bad = await call(request('/tasks/known/events', `token=${token('known')}&after=x`), { store });
    expect(bad.status).toBe(400);
  });

  it('sends the diff redacted, and 404 until there is one', async () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const store = withTask('known', { done: true, diff: `diff --git a/c b/c\n--- a/c\n+++ b/c\n@@ -1 +1 @@\n-x\n+key=${secret}\n` });
    const res = await call(request('/tasks/known/diff', `token=${token('known')}`), { store });
    expect([res.status, res.headers['content-type'], res.body.includes(secret), res.body.includes('[REDACTED:')]).toEqual([200, 'text/plain; charset=utf-8', false, true]);
    const none = await call(request('/tasks/known/diff', `token=${token('known')}`), { store: withTask('known') });
    expect(none.status).toBe(404);
    const cut = await call(request('/tasks/known/diff', `token=${token('known')}`), { store: withTask('known', { diff: 'line\n'.repeat(10) }), maxDiffBytes: 12 });
    expect([cut.body, cut.headers['x-diff-truncated']]).toEqual(['line\nline\n', 'true']);
  });

  it('redirects a download to a short-lived presigned URL asking for an attachment; only the page\'s artifacts', async () => {
    const store = withTask('known', { done: true });
    const res = await call(request('/tasks/known/artifacts/transcript.json', `token=${token('known')}`), { store });
    expect([res.status, res.headers.location, res.presigned]).toEqual([
      302,
      'https://bucket.s3.example/tasks/known/transcript.json?X-Amz-Signature=abc',
      [{ taskId: 'known', name: 'transcript.json', opts: { expiresInSeconds: 300, query: { 'response-content-disposition': 'attachment; filename="known-transcript.json"', 'response-content-type': 'application/json' } } }],
    ]);
    const other = await call(request('/tasks/known/artifacts/checkpoint.json', `token=${token('known')}`), { store });
    expect([other.status, other.presigned]).toEqual([404, []]);
  });

  it('never logs the token, and answers 500 to everyone when the key cannot be read', async () => {
    const t = token('known');
    const failing = await call(request('/tasks/known/diff', `token=${t}`), {
      store: Object.assign(new MemoryStore(), { get: async () => Promise.reject(new Error('S3 is down')) }),
    });
    const noKey = await call(request('/tasks/known/view', `token=${t}`), { store: new MemoryStore(), key: async () => Promise.reject(new Error('AccessDenied')) });
    const shortKey = await call(request('/tasks/known/view', `token=${t}`), { store: new MemoryStore(), key: async () => 'short' });
    expect([failing.status, noKey.status, noKey.body, shortKey.status]).toEqual([502, 500, 'the view is not available right now\n', 500]);
    const logs = [...failing.logs, ...noKey.logs, ...shortKey.logs];
    expect(logs.length).toBe(3);
    expect(logs.filter((l) => l.includes(t) || l.includes(t.split('.')[2]))).toEqual([]);
  });
});

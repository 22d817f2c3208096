import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { branchPath, gh, GitHubClient } from '../../../src/github/client.ts';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: string;
}

let server: Server;
let base: string;
let seen: Seen[];
let answers: { status: number; body: string; headers?: Record<string, string>; cut?: boolean }[];

beforeEach(async () => {
  seen = [];
  answers = [];
  server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const a = answers.shift() ?? { status: 200, body: '{"ok":true}' };
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    // A cut answer: the headers promise more body than comes before the connection drops.
    if (a.cut) res.write(a.body, () => res.destroy());
    else res.end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('GitHubClient', () => {
  it('keeps the API path, sends the bearer token and JSON, and encodes path segments', async () => {
    const client = new GitHubClient({ apiUrl: `${base}/api/v3/`, token: async () => 'tok' });
    const res = await client.post(gh`/repos/${'o'}/${'a b'}/issues/${3}/comments`, { body: 'hi' }, { query: { x: 1, y: undefined } });
    expect(res).toEqual({ status: 200, data: { ok: true } });
    expect(seen.map((s) => [s.method, s.url, s.headers.authorization, s.headers.accept, s.headers['content-type'], s.body])).toEqual([
      // Octokit names the charset of its JSON bodies (UTF-8, JSON's only encoding).
      ['POST', '/api/v3/repos/o/a%20b/issues/3/comments?x=1', 'Bearer tok', 'application/vnd.github+json', 'application/json; charset=utf-8', '{"body":"hi"}'],
    ]);
    expect(branchPath('agent/a b')).toBe('agent/a%20b');
  });

  it('retries reads on 5xx, and writes only on 429', async () => {
    const client = new GitHubClient({ apiUrl: base, token: async () => 't', retries: 2, retryDelayMs: 1 });
    answers = [{ status: 502, body: '' }, { status: 200, body: '[1]' }];
    expect((await client.get('/x')).data).toEqual([1]);
    answers = [{ status: 502, body: '{"message":"bad gateway"}' }];
    await expect(client.post('/y', {})).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 502, method: 'POST', path: '/y', retryable: true });
    answers = [{ status: 429, body: '' }, { status: 201, body: '{"id":1}' }];
    expect(await client.post('/z', {})).toEqual({ status: 201, data: { id: 1 } });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /x', 'GET /x', 'POST /y', 'POST /z', 'POST /z']);
  });

  it('retries a rate-limited request, writes included, after the wait GitHub asks for; other 403s are final', async () => {
    const waits: number[] = [];
    const now = 1_700_000_000_000;
    const client = new GitHubClient({ apiUrl: base, token: async () => 't', retries: 2, clock: () => now, sleep: async (ms) => void waits.push(ms) });
    answers = [
      { status: 403, body: '{"message":"API rate limit exceeded"}', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 30) } },
      { status: 201, body: '{"id":1}' },
      { status: 403, body: '{"message":"You have exceeded a secondary rate limit"}', headers: { 'retry-after': '7' } },
      { status: 200, body: '[]' },
      { status: 403, body: '{"message":"Resource not accessible by integration"}' },
    ];
    expect(await client.post('/w', {})).toEqual({ status: 201, data: { id: 1 } });
    expect(await client.get('/r')).toEqual({ status: 200, data: [] });
    await expect(client.post('/x', {})).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 403, rateLimited: false, retryable: false });
    expect([waits, seen.map((s) => `${s.method} ${s.url}`)]).toEqual([
      [30_000, 7_000],
      ['POST /w', 'POST /w', 'GET /r', 'GET /r', 'POST /x'],
    ]);
  });

  it('takes a body cut mid-way for a fault of the attempt (retried for reads), not an empty answer', async () => {
    const client = new GitHubClient({ apiUrl: base, token: async () => 't', retries: 1, sleep: async () => undefined });
    answers = [
      { status: 200, body: '{"id":', headers: { 'content-length': '100' }, cut: true },
      { status: 200, body: '{"id":2}' },
      { status: 200, body: '{"id":', headers: { 'content-length': '100' }, cut: true },
    ];
    expect(await client.get('/a')).toEqual({ status: 200, data: { id: 2 } });
    await expect(client.post('/b', {})).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 0, method: 'POST', path: '/b' });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /a', 'GET /a', 'POST /b']);
  });

  it('hands back allowed statuses and throws for the others with the message GitHub gave', async () => {
    const client = new GitHubClient({ apiUrl: base, token: async () => 't' });
    answers = [{ status: 404, body: '{"message":"Not Found"}' }, { status: 403, body: '{"message":"Resource not accessible by integration"}' }];
    expect(await client.get('/a', { allow: [404] })).toEqual({ status: 404, data: { message: 'Not Found' } });
    await expect(client.get('/b')).rejects.toThrow('GitHub GET /b answered 403: Resource not accessible by integration');
  });

  it('reports an unreachable server as a retryable fault with status 0', async () => {
    const client = new GitHubClient({ apiUrl: 'http://127.0.0.1:1', token: async () => 't', timeoutMs: 2_000 });
    await expect(client.get('/a')).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 0, retryable: true });
  });
});

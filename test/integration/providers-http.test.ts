/** The HTTP plumbing of the OpenAI-style providers: SSE parsing, error mapping, the streamed POST. */
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextWindowExceededError, httpError, joinUrl, parseErrorBody, postSse, requestHeaders } from '../../src/providers/index.ts';

describe('HTTP errors', () => {
  const headers = (h: Record<string, string> = {}) => new Headers(h);
  const summary = (e: ReturnType<typeof httpError>) => ({ name: e.name, code: e.code, message: e.message, retryable: e.retryable, statusCode: e.statusCode, retryAfterMs: e.retryAfterMs, requestId: e.requestId });

  it('maps OpenAI error bodies, retry-after-ms, retry-after seconds and dates', () => {
    expect(summary(httpError(429, headers({ 'retry-after-ms': '1500', 'retry-after': '9', 'x-request-id': 'req_1' }), '{"error":{"message":"Rate limit","type":"requests","code":"rate_limit_exceeded"}}'))).toEqual({ name: 'ProviderError', code: 'rate_limit_exceeded', message: 'Rate limit', retryable: true, statusCode: 429, retryAfterMs: 1500, requestId: 'req_1' });
    expect(httpError(429, headers({ 'retry-after': '3' }), '').retryAfterMs).toBe(3000);
    const now = () => Date.parse('2026-01-01T00:00:00Z');
    expect(httpError(503, headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), 'busy', now).retryAfterMs).toBe(5000);
  });

  it('does not retry a spent quota, a bad key or a bad request', () => {
    expect(summary(httpError(429, headers(), '{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}'))).toMatchObject({ code: 'insufficient_quota', retryable: false, statusCode: 429 });
    expect(summary(httpError(401, headers(), '{"error":{"message":"bad key","code":"invalid_api_key"}}'))).toMatchObject({ code: 'invalid_api_key', retryable: false });
    expect(summary(httpError(400, headers(), 'not json at all'))).toMatchObject({ code: 'BadRequest', message: 'not json at all', retryable: false });
    expect(summary(httpError(502, headers(), ''))).toMatchObject({ code: 'BadGateway', message: 'HTTP 502', retryable: true });
  });

  it('recognises a context overflow', () => {
    const e = httpError(400, headers(), '{"error":{"message":"This model\'s maximum context length is 128000 tokens","code":"context_length_exceeded"}}');
    expect(e).toBeInstanceOf(ContextWindowExceededError);
  });

  it('reads the error shapes of local servers', () => {
    expect([parseErrorBody('{"error":"model \\"x\\" not found"}'), parseErrorBody('{"message":"m","type":"t"}'), parseErrorBody('')]).toEqual([{ message: 'model "x" not found' }, { code: 't', message: 'm' }, {}]);
  });

  it('builds headers and URLs', () => {
    expect(requestHeaders('k', { 'X-A': 'b' })).toEqual({ 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer k', 'X-A': 'b' });
    expect(requestHeaders(undefined)).toEqual({ 'content-type': 'application/json', accept: 'text/event-stream' });
    expect([joinUrl('http://h/v1/', '/responses'), joinUrl('http://h/v1', 'chat/completions')]).toEqual(['http://h/v1/responses', 'http://h/v1/chat/completions']);
  });
});

describe('postSse', () => {
  let server: http.Server | undefined;
  const sockets = new Set<net.Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });
  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1/x`;
  }

  it('posts JSON and yields the events as they arrive; silence between them counts, not the consumer\'s time', async () => {
    let body = '';
    const url = await serve(async (req, res) => {
      for await (const c of req) body += c;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 60);
    });
    const got: string[] = [];
    for await (const m of postSse({ fetch, url, headers: { 'content-type': 'application/json' }, body: { hello: 'world' }, idleTimeoutMs: 200 })) {
      got.push(m.data);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([got, JSON.parse(body)]).toEqual([['one', 'two'], { hello: 'world' }]);
  });

  it('times out a server that never answers, after the first-byte timeout (the idle one when none is given)', async () => {
    const url = await serve(() => {});
    const gen = postSse({ fetch, url, headers: {}, body: {}, idleTimeoutMs: 100 });
    await expect(gen.next()).rejects.toMatchObject({ code: 'FirstByteTimeout', retryable: true, message: `${url}: no response within 100 ms` });
    const gen2 = postSse({ fetch, url, headers: {}, body: {}, idleTimeoutMs: 60_000, firstByteTimeoutMs: 100 });
    await expect(gen2.next()).rejects.toMatchObject({ code: 'FirstByteTimeout', retryable: true, transport: { code: 'FirstByteTimeout', timeout: true } });
  });
});

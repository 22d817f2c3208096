/**
 * Faults on the OpenAI-style wire formats against the local fake: rate limits with
 * retry-after, server errors, cut and idle streams, in-stream errors, auth failures, aborts.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, createChatProvider, createOpenAIProvider, lookupOpenAIModel, ProviderError, type HttpProviderOptions, type ModelProvider, type ModelRequest, type StreamEvent } from '../../src/providers/index.ts';
import { MessageAssembler } from '../../src/agent/assembler.ts';
import { cut, delay, httpError, stall, startFakeOpenAI, streamError, text, toolCall, type FakeOpenAI, type Wire } from '../support/fake-openai.ts';

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => fake.close());

const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({ model: 'gpt-5', system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'go' }] }], tools: [], ...over });

function make(wire: Wire, over: Partial<HttpProviderOptions> = {}) {
  const sleeps: number[] = [];
  const opts: HttpProviderOptions = {
    name: wire === 'responses' ? 'openai' : 'ollama',
    baseUrl: `${fake.url}/v1`,
    modelInfo: () => lookupOpenAIModel('gpt-5')!,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    ...over,
  };
  return { provider: wire === 'responses' ? createOpenAIProvider(opts) : createChatProvider(opts), sleeps };
}

async function collect(provider: ModelProvider, req: ModelRequest = request()) {
  const events: StreamEvent[] = [];
  try {
    for await (const e of provider.stream(req)) events.push(e);
    return { events };
  } catch (error) {
    return { events, error: error as ProviderError };
  }
}

/** The turn as the loop keeps it: partial attempts before a retry are dropped. */
function assemble(events: StreamEvent[]) {
  const a = new MessageAssembler();
  for (const e of events) {
    if (e.type === 'retry' || e.type === 'failover') a.reset();
    else a.add(e);
  }
  return a.message();
}
const retries = (events: StreamEvent[]) => events.filter((e) => e.type === 'retry');
const path = (wire: Wire) => (wire === 'responses' ? 'responses' : 'chat/completions');

describe.each(['responses', 'chat'] as Wire[])('faults over %s', (wire) => {
  it('retries a 429 after the retry-after the server asked for', async () => {
    fake.setScript([httpError(429, { retryAfter: 2, message: 'Rate limit reached for gpt-5' }), [text('after the wait')]]);
    const { provider, sleeps } = make(wire);
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(retries(events)).toEqual([{ type: 'retry', attempt: 1, waitMs: 2000, error: { code: 'throttled', message: 'rate_limit_exceeded: Rate limit reached for gpt-5' } }]);
    expect(sleeps).toEqual([2000]);
    expect(assemble(events)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'after the wait' }] });
    expect(fake.modelRequests.length).toBe(2);
  });

  it('retries 5xx answers and streams cut mid-turn with backoff, discarding the partial turn', async () => {
    fake.setScript([httpError(503, { message: 'overloaded' }), [text('partial answer that is lost', { chunks: 4 }), cut()], [toolCall('call_ok', 'shell', { command: 'ls' })]]);
    const { provider, sleeps } = make(wire);
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(retries(events).map((e) => e.type === 'retry' && [e.attempt, e.waitMs, e.error.code])).toEqual([
      [1, 50, 'service_unavailable'],
      [2, 100, 'network_error'],
    ]);
    expect(sleeps).toEqual([50, 100]);
    expect(retries(events)[1]).toMatchObject({ error: { message: `UND_ERR_SOCKET: the stream from ${fake.url}/v1/${wire === 'responses' ? 'responses' : 'chat/completions'} broke: other side closed` } });
    expect(assemble(events)).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'call_ok', name: 'shell', input: { command: 'ls' } }] });
  });

  it('retries a bare HTTP 500 whose error code it does not know', async () => {
    fake.setScript([httpError(500, { body: { error: { message: 'something new broke', code: 'brand_new_failure' } } }), httpError(500, { body: 'oops' }), [text('fine now')]]);
    const { provider } = make(wire);
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(retries(events).map((e) => e.type === 'retry' && [e.attempt, e.error.code])).toEqual([
      [1, 'service_unavailable'],
      [2, 'service_unavailable'],
    ]);
    expect(assemble(events).content).toEqual([{ type: 'text', text: 'fine now' }]);
  });

  it('gives up after request_max_retries, with the attempts counted', async () => {
    fake.setScript([httpError(500), httpError(500), httpError(502, { message: 'bad gateway' })]);
    const { provider } = make(wire, { maxRetries: 2 });
    const { events, error } = await collect(provider);
    expect(retries(events).length).toBe(2);
    expect([error?.name, error?.code, error?.statusCode, error?.retryable, error?.attempts, error?.message]).toEqual(['ProviderError', 'server_error', 502, true, 3, 'bad gateway']);
  });

  it('retries an error sent inside the stream', async () => {
    fake.setScript([[text('hm'), streamError('server_error', 'The server had an error')], [text('fine')]]);
    const { provider } = make(wire);
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(retries(events)).toEqual([{ type: 'retry', attempt: 1, waitMs: 50, error: { code: 'service_unavailable', message: 'server_error: The server had an error' } }]);
    expect(assemble(events).content).toEqual([{ type: 'text', text: 'fine' }]);
  });

  it('abandons a stream that goes quiet for stream_idle_timeout_ms and calls again', async () => {
    fake.setScript([[text('slow'), delay(60_000)], [text('quick')]]);
    const { provider } = make(wire, { idleTimeoutMs: 150 });
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(retries(events).map((e) => e.type === 'retry' && [e.error.code, e.error.message])).toEqual([['model_timeout', `StreamIdleTimeout: ${fake.url}/v1/${path(wire)}: no data for 150 ms`]]);
    expect(assemble(events).content).toEqual([{ type: 'text', text: 'quick' }]);
    // The silent answer was given up on, not waited out.
    expect([fake.modelRequests.length, fake.modelRequests[0].response?.completed]).toEqual([2, false]);
  });

  it('abandons a call whose headers do not come within stream_first_byte_timeout_ms and calls again', async () => {
    fake.setScript([[stall(60_000), text('never sent')], [text('on time')]]);
    const { provider } = make(wire, { firstByteTimeoutMs: 150 });
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(retries(events).map((e) => e.type === 'retry' && [e.error.code, e.error.message])).toEqual([['model_timeout', `FirstByteTimeout: ${fake.url}/v1/${path(wire)}: no response within 150 ms`]]);
    expect(assemble(events).content).toEqual([{ type: 'text', text: 'on time' }]);
    expect([fake.modelRequests.length, fake.modelRequests[0].response?.completed]).toEqual([2, false]);
  });

  it('retries a connection reset as soon as it was accepted, and a refused one, then succeeds', async () => {
    fake.setScript([[text('after the faults')]]);
    fake.faults.resetNext(1);
    let sleeps = 0;
    const { provider } = make(wire, {
      sleep: async () => {
        // After the reset the endpoint refuses; after the refusal it listens again.
        if (++sleeps === 1) fake.faults.refuse();
        else await fake.faults.accept();
      },
    });
    const { events, error } = await collect(provider);
    expect(error).toBeUndefined();
    expect(retries(events).map((e) => e.type === 'retry' && [e.attempt, e.error.code])).toEqual([
      [1, 'network_error'],
      [2, 'network_error'],
    ]);
    expect(retries(events)[1]).toMatchObject({ error: { message: expect.stringContaining('ECONNREFUSED') } });
    expect([assemble(events).content, fake.faults.resets, fake.modelRequests.length]).toEqual([[{ type: 'text', text: 'after the faults' }], 1, 1]);
  });

  it('does not retry a refused key', async () => {
    await fake.close();
    fake = await startFakeOpenAI({ requireKey: 'sk-right' });
    const { provider } = make(wire, { apiKey: 'sk-wrong' });
    const { events, error } = await collect(provider);
    expect([events, error?.code, error?.statusCode, error?.retryable, error?.attempts]).toEqual([[], 'invalid_api_key', 401, false, 1]);
    expect(fake.modelRequests[0].headers.authorization).toBe('Bearer sk-wrong');
  });

  it('stops promptly with an AbortError when the request is aborted mid-stream', async () => {
    fake.setScript([[text('a'), delay(60_000), text('b')]]);
    const { provider } = make(wire);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('deadline')), 100);
    const { error } = await collect(provider, request({ signal: ctl.signal }));
    expect(error).toBeInstanceOf(AbortError);
    // Promptly: while the server was still in its pause.
    expect(fake.modelRequests[0].response?.completed).toBe(false);
  });

  it('names a server that is not running', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const { provider } = make(wire, { baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 1 });
    const { events, error } = await collect(provider);
    expect(retries(events).length).toBe(1);
    expect([error?.code, error?.retryable, error?.attempts]).toEqual(['ECONNREFUSED', true, 2]);
    expect(error?.message).toBe(`cannot reach http://127.0.0.1:${port}/v1/${wire === 'responses' ? 'responses' : 'chat/completions'}: connect ECONNREFUSED 127.0.0.1:${port} (is the server running?)`);
  });

  it('sends the configured headers and no key when there is none', async () => {
    const { provider } = make(wire, { headers: { 'X-Team': 'platform', 'OpenAI-Organization': 'org-1' } });
    await collect(provider);
    const h = fake.modelRequests[0].headers;
    expect([h.authorization, h['x-team'], h['openai-organization'], h['content-type'], h.accept]).toEqual([undefined, 'platform', 'org-1', 'application/json', 'text/event-stream']);
  });
});

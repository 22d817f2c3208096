import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import {
  cut, delay, exception, fromChunksText, httpError, metadata, raw, rawBytes, reasoning, redacted, startFakeBedrock, text, toolUse, countCachePoints, type FakeBedrock, type Turn,
} from '../support/fake-bedrock.ts';
import { fakeBedrockClient, type ClientProtocol } from '../support/fake-bedrock-client.ts';
import {
  AbortError, createBedrockProvider, ModelNotSupportedError, ProviderError, sleepWithSignal, type BedrockProviderOptions, type Message, type ModelProvider, type ModelRequest, type StreamEvent,
} from '../../src/providers/index.ts';
import { MessageAssembler } from '../../src/agent/assembler.ts';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/bedrock/${name}`, import.meta.url), 'utf8');
const TOOLS = [
  { name: 'read_file', description: 'Read a file of the workspace', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
  { name: 'shell', description: 'Run a shell command', inputSchema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
];
const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({
  model: CLAUDE,
  system: 'You are a coding agent.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Fix the bug.' }] }],
  tools: TOOLS,
  ...over,
});

let fake: FakeBedrock | undefined;
const clients: BedrockRuntimeClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await fake?.close();
  fake = undefined;
});

async function setup(script: Turn[], protocol: ClientProtocol = 'h2', opts: Partial<BedrockProviderOptions> = {}) {
  fake = await startFakeBedrock({ script });
  const client = fakeBedrockClient(fake, protocol);
  clients.push(client);
  const sleeps: number[] = [];
  const provider = createBedrockProvider({ client, region: 'us-east-1', sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 100, maxDelayMs: 1000, ...opts });
  return { fake, provider, sleeps };
}

async function run(provider: ModelProvider, req: ModelRequest): Promise<{ events: StreamEvent[]; error?: any }> {
  const events: StreamEvent[] = [];
  try {
    for await (const e of provider.stream(req)) events.push(e);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

/** The assistant message of a turn, discarding partial attempts at retry/failover events, as the loop does. */
function assemble(events: StreamEvent[]): Message {
  const a = new MessageAssembler();
  for (const e of events) {
    if (e.type === 'retry' || e.type === 'failover') a.reset();
    else a.add(e);
  }
  return a.message();
}
const kinds = (events: StreamEvent[]) => events.map((e) => e.type);

describe.each(['h2', 'http1'] as ClientProtocol[])('Bedrock provider over %s', (protocol) => {
  it('streams a text turn with its usage', async () => {
    const { provider } = await setup([[text('Nothing to fix.', { chunks: 2 }), metadata({ inputTokens: 10, outputTokens: 4, cacheReadInputTokens: 3 })]], protocol);
    const { events, error } = await run(provider, request());
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'message_start' },
      { type: 'text_delta', index: 0, text: 'Nothing ' },
      { type: 'text_delta', index: 0, text: 'to fix.' },
      { type: 'block_stop', index: 0 },
      { type: 'message_stop', stopReason: 'end_turn', rawStopReason: 'end_turn' },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 4, cacheReadInputTokens: 3, cacheWriteInputTokens: 0 } },
    ]);
    expect([fake!.modelRequests.length, fake!.modelRequests[0].operation, fake!.modelRequests[0].modelId]).toEqual([1, 'converse-stream', CLAUDE]);
  });

  it('round-trips reasoning (signed and redacted) before the tool use, and the transcript equals the request', async () => {
    const secret = Buffer.from('opaque thinking bytes').toString('base64');
    const { provider } = await setup([
      [reasoning('I should read it first.', 'c2lnbmF0dXJl'), redacted(secret), text('Reading.'), toolUse('tooluse_1', 'read_file', { path: 'src/a.ts' }, { chunks: 4, emptyFirst: true })],
      [text('Fixed.')],
    ], protocol);
    const first = await run(provider, request({ system: 'S'.repeat(5000) }));
    const assistant = assemble(first.events);
    expect(assistant).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'I should read it first.', signature: 'c2lnbmF0dXJl' },
        { type: 'redacted_reasoning', data: secret },
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'tooluse_1', name: 'read_file', input: { path: 'src/a.ts' } },
      ],
    });
    const second = request({
      system: 'S'.repeat(5000),
      messages: [...request().messages, assistant, { role: 'user', content: [{ type: 'tool_result', toolUseId: 'tooluse_1', status: 'success', content: '1\tconst a = 1;' }] }],
    });
    const { error } = await run(provider, second);
    expect(error).toBeUndefined();
    const body = fake!.modelRequests[1].body!;
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'I should read it first.', signature: 'c2lnbmF0dXJl' } } },
        { reasoningContent: { redactedContent: secret } },
        { text: 'Reading.' },
        { toolUse: { toolUseId: 'tooluse_1', name: 'read_file', input: { path: 'src/a.ts' } } },
      ],
    });
    const final: Message = { role: 'assistant', content: [{ type: 'text', text: 'Fixed.' }] };
    const transcript = provider.transcript(second, [final]) as { system: unknown; toolConfig: unknown; messages: unknown[] };
    expect([transcript.system, transcript.toolConfig]).toEqual([body.system, body.toolConfig]);
    expect(JSON.stringify(transcript.messages.slice(0, -1))).toBe(JSON.stringify(body.messages));
    expect(transcript.messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'Fixed.' }] });
    expect(countCachePoints(body)).toBeGreaterThan(0);
  });

  it('retries a stream cut mid-turn from the start of the turn', async () => {
    const { provider, sleeps } = await setup([[text('half an ans'), delay(5), cut()], [text('whole answer')]], protocol);
    const { events, error } = await run(provider, request());
    expect(error).toBeUndefined();
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toEqual({ type: 'retry', attempt: 1, waitMs: 50, error: { code: 'network_error', message: expect.stringContaining(protocol === 'h2' ? 'ERR_HTTP2_STREAM_ERROR' : 'ECONNRESET') } });
    expect([assemble(events), sleeps, fake!.modelRequests.length]).toEqual([{ role: 'assistant', content: [{ type: 'text', text: 'whole answer' }] }, [50], 2]);
  });

  it('aborts promptly mid-stream', async () => {
    const { provider } = await setup([[text('slow'), delay(3000), text('never')]], protocol);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('deadline')), 100);
    const { events, error } = await run(provider, request({ signal: ac.signal }));
    // Promptly: the call ended while the server was still in its 3 s pause, before the answer's end.
    expect([error instanceof AbortError, error?.name, kinds(events).includes('message_stop'), fake!.modelRequests[0].response?.completed]).toEqual([true, 'AbortError', false, false]);
  });
});

describe('Bedrock provider', () => {
  it('streams parallel tool calls from a recorded stream', async () => {
    const { provider } = await setup([raw(fromChunksText(fixture('bedrock-json-tool-text-then-weather-then-json.1.chunks.txt')))]);
    const { events } = await run(provider, request());
    expect(assemble(events).content).toEqual([
      { type: 'text', text: '2 + 2 equals 4. Now let me check the weather for you.' },
      { type: 'tool_use', id: 'weather-tool-1', name: 'weather', input: { location: 'San Francisco' } },
      { type: 'tool_use', id: 'weather-tool-2', name: 'weather', input: { location: 'London' } },
    ]);
  });

  it('replays real wire bytes', async () => {
    const live = JSON.parse(fixture('issue-18994-live-converse-stream.json'));
    const { provider } = await setup([raw([rawBytes(Buffer.from(live.response.bodyBase64, 'base64'))])]);
    const { events } = await run(provider, request());
    expect([assemble(events), events.at(-1)]).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'OK.' }] },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } },
    ]);
  });

  it('places at most 4 cache points for Claude, and none for Llama', async () => {
    const { provider } = await setup([[text('a')], [text('b')]]);
    const bigTools = TOOLS.map((t) => ({ ...t, description: `${t.description}. ${'Details. '.repeat(300)}` }));
    const big = request({ system: 'x'.repeat(8000), tools: bigTools });
    await run(provider, big);
    await run(provider, { ...big, model: 'us.meta.llama3-3-70b-instruct-v1:0' });
    const [claude, llama] = fake!.modelRequests.map((r) => r.body!);
    expect([countCachePoints(claude), claude.system.at(-1), claude.toolConfig.tools.at(-1), claude.messages.at(-1).content.at(-1), countCachePoints(llama)]).toEqual([
      3, { cachePoint: { type: 'default' } }, { cachePoint: { type: 'default' } }, { cachePoint: { type: 'default' } }, 0,
    ]);
  });

  it('retries throttling (HTTP 429, honouring retry-after) and succeeds, reporting each retry', async () => {
    const { provider, sleeps } = await setup([
      httpError(429, 'ThrottlingException', 'Too many requests', { 'retry-after': '2' }),
      httpError(503, 'ServiceUnavailableException', 'busy'),
      [text('ok')],
    ]);
    const { events, error } = await run(provider, request());
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', attempt: 1, waitMs: 2000, error: { code: 'throttled', message: 'ThrottlingException: Too many requests' } },
      { type: 'retry', attempt: 2, waitMs: 100, error: { code: 'service_unavailable', message: 'ServiceUnavailableException: busy' } },
    ]);
    expect([sleeps, assemble(events).content, fake!.modelRequests.length]).toEqual([[2000, 100], [{ type: 'text', text: 'ok' }], 3]);
  });

  it('retries in-stream exceptions, the real exception frame included', async () => {
    const frame = Buffer.from(fixture('model-stream-error-exception.eventstream.base64.txt').trim(), 'base64');
    const { provider } = await setup([[text('partial'), exception('throttlingException')], raw([rawBytes(frame)]), [text('complete')]]);
    const { events, error } = await run(provider, request());
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', attempt: 1, waitMs: 50, error: { code: 'throttled', message: 'ThrottlingException: Too many requests, please wait before trying again.' } },
      { type: 'retry', attempt: 2, waitMs: 100, error: { code: 'service_unavailable', message: 'ModelStreamErrorException: Model Stream Error' } },
    ]);
    expect(assemble(events).content).toEqual([{ type: 'text', text: 'complete' }]);
  });

  it('fails at once on a validation error, with its code and message', async () => {
    const body = JSON.parse(fixture('amazon-bedrock-validation-error-no-type.json'));
    const { provider } = await setup([httpError(400, 'ValidationException', undefined, { body }), [text('unused')]]);
    const { events, error } = await run(provider, request());
    expect(error).toBeInstanceOf(ProviderError);
    expect([error.code, error.message, error.statusCode, error.retryable, events, fake!.modelRequests.length]).toEqual(['ValidationException', body.message, 400, false, [], 1]);
  });

  it('fails with the last error once retries run out', async () => {
    const { provider } = await setup(Array.from({ length: 3 }, () => httpError(500, 'InternalServerException', 'oops')), 'h2', { maxRetries: 2 });
    const { events, error } = await run(provider, request());
    expect([error instanceof ProviderError, error.code, error.attempts, kinds(events), fake!.modelRequests.length]).toEqual([true, 'InternalServerException', 3, ['retry', 'retry'], 3]);
  });

  it('calls Converse (not ConverseStream) for Llama, which cannot stream tool use', async () => {
    const { provider } = await setup([[text('Reading.'), toolUse('tooluse_L', 'read_file', { path: 'a' }), metadata({ inputTokens: 7, outputTokens: 2 })]]);
    const { events } = await run(provider, request({ model: 'us.meta.llama3-3-70b-instruct-v1:0', reasoningEffort: 'high' }));
    const rec = fake!.modelRequests[0];
    expect([rec.operation, rec.modelId, rec.body!.additionalModelRequestFields, assemble(events).content, events.at(-2), events.at(-1)]).toEqual([
      'converse',
      'us.meta.llama3-3-70b-instruct-v1:0',
      undefined,
      [{ type: 'text', text: 'Reading.' }, { type: 'tool_use', id: 'tooluse_L', name: 'read_file', input: { path: 'a' } }],
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 2, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } },
    ]);
  });

  it('refuses a model without tool use, or an unknown one, before any call', async () => {
    const { provider } = await setup([[text('unused')]]);
    const titan = await run(provider, request({ model: 'amazon.titan-text-express-v1' }));
    const unknown = await run(provider, request({ model: 'acme.model-v1' }));
    expect([titan.error instanceof ModelNotSupportedError, titan.error.model, unknown.error instanceof ModelNotSupportedError, fake!.requests.length]).toEqual([true, 'amazon.titan-text-express-v1', true, 0]);
  });

  it('maps a bare id of a profile-only model to the Region inference profile', async () => {
    const { provider } = await setup([[text('a')], [text('b')]]);
    await run(provider, request({ model: 'anthropic.claude-sonnet-4-20250514-v1:0', reasoningEffort: 'low' }));
    await run(provider, request({ model: 'eu.anthropic.claude-sonnet-4-20250514-v1:0' }));
    expect(fake!.modelRequests.map((r) => [r.modelId, r.body!.additionalModelRequestFields])).toEqual([
      ['us.anthropic.claude-sonnet-4-20250514-v1:0', { thinking: { type: 'enabled', budget_tokens: 2048 } }],
      ['eu.anthropic.claude-sonnet-4-20250514-v1:0', undefined],
    ]);
  });

  it('uses the global profile when configured', async () => {
    const { provider } = await setup([[text('a')]], 'h2', { globalProfiles: true });
    await run(provider, request({ model: 'anthropic.claude-sonnet-4-5-20250929-v1:0' }));
    expect(fake!.modelRequests[0].modelId).toBe('global.anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  it('answers "on-demand throughput isn’t supported" by calling the inference profile, once and remembered', async () => {
    const bare = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    const onDemand = (_body: unknown, _i: number, ctx: { modelId: string }): Turn =>
      ctx.modelId === bare
        ? httpError(400, 'ValidationException', `Invocation of model ID ${bare} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`)
        : [text(`via ${ctx.modelId}`)];
    const { provider } = await setup([onDemand, onDemand]);
    const first = await run(provider, request({ model: bare }));
    const second = await run(provider, request({ model: bare }));
    expect([first.error, kinds(first.events).includes('retry'), assemble(first.events).content, second.error, fake!.modelRequests.map((r) => r.modelId)]).toEqual([
      undefined, false, [{ type: 'text', text: `via us.${bare}` }], undefined, [bare, `us.${bare}`, `us.${bare}`],
    ]);
  });

  it('fails over to the next entry when retries run out, and stays there', async () => {
    const { provider } = await setup(
      [httpError(503, 'ServiceUnavailableException', 'busy'), httpError(503, 'ServiceUnavailableException', 'still busy'), [text('from Nova')], [text('Nova again')]],
      'h2',
      { maxRetries: 1, failover: [{ model: 'us.amazon.nova-pro-v1:0' }] },
    );
    const { events, error } = await run(provider, request());
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'retry' || e.type === 'failover')).toEqual([
      { type: 'retry', attempt: 1, waitMs: 50, error: { code: 'service_unavailable', message: 'ServiceUnavailableException: busy' } },
      { type: 'failover', from: CLAUDE, to: 'us.amazon.nova-pro-v1:0', error: { code: 'service_unavailable', message: 'ServiceUnavailableException: still busy' } },
    ]);
    expect(assemble(events).content).toEqual([{ type: 'text', text: 'from Nova' }]);
    await run(provider, request());
    expect(fake!.modelRequests.map((r) => r.modelId)).toEqual([CLAUDE, CLAUDE, 'us.amazon.nova-pro-v1:0', 'us.amazon.nova-pro-v1:0']);
    const transcript = provider.transcript(request({ system: 'x'.repeat(8000) })) as { toolConfig: { tools: unknown[] } };
    expect(transcript.toolConfig.tools).toHaveLength(TOOLS.length); // Nova takes no cache point after the tools
  });

  it('rejects a failover chain naming a model without tool use', () => {
    expect(() => createBedrockProvider({ client: {} as BedrockRuntimeClient, region: 'us-east-1', failover: [{ model: 'meta.llama2-70b-chat-v1' }] })).toThrow(ModelNotSupportedError);
  });

  it('aborts promptly during a backoff sleep', async () => {
    // The real sleep, watched: it must end by the abort, not by its 30 s timer.
    const sleeps: string[] = [];
    const sleep = (ms: number, signal?: AbortSignal) => sleepWithSignal(ms, signal).then(() => void sleeps.push(`${ms} slept`), (e) => (sleeps.push(`${ms} aborted`), Promise.reject(e)));
    const { provider } = await setup([httpError(429, 'ThrottlingException', 'slow down', { 'retry-after': '30' }), [text('too late')]], 'h2', { sleep });
    const ac = new AbortController();
    const events: StreamEvent[] = [];
    const error = await (async () => {
      try {
        for await (const e of provider.stream(request({ signal: ac.signal }))) {
          events.push(e);
          if (e.type === 'retry') setTimeout(() => ac.abort(new Error('deadline')), 20);
        }
      } catch (e) {
        return e as Error;
      }
    })();
    expect([error instanceof AbortError, events, fake!.modelRequests.length]).toEqual([
      true, [{ type: 'retry', attempt: 1, waitMs: 30_000, error: { code: 'throttled', message: 'ThrottlingException: slow down' } }], 1,
    ]);
    expect(sleeps).toEqual(['30000 aborted']);
  });

  it('does not call the model when the signal is already aborted', async () => {
    const { provider } = await setup([[text('unused')]]);
    const ac = new AbortController();
    ac.abort();
    const { error } = await run(provider, request({ signal: ac.signal }));
    expect([error instanceof AbortError, fake!.modelRequests.length]).toEqual([true, 0]);
  });
});

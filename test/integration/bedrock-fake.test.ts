import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConverseCommand, ConverseStreamCommand, ModelStreamErrorException, ThrottlingException, ValidationException, type BedrockRuntimeClient, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import {
  cut, delay, exception, fromChunksText, httpError, metadata, raw, rawBytes, reasoning, redacted, startFakeBedrock, stop, text, toolUse, type FakeBedrock,
} from '../support/fake-bedrock.ts';
import { fakeBedrockClient, type ClientProtocol } from '../support/fake-bedrock-client.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bedrock/${name}`, import.meta.url), 'utf8');
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const input = { modelId: MODEL, messages: [{ role: 'user' as const, content: [{ text: 'hi' }] }] };
const kinds = (events: ConverseStreamOutput[]) => events.map((e) => Object.keys(e)[0]);
const textOf = (events: ConverseStreamOutput[], index: number) =>
  events.filter((e) => e.contentBlockDelta?.contentBlockIndex === index && e.contentBlockDelta.delta?.text !== undefined).map((e) => e.contentBlockDelta!.delta!.text).join('');

describe.each(['h2', 'http1'] as ClientProtocol[])('fake Bedrock with the real SDK over %s', (protocol) => {
  let fake: FakeBedrock;
  let client: BedrockRuntimeClient;
  beforeAll(async () => {
    fake = await startFakeBedrock();
    client = fakeBedrockClient(fake, protocol);
  });
  afterAll(async () => {
    client.destroy();
    await fake.close();
  });
  async function stream(): Promise<ConverseStreamOutput[]> {
    const out = await client.send(new ConverseStreamCommand(input));
    const events: ConverseStreamOutput[] = [];
    for await (const e of out.stream!) events.push(e);
    return events;
  }

  it('streams a text turn in pieces, messageStop before metadata, padding invisible to the SDK', async () => {
    fake.setScript([[text('Hello, streaming world!', { chunks: 4 }), metadata({ inputTokens: 11, outputTokens: 7, cacheReadInputTokens: 5 })]]);
    const events = await stream();
    expect(kinds(events)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    expect([textOf(events, 0), events[0], events.at(-2), events.at(-1)?.metadata?.usage]).toEqual([
      'Hello, streaming world!',
      { messageStart: { role: 'assistant' } },
      { messageStop: { stopReason: 'end_turn' } },
      { inputTokens: 11, outputTokens: 7, cacheReadInputTokens: 5, totalTokens: 23 },
    ]);
    const rec = fake.modelRequests.at(-1)!;
    expect([rec.protocol, rec.operation, rec.modelId, rec.path, rec.body]).toEqual([protocol === 'h2' ? 'h2c' : 'http/1.1', 'converse-stream', MODEL, `/model/${encodeURIComponent(MODEL)}/converse-stream`, { messages: input.messages }]);
    expect(String(rec.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEBEDROCK\//);
  });

  it('streams tool input in fragments, an empty first one included; contentBlockStart only for toolUse', async () => {
    const toolInput = { path: 'src/ü/naïve ✅.txt', content: 'a\n"b"\t', n: [1, null] };
    fake.setScript([[text('Writing.'), toolUse('tooluse_A', 'write_file', toolInput, { chunks: 4, emptyFirst: true }), reasoning('why', 'sig'), redacted('c2VjcmV0')]]);
    const events = await stream();
    const pieces = events.filter((e) => e.contentBlockDelta?.delta?.toolUse).map((e) => e.contentBlockDelta!.delta!.toolUse!.input);
    expect([events.filter((e) => e.contentBlockStart).map((e) => e.contentBlockStart), pieces.length, pieces[0], JSON.parse(pieces.join(''))]).toEqual([
      [{ contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_A', name: 'write_file' } } }],
      5,
      '',
      toolInput,
    ]);
    const rc = events.filter((e) => e.contentBlockDelta?.delta?.reasoningContent).map((e) => e.contentBlockDelta!.delta!.reasoningContent!);
    expect(rc.map((r) => ('redactedContent' in r && r.redactedContent ? Buffer.from(r.redactedContent).toString() : r))).toEqual([{ text: 'w' }, { text: 'h' }, { text: 'y' }, { signature: 'sig' }, 'secret']);
    expect([events.find((e) => e.messageStop)?.messageStop?.stopReason, fake.modelRequests.at(-1)?.response?.toolUseIds]).toEqual(['tool_use', ['tooluse_A']]);
  });

  it('answers the Converse route with the assembled message and HTTP errors with x-amzn-errortype', async () => {
    fake.setScript([[reasoning('think', 'sig'), text('calling'), toolUse('tooluse_C1', 'list_files', { pattern: '*.ts' }), metadata({ inputTokens: 3, outputTokens: 4 })], [text('x'), exception('throttlingException')], httpError(400, 'ValidationException', 'bad model')]);
    const out = await client.send(new ConverseCommand(input));
    expect([out.stopReason, out.output?.message?.content, out.usage]).toEqual([
      'tool_use',
      [{ reasoningContent: { reasoningText: { text: 'think', signature: 'sig' } } }, { text: 'calling' }, { toolUse: { toolUseId: 'tooluse_C1', name: 'list_files', input: { pattern: '*.ts' } } }],
      { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
    ]);
    const throttled = await client.send(new ConverseCommand(input)).catch((e) => e);
    const invalid = await stream().catch((e) => e);
    expect([throttled instanceof ThrottlingException, throttled.$metadata.httpStatusCode, invalid instanceof ValidationException, invalid.message]).toEqual([true, 429, true, 'bad model']);
  });

  it('sends in-stream exceptions as exception frames and cuts streams', async () => {
    fake.setScript([[text('partial'), exception('modelStreamErrorException', { originalStatusCode: 500 })], [text('to be cut'), delay(5), cut()]]);
    const exc = await stream().catch((e) => e);
    const broken = await stream().catch((e) => e);
    expect([exc instanceof ModelStreamErrorException, exc.originalStatusCode, broken instanceof Error, fake.modelRequests.at(-1)?.response?.cut]).toEqual([true, 500, true, true]);
  });

  it('replays real captured bytes and recorded chunk files unchanged', async () => {
    const live = JSON.parse(fixture('issue-18994-live-converse-stream.json'));
    const frame = Buffer.from(fixture('model-stream-error-exception.eventstream.base64.txt').trim(), 'base64');
    const chunks = fromChunksText(fixture('bedrock-json-tool-text-then-weather-then-json.1.chunks.txt'));
    fake.setScript([raw([rawBytes(Buffer.from(live.response.bodyBase64, 'base64'))]), raw([rawBytes(frame)]), raw(chunks)]);
    const liveEvents = await stream();
    expect([textOf(liveEvents, 0), liveEvents.at(-1)?.metadata?.usage]).toEqual(['OK.', { inputTokens: 12, outputTokens: 5, totalTokens: 17 }]);
    const exc = await stream().catch((e) => e);
    expect([exc instanceof ModelStreamErrorException, exc.message, exc.originalMessage]).toEqual([true, 'Model Stream Error', 'The model stream failed.']);
    expect(kinds(await stream())).toEqual(chunks.map((c) => Object.keys(c)[0]));
  });

  it('serves a real validation error body whose type is only in the header', async () => {
    fake.setScript([httpError(400, 'ValidationException', undefined, { body: JSON.parse(fixture('amazon-bedrock-validation-error-no-type.json')) })]);
    const err = await stream().catch((e) => e);
    expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual(['ValidationException', "This model doesn't support the image field for user messages. Remove image and try again.", 400]);
  });

  it('gives a final text turn once the script has run out, and sums usage', async () => {
    const f2 = await startFakeBedrock({ script: [[text('a'), metadata({ inputTokens: 10, outputTokens: 1, cacheWriteInputTokens: 100 })], [text('b'), stop('max_tokens'), metadata({ inputTokens: 20, outputTokens: 2, cacheReadInputTokens: 100 })]] });
    const c2 = fakeBedrockClient(f2, protocol);
    try {
      const send = async () => { const out = await c2.send(new ConverseStreamCommand(input)); const ev: ConverseStreamOutput[] = []; for await (const e of out.stream!) ev.push(e); return ev; };
      await send();
      const second = await send();
      const third = await send();
      expect([second.find((e) => e.messageStop)?.messageStop?.stopReason, textOf(third, 0), f2.ranOut, f2.modelRequests.map((r) => !!r.ranOut), f2.usageTotals()]).toEqual([
        'max_tokens', 'All done.', true, [false, false, true],
        { inputTokens: 30 + 120, outputTokens: 3 + 22, cacheReadInputTokens: 100, cacheWriteInputTokens: 100, totalTokens: 233 + 142 },
      ]);
    } finally {
      c2.destroy();
      await f2.close();
    }
  });

  it('lets a turn be a function of the request and appends turns with push', async () => {
    fake.setScript([(body, index) => [text(`turn ${index}: ${body.messages.length} message(s)`)]]);
    fake.push([text('pushed')]);
    expect([textOf(await stream(), 0), textOf(await stream(), 0)]).toEqual([`turn ${fake.modelRequests.length - 2}: 1 message(s)`, 'pushed']);
  });
});

describe('fake Bedrock routes', () => {
  it('answers 404 to unknown paths over HTTP/1.1 and h2c and records them', async () => {
    const fake = await startFakeBedrock();
    try {
      const h1 = (await fetch(`${fake.url}/nope`, { method: 'POST', body: '{}' })).status;
      const h2 = await new Promise<number>((resolve, reject) => {
        const s = http2.connect(fake.url);
        s.on('error', reject);
        const r = s.request({ ':method': 'GET', ':path': '/model/x/invoke' });
        r.on('response', (h) => { resolve(Number(h[':status'])); r.resume(); r.on('end', () => s.close()); });
        r.end();
      });
      expect([h1, h2, fake.requests.map((r) => [r.protocol, r.path, r.operation]), fake.modelRequests]).toEqual([404, 404, [['http/1.1', '/nope', null], ['h2c', '/model/x/invoke', null]], []]);
    } finally {
      await fake.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { createFailoverProvider, portableMessages, shouldFailOver, type FailoverChainEntry } from '../../../src/providers/failover.ts';
import { AbortError, ContextWindowExceededError, ModelNotSupportedError, ProviderError } from '../../../src/providers/errors.ts';
import { lookupOpenAIModel } from '../../../src/providers/openai/models.ts';
import { lookupModel } from '../../../src/providers/registry.ts';
import type { Message, ModelProvider, ModelRequest, StreamEvent } from '../../../src/providers/types.ts';

type Step = StreamEvent[] | Error;

/** A provider playing one step per call and recording the requests it got. */
function scripted(name: string, steps: Step[]): ModelProvider & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    name,
    requests,
    async *stream(req) {
      requests.push(req);
      const step = steps.shift() ?? say(`${name} ran out`);
      if (step instanceof Error) {
        yield { type: 'text_delta', index: 0, text: 'partial' };
        throw step;
      }
      yield* step;
    },
    transcript: (req, extra = []) => ({ from: name, model: req.model, messages: [...req.messages, ...extra] }),
  };
}

function say(text: string): StreamEvent[] {
  return [{ type: 'message_start' }, { type: 'text_delta', index: 0, text }, { type: 'block_stop', index: 0 }, { type: 'message_stop', stopReason: 'end_turn', rawStopReason: 'end_turn' }];
}

const BEDROCK_MODEL = lookupModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0')!;
const GPT5 = lookupOpenAIModel('gpt-5')!;
const throttled = () => new ProviderError('ThrottlingException', 'Too many requests', { retryable: true, statusCode: 429, attempts: 7 });

const conversation: Message[] = [
  { role: 'user', content: [{ type: 'text', text: 'go' }] },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'claude thinks', signature: 'claude-sig' },
      { type: 'redacted_reasoning', data: 'AAEC' },
      { type: 'reasoning', text: 'gpt thinks', signature: 'openai-responses:{"type":"reasoning","summary":[]}' },
      { type: 'reasoning', text: 'ollama thinks', signature: 'chat:reasoning' },
      { type: 'tool_use', id: 'tooluse_1', name: 'shell', input: { command: 'ls' } },
    ],
  },
  { role: 'user', content: [{ type: 'tool_result', toolUseId: 'tooluse_1', status: 'success', content: 'a.txt' }] },
];
const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({ model: BEDROCK_MODEL.id, system: 's', messages: conversation, tools: [], ...over });

async function collect(p: ModelProvider, req: ModelRequest) {
  const events: StreamEvent[] = [];
  try {
    for await (const e of p.stream(req)) events.push(e);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('failover provider', () => {
  it('continues the same turn on the next entry after a throttled call, and stays there', async () => {
    const bedrock = scripted('amazon-bedrock', [say('turn 1'), throttled()]);
    const openai = scripted('openai', [say('turn 2 from openai'), say('turn 3 from openai')]);
    const chain: FailoverChainEntry[] = [
      { label: 'amazon-bedrock/claude', provider: bedrock, model: BEDROCK_MODEL, wire: 'converse' },
      { label: 'openai/gpt-5', provider: openai, model: GPT5, wire: 'responses' },
    ];
    const p = createFailoverProvider(chain);
    expect([p.name, p.activeModel().id, p.activeLabel()]).toEqual(['amazon-bedrock', BEDROCK_MODEL.id, 'amazon-bedrock/claude']);
    expect((await collect(p, request())).events).toEqual(say('turn 1'));
    const second = await collect(p, request());
    expect(second).toEqual({
      events: [
        { type: 'text_delta', index: 0, text: 'partial' },
        { type: 'failover', from: 'amazon-bedrock/claude', to: 'openai/gpt-5', error: { code: 'throttled', message: 'ThrottlingException: Too many requests' } },
        ...say('turn 2 from openai'),
      ],
    });
    expect((await collect(p, request())).events).toEqual(say('turn 3 from openai'));
    expect([bedrock.requests.length, openai.requests.length]).toEqual([2, 2]);
    expect([p.name, p.activeModel().id, p.activeLabel()]).toEqual(['openai', 'gpt-5', 'openai/gpt-5']);
  });

  it('sends each entry its own model id and only the reasoning its wire made', async () => {
    const bedrock = scripted('amazon-bedrock', [throttled()]);
    const openai = scripted('openai', [say('ok')]);
    const p = createFailoverProvider([
      { label: 'b', provider: bedrock, model: BEDROCK_MODEL, wire: 'converse' },
      { label: 'o', provider: openai, model: GPT5, wire: 'responses' },
    ]);
    await collect(p, request());
    expect(bedrock.requests[0].model).toBe(BEDROCK_MODEL.id);
    expect(bedrock.requests[0].messages[1].content.map((b) => b.type)).toEqual(['reasoning', 'redacted_reasoning', 'tool_use']);
    expect(openai.requests[0].model).toBe('gpt-5');
    expect(openai.requests[0].messages[1].content).toEqual([
      { type: 'reasoning', text: 'gpt thinks', signature: 'openai-responses:{"type":"reasoning","summary":[]}' },
      { type: 'tool_use', id: 'tooluse_1', name: 'shell', input: { command: 'ls' } },
    ]);
  });

  it('writes the transcript in the active entry\'s form', async () => {
    const p = createFailoverProvider([
      { label: 'b', provider: scripted('amazon-bedrock', [throttled()]), model: BEDROCK_MODEL, wire: 'converse' },
      { label: 'c', provider: scripted('ollama', [say('ok')]), model: { ...GPT5, id: 'gpt-oss:20b' }, wire: 'chat' },
    ]);
    expect(p.transcript(request())).toMatchObject({ from: 'amazon-bedrock', model: BEDROCK_MODEL.id });
    await collect(p, request());
    const t = p.transcript(request(), [{ role: 'assistant', content: [{ type: 'reasoning', text: 'r', signature: 'claude-sig' }, { type: 'text', text: 'bye' }] }]) as { from: string; model: string; messages: Message[] };
    expect([t.from, t.model, t.messages.length, t.messages[1].content.map((b) => b.type), t.messages[3]]).toEqual(['ollama', 'gpt-oss:20b', 4, ['reasoning', 'tool_use'], { role: 'assistant', content: [{ type: 'text', text: 'bye' }] }]);
  });

  it('does not fail over on validation, access, context, model or abort errors', async () => {
    for (const err of [
      new ProviderError('ValidationException', 'bad input', { statusCode: 400 }),
      new ProviderError('AccessDeniedException', 'no access', { statusCode: 403 }),
      new ContextWindowExceededError('too long', { statusCode: 400 }),
      new ModelNotSupportedError('x', 'unknown'),
      new AbortError(),
    ]) {
      const second = scripted('openai', [say('never')]);
      const p = createFailoverProvider([
        { label: 'a', provider: scripted('amazon-bedrock', [err]), model: BEDROCK_MODEL },
        { label: 'b', provider: second, model: GPT5 },
      ]);
      const r = await collect(p, request());
      expect([r.error, second.requests.length, r.events.some((e) => e.type === 'failover')]).toEqual([err, 0, false]);
    }
  });

  it('throws the last entry\'s error when every entry fails', async () => {
    const last = new ProviderError('TooManyRequests', 'openai busy', { retryable: true, statusCode: 429 });
    const p = createFailoverProvider([
      { label: 'a', provider: scripted('amazon-bedrock', [throttled()]), model: BEDROCK_MODEL },
      { label: 'b', provider: scripted('openai', [last]), model: GPT5 },
    ]);
    const r = await collect(p, request());
    expect(r.error).toBe(last);
    expect(r.events.filter((e) => e.type === 'failover')).toEqual([{ type: 'failover', from: 'a', to: 'b', error: { code: 'throttled', message: 'ThrottlingException: Too many requests' } }]);
  });

  it('judges which errors are worth failing over', () => {
    expect([
      shouldFailOver(throttled()),
      shouldFailOver(new ProviderError('insufficient_quota', 'quota', { statusCode: 429 })),
      shouldFailOver(new ProviderError('InternalServerError', 'boom', { statusCode: 500 })),
      shouldFailOver(new ProviderError('ECONNREFUSED', 'down', { retryable: true })),
      shouldFailOver(new ProviderError('Unauthorized', 'key', { statusCode: 401 })),
      shouldFailOver(new Error('plain')),
    ]).toEqual([true, true, true, true, false, false]);
  });

  it('keeps messages as they are when the wire is unknown', () => {
    expect(portableMessages(conversation, undefined)).toBe(conversation);
    expect(portableMessages(conversation, 'chat')[1].content.map((b) => b.type)).toEqual(['reasoning', 'tool_use']);
  });
});

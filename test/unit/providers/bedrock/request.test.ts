import { describe, expect, it } from 'vitest';
import { buildConverseInput, requireToolModel, toConverseParts, toTranscript, extraMessages, type ModelRequest } from '../../../../src/providers/index.ts';

const tools = [{ name: 'shell', description: 'Run a command', inputSchema: { type: 'object', properties: { command: { type: 'string' } } } }];
const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  system: 'You are a careful coding agent.',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'list the files' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'shell', input: { command: 'ls' } }, { type: 'redacted_reasoning', data: 'AAEC' }] },
    { role: 'user', content: [{ type: 'tool_result', toolUseId: 't1', status: 'success', content: 'exit code: 0\na.txt' }] },
  ],
  tools,
  ...over,
});

describe('buildConverseInput', () => {
  it('assembles model id, messages, system, inference config and tools', () => {
    const llama = requireToolModel('meta.llama3-3-70b-instruct-v1:0');
    expect(buildConverseInput(request({ model: 'meta.llama3-3-70b-instruct-v1:0', temperature: 0.2, maxTokens: 1000 }), llama, 'us.meta.llama3-3-70b-instruct-v1:0')).toEqual({
      modelId: 'us.meta.llama3-3-70b-instruct-v1:0',
      messages: [
        { role: 'user', content: [{ text: 'list the files' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'shell', input: { command: 'ls' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'exit code: 0\na.txt' }], status: 'success' } }] },
      ],
      system: [{ text: 'You are a careful coding agent.' }],
      inferenceConfig: { maxTokens: 1000, temperature: 0.2 },
      toolConfig: { tools: [{ toolSpec: { name: 'shell', inputSchema: { json: tools[0].inputSchema }, description: 'Run a command' } }] },
    });
  });

  it('turns on thinking for Claude, drops temperature and raises maxTokens', () => {
    const claude = requireToolModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    const input = buildConverseInput(request({ reasoningEffort: 'medium', temperature: 0.5, maxTokens: 2000 }), claude, claude.id);
    expect([input.inferenceConfig, input.additionalModelRequestFields]).toEqual([{ maxTokens: 12288 }, { thinking: { type: 'enabled', budget_tokens: 8192 } }]);
  });

  it('defaults maxTokens to 16384 within the model maximum and leaves out an empty system and tools', () => {
    const nova = requireToolModel('amazon.nova-pro-v1:0');
    const input = buildConverseInput(request({ system: '', tools: [] }), nova, 'amazon.nova-pro-v1:0');
    expect([input.inferenceConfig, 'system' in input, 'toolConfig' in input]).toEqual([{ maxTokens: 10_000 }, false, false]);
  });
});

describe('toTranscript', () => {
  it('is the JSON form of system, messages and toolConfig, bytes as base64, extra messages appended', () => {
    const claude = requireToolModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    const parts = toConverseParts(request(), claude);
    const extra = extraMessages([{ role: 'assistant', content: [{ type: 'text', text: 'Done.' }, { type: 'reasoning', text: 'r', signature: 's' }] }], claude);
    expect(toTranscript(parts, extra)).toEqual({
      system: [{ text: 'You are a careful coding agent.' }],
      messages: [
        { role: 'user', content: [{ text: 'list the files' }] },
        { role: 'assistant', content: [{ reasoningContent: { redactedContent: 'AAEC' } }, { toolUse: { toolUseId: 't1', name: 'shell', input: { command: 'ls' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'exit code: 0\na.txt' }], status: 'success' } }] },
        { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'r', signature: 's' } } }, { text: 'Done.' }] },
      ],
      toolConfig: { tools: [{ toolSpec: { name: 'shell', inputSchema: { json: tools[0].inputSchema }, description: 'Run a command' } }] },
    });
  });

  it('keeps the cache points of the request', () => {
    const claude = requireToolModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    const parts = toConverseParts(request({ system: 'x'.repeat(6000) }), claude);
    const t = toTranscript(parts) as { system: unknown[]; messages: { content: unknown[] }[] };
    expect([t.system.at(-1), t.messages.at(-1)?.content.at(-1)]).toEqual([{ cachePoint: { type: 'default' } }, { cachePoint: { type: 'default' } }]);
  });

  it('leaves out system and toolConfig when the request has none', () => {
    expect(toTranscript({ system: [], messages: [{ role: 'user', content: [{ text: 'hi' }] }] })).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  });
});

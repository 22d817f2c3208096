import { describe, expect, it } from 'vitest';
import type { Message as ConverseMessage } from '@aws-sdk/client-bedrock-runtime';
import { countCachePoints, estimateChars, placeCachePoints, requireToolModel, toToolConfig, type ConverseParts } from '../../../../src/providers/index.ts';

const CP = { cachePoint: { type: 'default' } };
const claude = requireToolModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0'); // min 1024 tokens
const nova = requireToolModel('amazon.nova-pro-v1:0'); // min 1000 tokens, not after tools
const llama = requireToolModel('meta.llama3-3-70b-instruct-v1:0');

const tool = (name: string, descChars: number) => ({ name, description: 'd'.repeat(descChars), inputSchema: { type: 'object' } });
function parts(opts: { toolChars: number; systemChars: number; messageChars: number }): ConverseParts {
  const messages: ConverseMessage[] = [
    { role: 'user', content: [{ text: 'x'.repeat(opts.messageChars) }] },
    { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'shell', input: {} } }] },
    { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'ok' }], status: 'success' } }] },
  ];
  return { system: [{ text: 's'.repeat(opts.systemChars) }], messages, toolConfig: toToolConfig([tool('shell', opts.toolChars)], claude) };
}

describe('placeCachePoints', () => {
  it('places points after the tools, after the system prompt and on the latest user turn', () => {
    const input = parts({ toolChars: 5000, systemChars: 100, messageChars: 100 });
    const out = placeCachePoints(input, claude);
    expect(out).toEqual({
      system: [...input.system, CP],
      toolConfig: { tools: [...input.toolConfig!.tools!, CP] },
      messages: [input.messages[0], input.messages[1], { role: 'user', content: [...input.messages[2].content!, CP] }],
    });
    expect(countCachePoints(input)).toBe(0); // the input is left alone
  });

  it('skips points whose prefix (tools, system, messages) is below the model minimum', () => {
    // tools ~ 1k chars, + system 2k chars = 3k chars (< 4096), + messages 2k chars = 5k chars (>= 4096)
    const input = parts({ toolChars: 1000, systemChars: 2000, messageChars: 2000 });
    const out = placeCachePoints(input, claude);
    expect([out.toolConfig?.tools?.length, out.system.length, out.messages[2].content?.at(-1), countCachePoints(out)]).toEqual([1, 1, CP, 1]);
    expect(placeCachePoints(parts({ toolChars: 10, systemChars: 10, messageChars: 10 }), claude)).toEqual(parts({ toolChars: 10, systemChars: 10, messageChars: 10 }));
  });

  it('puts no point after the tools for Nova, and none at all for models without caching', () => {
    const input = parts({ toolChars: 5000, systemChars: 5000, messageChars: 10 });
    const out = placeCachePoints(input, nova);
    expect([out.toolConfig?.tools?.length, out.system.at(-1), out.messages[2].content?.at(-1), countCachePoints(out)]).toEqual([1, CP, CP, 2]);
    expect(placeCachePoints(input, llama)).toBe(input);
  });

  it('never goes beyond 4 points, counting those already there', () => {
    const input = parts({ toolChars: 5000, systemChars: 100, messageChars: 100 });
    input.messages[0] = { role: 'user', content: [{ text: 'a' }, CP, { text: 'b' }, CP] } as ConverseMessage;
    const out = placeCachePoints(input, claude);
    expect([countCachePoints(out), out.toolConfig?.tools?.at(-1), out.system.at(-1), out.messages[2].content?.at(-1)]).toEqual([4, CP, CP, { toolResult: { toolUseId: 't1', content: [{ text: 'ok' }], status: 'success' } }]);
  });

  it('does not add a second point where one already closes the section', () => {
    const input = parts({ toolChars: 5000, systemChars: 100, messageChars: 100 });
    const once = placeCachePoints(input, claude);
    expect(placeCachePoints(once, claude)).toEqual(once);
  });
});

describe('estimateChars', () => {
  it('counts strings, keys, numbers and bytes', () => {
    expect(estimateChars({ text: 'abcd', n: 12, bytes: new Uint8Array(3), list: ['xy', undefined] })).toBe(4 + 4 + 1 + 2 + 5 + 4 + 4 + 2);
  });
});

import { describe, expect, it } from 'vitest';
import { toConverseMessages, toSystemBlocks, type Message } from '../../../../src/providers/index.ts';

describe('toConverseMessages', () => {
  it('puts reasoning blocks first in an assistant message, in their order, before text and tool use', () => {
    const messages: Message[] = [
      { role: 'user', content: [{ type: 'text', text: 'fix it' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'reasoning', text: 'first thought', signature: 'sig-1' },
          { type: 'tool_use', id: 'tooluse_1', name: 'read_file', input: { path: 'a.ts' } },
          { type: 'redacted_reasoning', data: Buffer.from('opaque').toString('base64') },
          { type: 'reasoning', text: 'unsigned' },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'tooluse_1', status: 'success', content: '1\tconst a = 1;' }] },
    ];
    expect(toConverseMessages(messages)).toEqual([
      { role: 'user', content: [{ text: 'fix it' }] },
      {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'first thought', signature: 'sig-1' } } },
          { reasoningContent: { redactedContent: new Uint8Array(Buffer.from('opaque')) } },
          { reasoningContent: { reasoningText: { text: 'unsigned' } } },
          { text: 'Let me look.' },
          { toolUse: { toolUseId: 'tooluse_1', name: 'read_file', input: { path: 'a.ts' } } },
        ],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: '1\tconst a = 1;' }], status: 'success' } }] },
    ]);
  });

  it('gives redacted data as a plain Uint8Array (what the SDK base64-encodes)', () => {
    const [m] = toConverseMessages([{ role: 'assistant', content: [{ type: 'redacted_reasoning', data: 'AAEC/w==' }] }]);
    const bytes = (m.content![0] as { reasoningContent: { redactedContent: Uint8Array } }).reasoningContent.redactedContent;
    expect([bytes.constructor.name, [...bytes]]).toEqual(['Uint8Array', [0, 1, 2, 255]]);
  });

  it('writes keys in the order the SDK serialises them', () => {
    const out = toConverseMessages([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: { b: 1, a: 2 } }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 't', status: 'error', content: 'boom' }] },
    ]);
    expect(JSON.stringify(out)).toBe(
      '[{"role":"assistant","content":[{"toolUse":{"toolUseId":"t","name":"n","input":{"b":1,"a":2}}}]},' +
        '{"role":"user","content":[{"toolResult":{"toolUseId":"t","content":[{"text":"boom"}],"status":"error"}}]}]',
    );
  });

  it('drops reasoning for models that cannot take it, and blank assistant text', () => {
    const out = toConverseMessages(
      [{ role: 'assistant', content: [{ type: 'reasoning', text: 'x', signature: 's' }, { type: 'text', text: '\n\n' }, { type: 'tool_use', id: 't', name: 'shell', input: { command: 'ls' } }] }],
      { reasoning: false },
    );
    expect(out).toEqual([{ role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'shell', input: { command: 'ls' } } }] }]);
  });

  it('sends tool input that is not an object as {} and an empty tool result as a note', () => {
    const out = toConverseMessages([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'list_files', input: null }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 't', status: 'success', content: '' }] },
    ]);
    expect(out).toEqual([
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'list_files', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ text: '(no output)' }], status: 'success' } }] },
    ]);
  });
});

describe('toConverseMessages: tool-result images', () => {
  const png = (n: number) => ({ format: 'png' as const, data: Buffer.from([n]).toString('base64') });
  const result = (id: string, n: number): Message => ({ role: 'user', content: [{ type: 'tool_result', toolUseId: id, status: 'success', content: `${n} images`, images: Array.from({ length: n }, (_, i) => png(i)) }] });
  const imagesOf = (m: { content?: { toolResult?: { content?: { image?: { source?: { bytes?: Uint8Array } } }[] } }[] }) =>
    (m.content?.[0].toolResult?.content ?? []).filter((c) => c.image).map((c) => Array.from(c.image!.source!.bytes!));

  it('sends the latest images up to the budget, as image blocks after the text, and none without one', () => {
    const messages = [result('a', 2), result('b', 3)];
    const out = toConverseMessages(messages, { images: 4 });
    expect(out.map(imagesOf)).toEqual([[[0]], [[0], [1], [2]]]);
    expect(out[1].content![0].toolResult!.content![1]).toEqual({ image: { format: 'png', source: { bytes: new Uint8Array([0]) } } });
    expect(toConverseMessages(messages).map(imagesOf)).toEqual([[], []]);
    expect(toConverseMessages(messages).map((m) => m.content![0].toolResult!.content)).toEqual([[{ text: '2 images' }], [{ text: '3 images' }]]);
  });
});

describe('toSystemBlocks', () => {
  it('gives one text block, or none for a blank prompt', () => {
    expect([toSystemBlocks('You are a coding agent.'), toSystemBlocks('  ')]).toEqual([[{ text: 'You are a coding agent.' }], []]);
  });
});

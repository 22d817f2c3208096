import { describe, expect, it } from 'vitest';
import { MessageAssembler, parseToolInput } from '../../../src/agent/assembler.ts';
import type { StreamEvent } from '../../../src/providers/types.ts';

function assemble(events: StreamEvent[]) {
  const a = new MessageAssembler();
  const completed = events.map((e) => a.add(e)).filter((c) => c !== undefined);
  return { message: a.message(), completed, stopReason: a.stopReason };
}

describe('MessageAssembler', () => {
  it('joins a reasoning signature streamed in several pieces, and its text, into one block', () => {
    const { message, completed } = assemble([
      { type: 'reasoning_delta', index: 0, text: 'First ' },
      { type: 'reasoning_delta', index: 0, text: 'think.' },
      { type: 'reasoning_delta', index: 0, signature: 'EqQBCkYIBx' },
      { type: 'reasoning_delta', index: 0, signature: 'gCKkAm' },
      { type: 'reasoning_delta', index: 0, signature: '9Zw==' },
      { type: 'block_stop', index: 0 },
    ]);
    const block = { type: 'reasoning', text: 'First think.', signature: 'EqQBCkYIBxgCKkAm9Zw==' };
    expect({ message, completed }).toEqual({ message: { role: 'assistant', content: [block] }, completed: [{ ...block, index: 0 }] });
  });

  it('keeps reasoning without a signature unsigned, and redacted reasoning as its data', () => {
    const { message } = assemble([
      { type: 'reasoning_delta', index: 0, text: 'plain' },
      { type: 'reasoning_delta', index: 1, redactedData: 'b64a' },
      { type: 'reasoning_delta', index: 1, redactedData: 'b64b' },
    ]);
    expect(message.content).toEqual([
      { type: 'reasoning', text: 'plain' },
      { type: 'redacted_reasoning', data: 'b64ab64b' },
    ]);
  });

  it('orders blocks by index despite gaps, parses tool input fragments, and forgets everything on reset', () => {
    const a = new MessageAssembler();
    const events: StreamEvent[] = [
      { type: 'tool_use_start', index: 4, id: 't1', name: 'shell' },
      { type: 'tool_use_delta', index: 4, input: '{"comm' },
      { type: 'tool_use_delta', index: 4, input: 'and":"ls"}' },
      { type: 'text_delta', index: 1, text: 'Listing.' },
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
    ];
    for (const e of events) a.add(e);
    expect([a.message().content, a.stopReason]).toEqual([
      [
        { type: 'text', text: 'Listing.' },
        { type: 'tool_use', id: 't1', name: 'shell', input: { command: 'ls' } },
      ],
      'tool_use',
    ]);
    a.reset();
    expect([a.message().content, a.stopReason]).toEqual([[], undefined]);
  });

  it('keeps tool input that does not parse for the tool to refuse', () => {
    expect([parseToolInput(''), parseToolInput('{"a":1}'), parseToolInput('{"a":')]).toEqual([{}, { a: 1 }, { __invalid_json: '{"a":' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { ChatStreamMapper, mapChatUsage, mapFinishReason } from '../../../../src/providers/chat/stream.ts';
import { MessageAssembler } from '../../../../src/agent/assembler.ts';
import { ProviderError } from '../../../../src/providers/errors.ts';

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] });

/** Ollama-style: reasoning, then two tool calls streamed in fragments keyed by index; usage in the last chunk. */
const STREAM = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ reasoning: 'Need ' }),
  chunk({ reasoning: 'files.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'list_files', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"pa' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'read_file', arguments: '{"path":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'th":"."}' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '"a.txt"}' } }] }),
  chunk({}, 'tool_calls'),
  { id: 'c', choices: [], usage: { prompt_tokens: 300, completion_tokens: 40, total_tokens: 340, prompt_tokens_details: { cached_tokens: 100 } } },
];

describe('ChatStreamMapper', () => {
  it('makes blocks from reasoning and interleaved tool-call fragments, keeping the ids', () => {
    const m = new ChatStreamMapper(() => 'generated');
    const events = [...STREAM.flatMap((c) => m.push(c)), ...(m.markDone(), m.finish())];
    expect(events).toEqual([
      { type: 'message_start' },
      { type: 'reasoning_delta', index: 0, text: 'Need ' },
      { type: 'reasoning_delta', index: 0, text: 'files.' },
      { type: 'reasoning_delta', index: 0, signature: 'chat:reasoning' },
      { type: 'block_stop', index: 0 },
      { type: 'tool_use_start', index: 1, id: 'call_1', name: 'list_files' },
      { type: 'tool_use_delta', index: 1, input: '{"pa' },
      { type: 'tool_use_start', index: 2, id: 'call_2', name: 'read_file' },
      { type: 'tool_use_delta', index: 2, input: '{"path":' },
      { type: 'tool_use_delta', index: 1, input: 'th":"."}' },
      { type: 'tool_use_delta', index: 2, input: '"a.txt"}' },
      { type: 'block_stop', index: 1 },
      { type: 'block_stop', index: 2 },
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 200, outputTokens: 40, cacheReadInputTokens: 100, cacheWriteInputTokens: 0 } },
    ]);
    const asm = new MessageAssembler();
    for (const e of events) asm.add(e);
    expect(asm.message()).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'Need files.', signature: 'chat:reasoning' },
        { type: 'tool_use', id: 'call_1', name: 'list_files', input: { path: '.' } },
        { type: 'tool_use', id: 'call_2', name: 'read_file', input: { path: 'a.txt' } },
      ],
    });
  });

  it('closes reasoning when text starts, and takes one of two duplicated reasoning fields', () => {
    const m = new ChatStreamMapper(() => 'x');
    const events = [chunk({ reasoning_content: 'hm', reasoning: 'hm' }), chunk({ content: 'Hello' }), chunk({}, 'stop')].flatMap((c) => m.push(c));
    expect([...events, ...m.finish()]).toEqual([
      { type: 'message_start' },
      { type: 'reasoning_delta', index: 0, text: 'hm' },
      { type: 'reasoning_delta', index: 0, signature: 'chat:reasoning_content' },
      { type: 'block_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'Hello' },
      { type: 'block_stop', index: 1 },
      { type: 'message_stop', stopReason: 'end_turn', rawStopReason: 'end_turn' },
    ]);
  });

  it('makes up ids the server left out and accepts arguments sent as an object', () => {
    const m = new ChatStreamMapper(() => 'call_made_up');
    const events = m.push(chunk({ tool_calls: [{ function: { name: 'shell', arguments: { command: 'ls' } } }] }, 'stop'));
    expect(events).toEqual([
      { type: 'message_start' },
      { type: 'tool_use_start', index: 0, id: 'call_made_up', name: 'shell' },
      { type: 'tool_use_delta', index: 0, input: '{"command":"ls"}' },
    ]);
    expect(m.finish().at(-1)).toEqual({ type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' });
  });

  it('throws a retryable error when the stream ends without a finish reason or [DONE]', () => {
    const m = new ChatStreamMapper(() => 'x');
    m.push(chunk({ content: 'partial' }));
    expect(() => m.finish()).toThrow(expect.objectContaining({ code: 'StreamIncomplete', retryable: true }));
  });

  it('throws the error a chunk carries', () => {
    const m = new ChatStreamMapper(() => 'x');
    let err: ProviderError | undefined;
    try {
      m.push({ error: { message: 'model crashed', type: 'server_error' } });
    } catch (e) {
      err = e as ProviderError;
    }
    expect([err?.code, err?.message, err?.retryable]).toEqual(['server_error', 'model crashed', true]);
  });

  it('maps finish reasons and usage', () => {
    expect([mapFinishReason('stop', false), mapFinishReason('stop', true), mapFinishReason('length', false), mapFinishReason('content_filter', false), mapFinishReason('weird', false), mapFinishReason(null, false)]).toEqual(['end_turn', 'tool_use', 'max_tokens', 'content_filtered', 'other', 'end_turn']);
    expect(mapChatUsage({ prompt_tokens: 9, completion_tokens: 3 })).toEqual({ inputTokens: 9, outputTokens: 3, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
  });
});

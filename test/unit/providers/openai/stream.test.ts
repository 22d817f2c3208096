import { describe, expect, it } from 'vitest';
import { mapResponsesUsage, ResponsesStreamMapper, type ResponsesEvent } from '../../../../src/providers/openai/stream.ts';
import { decodeReasoningItem, encodeReasoningItem, reasoningInputItem } from '../../../../src/providers/openai/reasoning.ts';
import { ContextWindowExceededError, ProviderError } from '../../../../src/providers/errors.ts';
import { MessageAssembler } from '../../../../src/agent/assembler.ts';

const RS = { id: 'rs_9', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan A.' }, { type: 'summary_text', text: 'Plan B.' }], encrypted_content: 'ENC==' };
const FC = { id: 'fc_7', type: 'function_call', status: 'completed', arguments: '{"path":"a.js"}', call_id: 'call_XYZ', name: 'read_file' };

/** A typical Responses stream: reasoning with two summary parts, text, a function call. */
const STREAM: ResponsesEvent[] = [
  { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } },
  { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_9', type: 'reasoning', summary: [] } },
  { type: 'response.reasoning_summary_part.added', output_index: 0, summary_index: 0 },
  { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, delta: 'Plan ' },
  { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, delta: 'A.' },
  { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 1, delta: 'Plan B.' },
  { type: 'response.output_item.done', output_index: 0, item: { ...RS, status: 'completed' } },
  { type: 'response.output_item.added', output_index: 1, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } },
  { type: 'response.output_text.delta', output_index: 1, content_index: 0, delta: 'Reading.' },
  { type: 'response.output_item.done', output_index: 1, item: { id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: 'Reading.' }] } },
  { type: 'response.output_item.added', output_index: 2, item: { ...FC, status: 'in_progress', arguments: '' } },
  { type: 'response.function_call_arguments.delta', output_index: 2, delta: '{"path":' },
  { type: 'response.function_call_arguments.delta', output_index: 2, delta: '"a.js"}' },
  { type: 'response.function_call_arguments.done', output_index: 2, arguments: '{"path":"a.js"}' },
  { type: 'response.output_item.done', output_index: 2, item: FC },
  { type: 'response.completed', response: { status: 'completed', usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 80, total_tokens: 1280 } } },
];

const mapAll = (events: ResponsesEvent[], m = new ResponsesStreamMapper()) => events.flatMap((e) => m.map(e));

describe('ResponsesStreamMapper', () => {
  it('maps reasoning, text and a function call to neutral events with the call id', () => {
    const m = new ResponsesStreamMapper();
    const events = mapAll(STREAM, m);
    expect(events).toEqual([
      { type: 'message_start' },
      { type: 'reasoning_delta', index: 0, text: 'Plan ' },
      { type: 'reasoning_delta', index: 0, text: 'A.' },
      { type: 'reasoning_delta', index: 0, text: '\n\nPlan B.' },
      { type: 'reasoning_delta', index: 0, signature: encodeReasoningItem(RS as never) },
      { type: 'block_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'Reading.' },
      { type: 'block_stop', index: 1 },
      { type: 'tool_use_start', index: 2, id: 'call_XYZ', name: 'read_file' },
      { type: 'tool_use_delta', index: 2, input: '{"path":' },
      { type: 'tool_use_delta', index: 2, input: '"a.js"}' },
      { type: 'block_stop', index: 2 },
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 200, outputTokens: 80, cacheReadInputTokens: 1000, cacheWriteInputTokens: 0 } },
    ]);
    expect(m.completed).toBe(true);
  });

  it('assembles into a message whose reasoning block carries the item, to be sent back verbatim', () => {
    const asm = new MessageAssembler();
    for (const e of mapAll(STREAM)) asm.add(e);
    const msg = asm.message();
    expect(msg.content.map((b) => b.type)).toEqual(['reasoning', 'text', 'tool_use']);
    const r = msg.content[0] as { text: string; signature: string };
    expect(r.text).toBe('Plan A.\n\nPlan B.');
    expect(reasoningInputItem(decodeReasoningItem(r.signature)!)).toEqual({ type: 'reasoning', summary: RS.summary, encrypted_content: 'ENC==' });
    expect(msg.content[2]).toEqual({ type: 'tool_use', id: 'call_XYZ', name: 'read_file', input: { path: 'a.js' } });
  });

  it('fills in text, arguments and summary that only the done events carry', () => {
    const events = mapAll([
      { type: 'response.output_item.added', output_index: 0, item: { id: 'rs', type: 'reasoning', summary: [] } },
      { type: 'response.output_item.done', output_index: 0, item: { id: 'rs', type: 'reasoning', summary: [{ type: 'summary_text', text: 'S' }], encrypted_content: 'E' } },
      { type: 'response.output_item.done', output_index: 1, item: { id: 'm', type: 'message', content: [{ type: 'output_text', text: 'Hi' }] } },
      { type: 'response.output_item.done', output_index: 2, item: { id: 'fc', type: 'function_call', call_id: 'c9', name: 'shell', arguments: '{"command":"ls"}' } },
      { type: 'response.completed', response: {} },
    ]);
    expect(events).toEqual([
      { type: 'message_start' },
      { type: 'reasoning_delta', index: 0, text: 'S', signature: encodeReasoningItem({ id: 'rs', type: 'reasoning', summary: [{ type: 'summary_text', text: 'S' }], encrypted_content: 'E' }) },
      { type: 'block_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'Hi' },
      { type: 'block_stop', index: 1 },
      { type: 'tool_use_start', index: 2, id: 'c9', name: 'shell' },
      { type: 'tool_use_delta', index: 2, input: '{"command":"ls"}' },
      { type: 'block_stop', index: 2 },
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
    ]);
  });

  it('reports an incomplete answer cut at max_output_tokens', () => {
    const m = new ResponsesStreamMapper();
    const events = mapAll([{ type: 'response.output_text.delta', output_index: 0, delta: 'par' }, { type: 'response.incomplete', response: { incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 5, output_tokens: 7 } } }], m);
    expect(events.slice(-2)).toEqual([
      { type: 'message_stop', stopReason: 'max_tokens', rawStopReason: 'max_tokens' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 7, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } },
    ]);
    expect(m.completed).toBe(true);
  });

  it('throws retryable errors for rate limits and server errors in the stream, final ones otherwise', () => {
    const err = (ev: ResponsesEvent) => {
      try {
        new ResponsesStreamMapper().map(ev);
      } catch (e) {
        const p = e as ProviderError;
        return [p.constructor.name, p.code, p.message, p.retryable];
      }
      return undefined;
    };
    expect(err({ type: 'error', code: 'rate_limit_exceeded', message: 'slow down' })).toEqual(['ProviderError', 'rate_limit_exceeded', 'slow down', true]);
    expect(err({ type: 'response.failed', response: { error: { code: 'server_error', message: 'oops' } } })).toEqual(['ProviderError', 'server_error', 'oops', true]);
    expect(err({ type: 'response.failed', response: { error: { code: 'invalid_prompt', message: 'no' } } })).toEqual(['ProviderError', 'invalid_prompt', 'no', false]);
    expect(err({ type: 'error', code: 'context_length_exceeded', message: 'too long' })?.[0]).toBe(ContextWindowExceededError.name);
  });

  it('reads usage with cached tokens apart', () => {
    expect(mapResponsesUsage({ input_tokens: 10, output_tokens: 2 })).toEqual({ inputTokens: 10, outputTokens: 2, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
    expect(mapResponsesUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
  });
});

describe('reasoning items in signatures', () => {
  it('round-trips an item and refuses signatures of other origins', () => {
    const sig = encodeReasoningItem({ ...RS, status: 'completed' } as never);
    expect(decodeReasoningItem(sig)).toEqual(RS);
    expect([decodeReasoningItem('EqQBClaude'), decodeReasoningItem(undefined), decodeReasoningItem('openai-responses:{broken')]).toEqual([undefined, undefined, undefined]);
  });

  it('sends back summary and encrypted content without the id or raw reasoning text', () => {
    expect(reasoningInputItem({ id: 'rs', type: 'reasoning', summary: [], encrypted_content: 'E', content: [{ type: 'reasoning_text', text: 'raw' }] })).toEqual({ type: 'reasoning', summary: [], encrypted_content: 'E' });
  });
});

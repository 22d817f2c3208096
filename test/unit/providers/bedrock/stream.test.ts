import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { mapConverseOutput, mapStreamEvent, StreamExceptionError, type StreamEvent } from '../../../../src/providers/index.ts';
import { MessageAssembler } from '../../../../src/agent/assembler.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/bedrock/${name}`, import.meta.url), 'utf8');
// The SDK decodes blob members (redactedContent) to bytes; the chunk files hold them as base64.
const sdkEvents = (name: string): ConverseStreamOutput[] =>
  fixture(name)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l, (k, v) => (k === 'redactedContent' ? new Uint8Array(Buffer.from(v, 'base64')) : v)));
const mapAll = (events: ConverseStreamOutput[]) => events.flatMap((e) => mapStreamEvent(e));
function assemble(events: StreamEvent[]) {
  const a = new MessageAssembler();
  for (const e of events) a.add(e);
  return { message: a.message(), stopReason: a.stopReason };
}

describe('mapStreamEvent', () => {
  it('maps each kind of event', () => {
    const events = [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_9', name: 'shell' } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '' } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '{"command":' } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '"ls"}' } } } },
      { contentBlockStop: { contentBlockIndex: 2 } },
      { contentBlockDelta: { contentBlockIndex: 3, delta: { reasoningContent: { text: 'hmm' } } } },
      { contentBlockDelta: { contentBlockIndex: 3, delta: { reasoningContent: { signature: 'c2ln' } } } },
      { contentBlockDelta: { contentBlockIndex: 4, delta: { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3]) } } } },
      { messageStop: { stopReason: 'model_context_window_exceeded' } },
      { metadata: { usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11 }, metrics: { latencyMs: 1 } } },
      { metadata: { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3, cacheReadInputTokens: 7, cacheWriteInputTokens: 8 }, metrics: { latencyMs: 1 } } },
      { $unknown: ['newEvent', {}] },
      { contentBlockStart: { contentBlockIndex: 5, start: { image: {} } } },
    ] as unknown as ConverseStreamOutput[];
    expect(mapAll(events)).toEqual([
      { type: 'message_start' },
      { type: 'text_delta', index: 0, text: 'Hi' },
      { type: 'block_stop', index: 0 },
      { type: 'tool_use_start', index: 2, id: 'tooluse_9', name: 'shell' },
      { type: 'tool_use_delta', index: 2, input: '{"command":' },
      { type: 'tool_use_delta', index: 2, input: '"ls"}' },
      { type: 'block_stop', index: 2 },
      { type: 'reasoning_delta', index: 3, text: 'hmm' },
      { type: 'reasoning_delta', index: 3, signature: 'c2ln' },
      { type: 'reasoning_delta', index: 4, redactedData: 'AQID' },
      { type: 'message_stop', stopReason: 'context_window_exceeded', rawStopReason: 'model_context_window_exceeded' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 6, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 7, cacheWriteInputTokens: 8 } },
    ]);
  });

  it('throws a typed error for each in-stream exception member', () => {
    const members = ['throttlingException', 'modelStreamErrorException', 'internalServerException', 'serviceUnavailableException', 'validationException'];
    const errors = members.map((m) => {
      try {
        mapStreamEvent({ [m]: { message: `${m} happened` } } as unknown as ConverseStreamOutput);
        return undefined;
      } catch (e) {
        const err = e as StreamExceptionError;
        return [err instanceof StreamExceptionError, err.code, err.message, err.retryable];
      }
    });
    expect(errors).toEqual([
      [true, 'ThrottlingException', 'throttlingException happened', true],
      [true, 'ModelStreamErrorException', 'modelStreamErrorException happened', true],
      [true, 'InternalServerException', 'internalServerException happened', true],
      [true, 'ServiceUnavailableException', 'serviceUnavailableException happened', true],
      [true, 'ValidationException', 'validationException happened', false],
    ]);
  });
});

describe('recorded streams through mapStreamEvent and the assembler', () => {
  it('reasoning with a signature, then text', () => {
    const { message, stopReason } = assemble(mapAll(sdkEvents('bedrock-reasoning.chunks.txt')));
    expect(stopReason).toBe('end_turn');
    expect(message.content.map((b) => b.type)).toEqual(['reasoning', 'text']);
    expect(message.content[0]).toEqual({ type: 'reasoning', text: 'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r\'s.', signature: expect.stringMatching(/^Ep0CCkgICxAB.*GAE=$/) });
  });

  it('redacted reasoning, then a tool call in many fragments', () => {
    const events = mapAll(sdkEvents('amazon-bedrock-redacted-content.chunks.txt'));
    const { message, stopReason } = assemble(events);
    const raw = JSON.parse(fixture('amazon-bedrock-redacted-content.chunks.txt').split('\n')[1]).contentBlockDelta.delta.reasoningContent.redactedContent;
    expect({ stopReason, message }).toEqual({
      stopReason: 'tool_use',
      message: {
        role: 'assistant',
        content: [
          { type: 'redacted_reasoning', data: raw },
          { type: 'tool_use', id: 'call_61f8fcbe423a58699163c53e076f1a06', name: 'propose', input: { groups: [{ name: 'Sales', parentGroupName: '' }, { name: 'Team1', parentGroupName: 'Sales' }] } },
        ],
      },
    });
  });

  it('parallel tool calls with metadata before messageStop', () => {
    const events = mapAll(sdkEvents('bedrock-json-tool-text-then-weather-then-json.1.chunks.txt'));
    expect(assemble(events)).toEqual({
      stopReason: 'tool_use',
      message: {
        role: 'assistant',
        content: [
          { type: 'text', text: '2 + 2 equals 4. Now let me check the weather for you.' },
          { type: 'tool_use', id: 'weather-tool-1', name: 'weather', input: { location: 'San Francisco' } },
          { type: 'tool_use', id: 'weather-tool-2', name: 'weather', input: { location: 'London' } },
        ],
      },
    });
    expect(events.filter((e) => e.type === 'usage')).toEqual([{ type: 'usage', usage: { inputTokens: 500, outputTokens: 100, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } }]);
  });

  it('sparse indices, empty text blocks and unsigned reasoning (Kimi K2)', () => {
    expect(assemble(mapAll(sdkEvents('issue-11409-kimi-k2-thinking-glob-search.chunks.txt')))).toEqual({
      stopReason: 'tool_use',
      message: {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: ' The user wants me to:\n1. Call glob_search with pattern **/*cursor* \n2. Read the file that results from this search (FILE1)\n3. Then answer with "FOUND ISSUE_11409_CONTENT"\n\nLet me do this step by step.' },
          { type: 'tool_use', id: 'functions.glob_search:0', name: 'glob_search', input: { pattern: '**/*cursor*' } },
        ],
      },
    });
  });

  it('a text turn cut at max_tokens', () => {
    expect(assemble(mapAll(sdkEvents('issue-17523-converse-stream.chunks.txt')))).toEqual({
      stopReason: 'max_tokens',
      message: { role: 'assistant', content: [{ type: 'text', text: 'Hello! How can I assist you today? If' }] },
    });
  });
});

describe('mapConverseOutput', () => {
  it('gives the events a stream of the same message would give', () => {
    const out = {
      output: {
        message: {
          role: 'assistant' as const,
          content: [
            { reasoningContent: { reasoningText: { text: 'think', signature: 'sig' } } },
            { reasoningContent: { redactedContent: new Uint8Array([9, 9]) } },
            { text: 'calling' },
            { toolUse: { toolUseId: 'tooluse_C1', name: 'list_files', input: { pattern: '**/*.ts' } } },
          ],
        },
      },
      stopReason: 'tool_use' as const,
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
    };
    expect(mapConverseOutput(out)).toEqual([
      { type: 'message_start' },
      { type: 'reasoning_delta', index: 0, text: 'think', signature: 'sig' },
      { type: 'block_stop', index: 0 },
      { type: 'reasoning_delta', index: 1, redactedData: 'CQk=' },
      { type: 'block_stop', index: 1 },
      { type: 'text_delta', index: 2, text: 'calling' },
      { type: 'block_stop', index: 2 },
      { type: 'tool_use_start', index: 3, id: 'tooluse_C1', name: 'list_files' },
      { type: 'tool_use_delta', index: 3, input: '{"pattern":"**/*.ts"}' },
      { type: 'block_stop', index: 3 },
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } },
    ]);
  });
});

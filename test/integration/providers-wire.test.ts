/**
 * The same multi-turn tool task through each OpenAI-style wire format, end to end: the agent
 * loop, real tools on a temporary workspace, the provider over HTTP, the fake server.
 */
import { drainAgent, testDeps } from '../support/run-loop.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/task/events.ts';
import { createChatProvider, createOpenAIProvider, lookupOpenAIModel, permissiveModelInfo, type ModelInfo, type ModelProvider } from '../../src/providers/index.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { reasoning, startFakeOpenAI, text, toolCall, usage, type FakeOpenAI, type Wire } from '../support/fake-openai.ts';

let fake: FakeOpenAI;
let ws: string;
beforeEach(async () => {
  fake = await startFakeOpenAI();
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'providers-wire-'));
  fs.writeFileSync(path.join(ws, 'a.txt'), 'alpha\n');
});
afterEach(async () => {
  await fake.close();
  fs.rmSync(ws, { recursive: true, force: true });
});

const SUMMARY_1 = ['Look at the files first.', 'Then read a.txt.'];
const SCRIPT = [
  [reasoning(SUMMARY_1, { encrypted: 'ENC-ONE', id: 'rs_1' }), text('Let me look.'), toolCall('call_AbC123', 'list_files', { path: '.' }, { chunks: 4 })],
  [reasoning('Now read it.', { encrypted: 'ENC-TWO', id: 'rs_2', field: 'reasoning_content' }), toolCall('call_DeF456', 'read_file', { path: 'a.txt' }, { chunks: 5 }), usage(500, 30, 400)],
  [text('a.txt says alpha.')],
];

function setup(wire: Wire): { provider: ModelProvider; model: ModelInfo } {
  const common = { baseUrl: `${fake.url}/v1`, sleep: async () => {}, random: () => 0.5 };
  if (wire === 'responses') {
    const model = lookupOpenAIModel('gpt-5')!;
    return { model, provider: createOpenAIProvider({ ...common, name: 'openai', apiKey: 'sk-test', modelInfo: () => model }) };
  }
  const model = { ...lookupOpenAIModel('gpt-oss:20b')!, price: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } };
  return { model, provider: createChatProvider({ ...common, name: 'ollama', modelInfo: (id) => lookupOpenAIModel(id) ?? permissiveModelInfo(id) }) };
}

async function run(wire: Wire) {
  const { provider, model } = setup(wire);
  const store = new MemoryStore();
  const { events, result } = await drainAgent({ taskId: 'w1', prompt: 'What does a.txt say?', limits: {} }, testDeps({ provider, model, store, workspace: ws, reasoningEffort: 'low' }));
  return { events, result, store };
}

const strip = (e: AgentEvent) => {
  const { seq: _s, time: _t, taskId: _id, ...rest } = e as AgentEvent & Record<string, unknown>;
  return rest;
};

describe('a multi-turn tool task over the Responses API', () => {
  it('round-trips call ids and reasoning items into the next requests exactly', async () => {
    fake.setScript(SCRIPT);
    const { events, result, store } = await run('responses');
    expect(result).toMatchObject({ status: 'succeeded', turns: 3, model: 'gpt-5', stopReason: 'end_turn' });
    expect(result.usage).toEqual({ inputTokens: 100 + 100 + 120, outputTokens: 20 + 30 + 22, cacheReadInputTokens: 400, cacheWriteInputTokens: 0 });
    const [r1, r2, r3] = fake.modelRequests.map((r) => r.body!);
    expect([fake.modelRequests.map((r) => r.path), fake.ranOut]).toEqual([['/v1/responses', '/v1/responses', '/v1/responses'], false]);
    expect({ ...r1, instructions: typeof r1.instructions, tools: r1.tools.map((t: any) => t.name) }).toEqual({
      model: 'gpt-5',
      instructions: 'string',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What does a.txt say?' }] }],
      tools: ['shell', 'read_file', 'write_file', 'edit_file', 'apply_patch', 'list_files', 'search'],
      stream: true,
      store: false,
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
    const reasoningItem1 = { type: 'reasoning', summary: SUMMARY_1.map((t) => ({ type: 'summary_text', text: t })), encrypted_content: 'ENC-ONE' };
    expect(r2.input.slice(0, 4)).toEqual([
      r1.input[0],
      reasoningItem1,
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me look.' }] },
      { type: 'function_call', call_id: 'call_AbC123', name: 'list_files', arguments: '{"path":"."}' },
    ]);
    expect(r2.input[4]).toEqual({ type: 'function_call_output', call_id: 'call_AbC123', output: expect.stringContaining('a.txt') });
    expect(r2.input.length).toBe(5);
    expect(r3.input.slice(0, 5)).toEqual(r2.input);
    expect(r3.input.slice(5)).toEqual([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Now read it.' }], encrypted_content: 'ENC-TWO' },
      { type: 'function_call', call_id: 'call_DeF456', name: 'read_file', arguments: '{"path":"a.txt"}' },
      { type: 'function_call_output', call_id: 'call_DeF456', output: expect.stringMatching(/1\talpha/) },
    ]);
    expect(store.json('w1', 'transcript.json')).toEqual({
      instructions: r3.instructions,
      input: [...r3.input, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'a.txt says alpha.' }] }],
      tools: r3.tools,
    });
    expect(events.filter((e) => e.type === 'tool_call' || e.type === 'reasoning').map(strip)).toEqual([
      { type: 'reasoning', turn: 1, text: SUMMARY_1.join('\n\n'), redacted: false },
      { type: 'tool_call', turn: 1, id: 'call_AbC123', name: 'list_files', input: { path: '.' } },
      { type: 'reasoning', turn: 2, text: 'Now read it.', redacted: false },
      { type: 'tool_call', turn: 2, id: 'call_DeF456', name: 'read_file', input: { path: 'a.txt' } },
    ]);
    expect(fake.modelRequests[0].headers.authorization).toBe('Bearer sk-test');
  });
});

describe('a multi-turn tool task over Chat Completions', () => {
  it('round-trips tool-call ids and reasoning into the next requests exactly', async () => {
    fake.setScript(SCRIPT);
    const { events, result, store } = await run('chat');
    expect(result).toMatchObject({ status: 'succeeded', turns: 3, model: 'gpt-oss:20b', stopReason: 'end_turn', costUsd: 0 });
    expect(result.usage).toEqual({ inputTokens: 320, outputTokens: 72, cacheReadInputTokens: 400, cacheWriteInputTokens: 0 });
    const [r1, r2, r3] = fake.modelRequests.map((r) => r.body!);
    expect(fake.modelRequests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions']);
    expect({ ...r1, messages: r1.messages.map((m: any) => m.role), tools: r1.tools.map((t: any) => t.function.name) }).toEqual({
      model: 'gpt-oss:20b',
      messages: ['system', 'user'],
      tools: ['shell', 'read_file', 'write_file', 'edit_file', 'apply_patch', 'list_files', 'search'],
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: 'low',
    });
    expect(r2.messages.slice(1)).toEqual([
      { role: 'user', content: 'What does a.txt say?' },
      {
        role: 'assistant',
        content: 'Let me look.',
        reasoning: SUMMARY_1.join('\n\n'),
        tool_calls: [{ id: 'call_AbC123', type: 'function', function: { name: 'list_files', arguments: '{"path":"."}' } }],
      },
      { role: 'tool', tool_call_id: 'call_AbC123', content: expect.stringContaining('a.txt') },
    ]);
    expect(r3.messages.slice(0, 4)).toEqual(r2.messages);
    expect(r3.messages.slice(4)).toEqual([
      { role: 'assistant', content: null, reasoning_content: 'Now read it.', tool_calls: [{ id: 'call_DeF456', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } }] },
      { role: 'tool', tool_call_id: 'call_DeF456', content: expect.stringMatching(/1\talpha/) },
    ]);
    expect(store.json('w1', 'transcript.json')).toEqual({ messages: [...r3.messages, { role: 'assistant', content: 'a.txt says alpha.' }], tools: r3.tools });
    expect(events.filter((e) => e.type === 'tool_call').map((e) => (e as { id: string }).id)).toEqual(['call_AbC123', 'call_DeF456']);
    expect(fake.modelRequests[0].headers.authorization).toBeUndefined();
  });
});

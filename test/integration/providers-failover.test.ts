/**
 * Failover across providers mid-task, end to end: the agent loop with the provider the factory
 * builds from a TOML configuration, a throttled fake Bedrock and the fake OpenAI API.
 */
import { drainAgent, testDeps } from '../support/run-loop.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { AgentEvent } from '../../src/task/events.ts';
import { loadConfig } from '../../src/config/index.ts';
import { BUILT_IN_PROVIDERS } from '../../src/config/providers.ts';
import { createProvider, type FactoryConfig } from '../../src/providers/index.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { httpError as bedrockHttpError, reasoning as bedrockReasoning, startFakeBedrock, text as bedrockText, toolUse, type FakeBedrock } from '../support/fake-bedrock.ts';
import { httpError, reasoning, startFakeOpenAI, text, toolCall, type FakeOpenAI } from '../support/fake-openai.ts';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
let bedrock: FakeBedrock;
let openai: FakeOpenAI;
let ws: string;
const clients: BedrockRuntimeClient[] = [];

beforeEach(async () => {
  bedrock = await startFakeBedrock();
  openai = await startFakeOpenAI();
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'providers-failover-'));
  fs.writeFileSync(path.join(ws, 'a.txt'), 'alpha\n');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await bedrock.close();
  await openai.close();
  fs.rmSync(ws, { recursive: true, force: true });
});

/**
 * The config from TOML, with the fake's URL as the OpenAI base URL. (ResolvedConfig carries only
 * the primary provider's table; `providers` gives the factory the failover target's.)
 */
function configFrom(text: string): FactoryConfig {
  const { config } = loadConfig({ text, env: {}, strict: true });
  return { ...config, providers: { ...BUILT_IN_PROVIDERS, [config.provider]: config.providerConfig, openai: { ...BUILT_IN_PROVIDERS.openai, baseUrl: `${openai.url}/v1`, requestMaxRetries: 2 } } };
}

async function run(config: FactoryConfig) {
  const sleeps: number[] = [];
  const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url, OPENAI_API_KEY: 'sk-test-failover' };
  const { provider, model } = createProvider(config, {
    env,
    bedrockClient: (o) => {
      const c = new BedrockRuntimeClient({ region: o.region, endpoint: o.endpoint, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
  const store = new MemoryStore();
  const { events, result } = await drainAgent({ taskId: 'f1', prompt: 'Copy a.txt to b.txt with beta.', limits: {} }, testDeps({ provider, model, store, workspace: ws }));
  return { events, result, store, sleeps, provider };
}

const typeAndBody = (e: AgentEvent) => {
  const { seq: _s, time: _t, taskId: _id, ...rest } = e as AgentEvent & Record<string, unknown>;
  return rest;
};

describe('failover from a throttled Bedrock to OpenAI', () => {
  it('continues the task on OpenAI mid-turn and completes with one transcript', async () => {
    const throttle = () => bedrockHttpError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
    bedrock.setScript([[bedrockReasoning('Read a.txt first.', 'claude-signature-1'), toolUse('tooluse_R1', 'read_file', { path: 'a.txt' })], throttle(), throttle(), throttle()]);
    openai.setScript([[reasoning('Write b.txt now.', { encrypted: 'ENC-W' }), toolCall('call_W1', 'write_file', { path: 'b.txt', content: 'beta\n' })], [text('b.txt written.')]]);
    const config = configFrom(`model_provider = "amazon-bedrock"\nmodel = "${CLAUDE}"\nfailover = [{ provider = "openai", model = "gpt-5" }]\n[model_providers.amazon-bedrock]\nrequest_max_retries = 2\n`);
    const { events, result, store, sleeps, provider } = await run(config);

    expect(result).toMatchObject({ status: 'succeeded', turns: 3, stopReason: 'end_turn', failovers: [{ from: `amazon-bedrock/${CLAUDE}`, to: 'openai/gpt-5' }] });
    expect(events.filter((e) => ['retry', 'failover', 'tool_call', 'turn_started'].includes(e.type)).map(typeAndBody)).toEqual([
      { type: 'turn_started', turn: 1 },
      { type: 'tool_call', turn: 1, id: 'tooluse_R1', name: 'read_file', input: { path: 'a.txt' } },
      { type: 'turn_started', turn: 2 },
      { type: 'retry', attempt: 1, waitMs: 500, error: { code: 'throttled', message: 'ThrottlingException: Too many requests, please wait before trying again.' } },
      { type: 'retry', attempt: 2, waitMs: 1000, error: { code: 'throttled', message: 'ThrottlingException: Too many requests, please wait before trying again.' } },
      { type: 'failover', from: `amazon-bedrock/${CLAUDE}`, to: 'openai/gpt-5', error: { code: 'throttled', message: 'ThrottlingException: Too many requests, please wait before trying again.' } },
      { type: 'tool_call', turn: 2, id: 'call_W1', name: 'write_file', input: { path: 'b.txt', content: 'beta\n' } },
      { type: 'turn_started', turn: 3 },
    ]);
    expect(sleeps).toEqual([500, 1000]);
    expect([bedrock.modelRequests.length, openai.modelRequests.length]).toEqual([4, 2]);
    expect(fs.readFileSync(path.join(ws, 'b.txt'), 'utf8')).toBe('beta\n');
    expect(provider.activeModel?.().id).toBe('gpt-5');

    // OpenAI got the whole conversation: Bedrock's tool-use id as the call id, Claude's reasoning left out.
    const first = openai.modelRequests[0].body!;
    expect(first.model).toBe('gpt-5');
    expect(first.input.map((i: any) => i.type)).toEqual(['message', 'function_call', 'function_call_output']);
    expect(first.input[1]).toEqual({ type: 'function_call', call_id: 'tooluse_R1', name: 'read_file', arguments: '{"path":"a.txt"}' });
    expect(first.input[2]).toEqual({ type: 'function_call_output', call_id: 'tooluse_R1', output: expect.stringMatching(/1\talpha/) });

    // One transcript, in the wire form of the provider that finished the run.
    const last = openai.modelRequests[1].body!;
    expect(last.input.slice(3)).toEqual([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Write b.txt now.' }], encrypted_content: 'ENC-W' },
      { type: 'function_call', call_id: 'call_W1', name: 'write_file', arguments: '{"path":"b.txt","content":"beta\\n"}' },
      { type: 'function_call_output', call_id: 'call_W1', output: expect.any(String) },
    ]);
    expect(store.json('f1', 'transcript.json')).toEqual({ instructions: last.instructions, input: [...last.input, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'b.txt written.' }] }], tools: last.tools });
    expect(store.json('f1', 'result.json').failovers).toEqual([{ from: `amazon-bedrock/${CLAUDE}`, to: 'openai/gpt-5' }]);
    await expect(store.get('f1', 'diff.patch')).resolves.toContain('b.txt');
  });

  it('fails over the other way, OpenAI down to Bedrock, without sending OpenAI reasoning to Bedrock', async () => {
    openai.setScript([[reasoning('List first.', { encrypted: 'ENC-L' }), toolCall('call_L1', 'list_files', {})], httpError(503, { message: 'down' }), httpError(503, { message: 'down' }), httpError(503, { message: 'down' })]);
    bedrock.setScript([[bedrockText('Only a.txt.')]]);
    const config = configFrom(`model_provider = "openai"\nmodel = "gpt-5"\nfailover = [{ provider = "amazon-bedrock", model = "${CLAUDE}" }]\n`);
    const { result, store } = await run(config);
    expect(result).toMatchObject({ status: 'succeeded', turns: 2, failovers: [{ from: 'openai/gpt-5', to: `amazon-bedrock/${CLAUDE}` }] });
    const body = bedrock.modelRequests[0].body!;
    expect(bedrock.modelRequests[0].modelId).toBe(CLAUDE);
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ toolUse: { toolUseId: 'call_L1', name: 'list_files', input: {} } }] });
    expect(body.messages[2].content[0].toolResult.toolUseId).toBe('call_L1');
    expect(store.json('f1', 'transcript.json').messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'Only a.txt.' }] });
  });

  it('ends the run failed when the last entry fails too', async () => {
    bedrock.setScript([bedrockHttpError(503, 'ServiceUnavailableException', 'busy'), bedrockHttpError(503, 'ServiceUnavailableException', 'busy'), bedrockHttpError(503, 'ServiceUnavailableException', 'busy')]);
    openai.setScript([httpError(429, { code: 'insufficient_quota', message: 'You exceeded your current quota' })]);
    const config = configFrom(`model = "${CLAUDE}"\nfailover = [{ provider = "openai", model = "gpt-5" }]\n[model_providers.amazon-bedrock]\nrequest_max_retries = 2\n`);
    const { result } = await run(config);
    expect(result).toMatchObject({ status: 'failed', turns: 1, error: { code: 'quota_exceeded', message: 'insufficient_quota: You exceeded your current quota' }, failovers: [{ from: `amazon-bedrock/${CLAUDE}`, to: 'openai/gpt-5' }] });
    expect(openai.modelRequests.length).toBe(1);
  });
});

/**
 * Transport faults between the real Bedrock SDK client and the fake Bedrock over loopback, over
 * HTTP/2 (the SDK default) and HTTP/1.1: each is retried under the shared policy with a `retry`
 * event of a documented code, and the turn then succeeds; retries that run out end with the
 * closed code, never a JavaScript class name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { delay, goaway, httpError, stall, startFakeBedrock, text, type FakeBedrock, type Turn } from '../support/fake-bedrock.ts';
import { fakeBedrockClient, type ClientProtocol } from '../support/fake-bedrock-client.ts';
import { createBedrockProvider, createProvider, modelErrorCode, ProviderError, type BedrockProviderOptions, type ModelProvider, type StreamEvent } from '../../src/providers/index.ts';
import { MessageAssembler } from '../../src/agent/assembler.ts';
import { loadConfig } from '../../src/config/index.ts';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const request = { model: CLAUDE, system: 'sys', messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'go' }] }], tools: [] };

let fake: FakeBedrock | undefined;
const clients: BedrockRuntimeClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await fake?.close();
  fake = undefined;
});

async function setup(script: Turn[], protocol: ClientProtocol, opts: Partial<BedrockProviderOptions> & { onSleep?: () => Promise<void> } = {}) {
  fake = await startFakeBedrock({ script });
  const client = fakeBedrockClient(fake, protocol);
  clients.push(client);
  const sleeps: number[] = [];
  const { onSleep, ...rest } = opts;
  const provider = createBedrockProvider({
    client,
    region: 'us-east-1',
    sleep: async (ms) => {
      sleeps.push(ms);
      await onSleep?.();
    },
    random: () => 0.5,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    ...rest,
  });
  return { fake, provider, sleeps };
}

async function turn(provider: ModelProvider) {
  const events: StreamEvent[] = [];
  let error: unknown;
  try {
    for await (const e of provider.stream(request)) events.push(e);
  } catch (err) {
    error = err;
  }
  const a = new MessageAssembler();
  for (const e of events) {
    if (e.type === 'retry') a.reset();
    else a.add(e);
  }
  const retries = events.flatMap((e) => (e.type === 'retry' ? [{ attempt: e.attempt, code: e.error.code, message: e.error.message }] : []));
  return { answer: a.message().content, retries, error };
}

describe.each(['h2', 'http1'] as ClientProtocol[])('transport faults over %s', (protocol) => {
  it('retries a connection reset (RST) as soon as it was accepted, then succeeds', async () => {
    const { fake, provider, sleeps } = await setup([[text('after the reset')]], protocol);
    fake.faults.resetNext(1);
    const { answer, retries, error } = await turn(provider);
    expect({ error, answer, retries: retries.map((r) => [r.attempt, r.code]), sleeps, resets: fake.faults.resets, requests: fake.modelRequests.length }).toEqual({
      error: undefined,
      answer: [{ type: 'text', text: 'after the reset' }],
      retries: [[1, 'network_error']],
      sleeps: [50],
      resets: 1,
      requests: 1,
    });
  });

  it('retries a refused connection, then succeeds once the endpoint listens again', async () => {
    let reopened = false;
    const { fake, provider } = await setup([[text('listening again')]], protocol, {
      onSleep: async () => {
        reopened = true;
        await fake!.faults.accept();
      },
    });
    fake.faults.refuse();
    const { answer, retries, error } = await turn(provider);
    expect({ error, answer, reopened, retries: retries.map((r) => [r.attempt, r.code, /ECONNREFUSED/.test(r.message)]) }).toEqual({
      error: undefined,
      answer: [{ type: 'text', text: 'listening again' }],
      reopened: true,
      retries: [[1, 'network_error', true]],
    });
  });

  it('aborts a call whose response headers do not come within the first-byte timeout, and calls again', async () => {
    const { fake, provider } = await setup([[stall(60_000), text('never sent')], [text('on time')]], protocol, { timeouts: { firstByteMs: 300 } });
    const { answer, retries, error } = await turn(provider);
    expect({ error, answer, retries }).toEqual({
      error: undefined,
      answer: [{ type: 'text', text: 'on time' }],
      retries: [{ attempt: 1, code: 'model_timeout', message: `FirstByteTimeout: ${CLAUDE}: ConverseStream: no response within 300 ms` }],
    });
    // The stalled answer was given up on, not waited out.
    expect([fake.modelRequests.length, fake.modelRequests[0].response?.completed]).toEqual([2, false]);
  });

  it('aborts a stream silent past the idle timeout, and calls again', async () => {
    const { fake, provider } = await setup([[text('half an answer'), delay(60_000), text('never sent')], [text('whole answer')]], protocol, { timeouts: { idleMs: 300 } });
    const { answer, retries, error } = await turn(provider);
    expect({ error, answer, retries }).toEqual({
      error: undefined,
      answer: [{ type: 'text', text: 'whole answer' }],
      retries: [{ attempt: 1, code: 'model_timeout', message: `StreamIdleTimeout: ${CLAUDE}: ConverseStream: no data for 300 ms` }],
    });
    expect([fake.modelRequests.length, fake.modelRequests[0].response?.completed]).toEqual([2, false]);
  });

  it('retries a connection ended by the server (HTTP/2 GOAWAY) mid-answer', async () => {
    const { provider } = await setup([[text('cut short'), goaway()], [text('complete')]], protocol);
    const { answer, retries, error } = await turn(provider);
    expect({ error, answer, codes: retries.map((r) => r.code) }).toEqual({ error: undefined, answer: [{ type: 'text', text: 'complete' }], codes: ['network_error'] });
  });

  it('retries a bare HTTP 500 whose error type it does not know', async () => {
    const { provider } = await setup([httpError(500, undefined, 'something broke'), [text('fine now')]], protocol);
    const { answer, retries, error } = await turn(provider);
    expect({ error, answer, retries: retries.map((r) => [r.attempt, r.code]) }).toEqual({ error: undefined, answer: [{ type: 'text', text: 'fine now' }], retries: [[1, 'service_unavailable']] });
  });

  it('ends with the closed code network_error once the retries are spent', async () => {
    const { fake, provider } = await setup([[text('unreachable')]], protocol, { maxRetries: 2 });
    fake.faults.resetNext(3);
    const { retries, error } = await turn(provider);
    const err = error as ProviderError;
    expect({ retries: retries.length, name: err.name, code: modelErrorCode(err), attempts: err.attempts, retryable: err.retryable }).toEqual({
      retries: 2,
      name: 'ProviderError',
      code: 'network_error',
      attempts: 3,
      retryable: true,
    });
  });
});

describe('timeouts from the configuration', () => {
  it('takes stream_first_byte_timeout_ms and stream_idle_timeout_ms from [model_providers.amazon-bedrock]', async () => {
    fake = await startFakeBedrock({ script: [[stall(60_000), text('never sent')], [text('half'), delay(60_000), text('never sent')], [text('in time')]] });
    const toml = '[model_providers.amazon-bedrock]\nstream_first_byte_timeout_ms = 250\nstream_idle_timeout_ms = 350\n';
    const { config } = loadConfig({ text: toml, env: {}, strict: true });
    const { provider } = createProvider(config, {
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url },
      bedrockClient: () => {
        const c = fakeBedrockClient(fake!);
        clients.push(c);
        return c;
      },
      sleep: async () => undefined,
      random: () => 0.5,
    });
    const { answer, retries, error } = await turn(provider);
    expect({ error, answer, retries: retries.map((r) => r.message) }).toEqual({
      error: undefined,
      answer: [{ type: 'text', text: 'in time' }],
      retries: [`FirstByteTimeout: ${CLAUDE}: ConverseStream: no response within 250 ms`, `StreamIdleTimeout: ${CLAUDE}: ConverseStream: no data for 350 ms`],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createTaskSettings, TaskSettingsError } from '../../../src/worker/index.ts';
import type { BedrockClientOptions } from '../../../src/providers/index.ts';
import type { ModelRequest } from '../../../src/providers/types.ts';
import type { Task } from '../../../src/task/types.ts';

const task = (over: Partial<Task> = {}): Task => ({ taskId: 't', prompt: 'p', limits: {}, ...over });
const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const KEYS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:provider-keys';
const CONFIG = [
  '[profiles.openai]', 'model_provider = "openai"', 'model = "gpt-5"',
  '[profiles.chain]', `failover = [{ provider = "openai", model = "gpt-5-mini" }]`,
].join('\n');

async function settingsError(p: Promise<unknown>): Promise<TaskSettingsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof TaskSettingsError) return err;
  throw err ?? new Error('expected a TaskSettingsError');
}

/** A worker configuration with OpenAI keys in a JSON secret, recording secret reads, Bedrock clients and HTTP calls. */
function deployed(keys: () => string = () => JSON.stringify({ OPENAI_API_KEY: 'sk-from-secrets' })) {
  const env: Record<string, string | undefined> = { AWS_REGION: 'us-east-1', PROVIDER_SECRETS_ARN: KEYS_ARN };
  const reads: string[] = [];
  const clients: BedrockClientOptions[] = [];
  const calls: { url: string; authorization: string }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, authorization: (init.headers as Record<string, string>).authorization });
    const sse = 'event: response.completed\ndata: {"type":"response.completed","response":{"usage":{"input_tokens":1,"output_tokens":1}}}\n\n';
    return new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as unknown as typeof globalThis.fetch;
  const worker = createTaskSettings({
    env,
    configText: CONFIG,
    readSecret: async (arn) => {
      reads.push(arn);
      return keys();
    },
    bedrockClient: (o) => {
      clients.push(o);
      return new BedrockRuntimeClient({ region: o.region, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' } });
    },
    fetch,
  });
  return { ...worker, env, reads, clients, calls };
}

async function call(provider: { stream(r: ModelRequest): AsyncIterable<unknown> }, model: string): Promise<void> {
  for await (const _ of provider.stream({ model, system: 's', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools: [] }));
}

describe('createTaskSettings', () => {
  it('takes the model and limits from the function environment, with the task on top', async () => {
    const { settings, defaultModel } = createTaskSettings({ env: { MODEL_ID: HAIKU, MAX_TURNS: '9', MAX_COST_USD: '0.5', TIMEOUT_SECONDS: '600' } });
    expect(defaultModel).toBe(HAIKU);
    const a = await settings(task());
    expect([a.model.id, a.limits, a.provider?.name]).toEqual([HAIKU, { maxTurns: 9, maxCostUsd: 0.5, timeoutSeconds: 600 }, 'amazon-bedrock']);
    const b = await settings(task({ model: SONNET, limits: { maxTurns: 3 } }));
    expect([b.model.id, b.limits]).toEqual([SONNET, { maxTurns: 3, maxCostUsd: 0.5, timeoutSeconds: 600 }]);
  });

  it('applies a profile of the deployed configuration', async () => {
    const { settings } = createTaskSettings({
      env: {},
      configText: `[profiles.cheap]\nmodel = "${HAIKU}"\n[profiles.cheap.limits]\nmax_turns = 4\n`,
    });
    const s = await settings(task({ profile: 'cheap' }));
    expect([s.model.id, s.limits.maxTurns]).toEqual([HAIKU, 4]);
  });

  it("takes the environment's model and limits as defaults that a profile refines", async () => {
    const { settings, defaultModel } = createTaskSettings({
      env: { MODEL_ID: SONNET, MAX_TURNS: '9', MAX_COST_USD: '0.5', TIMEOUT_SECONDS: '600' },
      configText: `[profiles.cheap]\nmodel = "${HAIKU}"\n[profiles.cheap.limits]\nmax_turns = 4\n`,
    });
    const limitsOf = async (t: Task) => {
      const s = await settings(t);
      return [s.model.id, s.limits];
    };
    expect(defaultModel).toBe(SONNET);
    expect(await limitsOf(task({ profile: 'cheap' }))).toEqual([HAIKU, { maxTurns: 4, maxCostUsd: 0.5, timeoutSeconds: 600 }]);
    expect(await limitsOf(task({ profile: 'cheap', model: SONNET, limits: { maxTurns: 2 } }))).toEqual([SONNET, { maxTurns: 2, maxCostUsd: 0.5, timeoutSeconds: 600 }]);
  });

  it('rejects a model without tool use or an unknown profile, naming the field', async () => {
    const { settings } = createTaskSettings({ env: {} });
    const model = await settingsError(settings(task({ model: 'cohere.command-text-v14' })));
    const profile = await settingsError(settings(task({ profile: 'nope' })));
    expect([model.field, profile.field]).toEqual(['model', 'profile']);
    expect(profile.message).toMatch(/unknown profile nope/);
  });

  it('refuses to start with a broken environment', () => {
    expect(() => createTaskSettings({ env: { MAX_TURNS: 'many' } })).toThrow(/MAX_TURNS/);
  });
});

describe('createTaskSettings: providers', () => {
  it("runs a profile's OpenAI provider with the key from the secret, which never enters the environment", async () => {
    const w = deployed();
    const before = { ...w.env };
    const s = await w.settings(task({ profile: 'openai' }));
    expect([s.provider?.name, s.model.id, s.model.price]).toEqual(['openai', 'gpt-5', { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 }]);
    await call(s.provider!, 'gpt-5');
    expect(w.calls).toEqual([{ url: 'https://api.openai.com/v1/responses', authorization: 'Bearer sk-from-secrets' }]);
    expect(w.reads).toEqual([KEYS_ARN]);
    expect(w.env).toEqual(before);
  });

  it('builds a provider once per configuration and a Bedrock client once per Region, whatever the model', async () => {
    const w = deployed();
    const [a, b] = [await w.settings(task({ profile: 'openai' })), await w.settings(task({ profile: 'openai', limits: { maxTurns: 2 } }))];
    expect(a.provider).toBe(b.provider);
    await w.settings(task());
    await w.settings(task({ model: HAIKU }));
    await w.settings(task({ profile: 'chain' }));
    expect(w.clients).toEqual([{ region: 'us-east-1' }]);
    // Bedrock needs no key: only the OpenAI profiles read the secret (the caller's reader caches it).
    expect(w.reads).toEqual([KEYS_ARN, KEYS_ARN, KEYS_ARN]);
  });

  it('gives every task of a failover chain its own provider, starting at the primary', async () => {
    const w = deployed();
    const [a, b] = [await w.settings(task({ profile: 'chain' })), await w.settings(task({ profile: 'chain' }))];
    expect(a.provider).not.toBe(b.provider);
    expect([a.model.id, a.provider?.activeModel?.().id, b.provider?.activeModel?.().id]).toEqual([SONNET, SONNET, SONNET]);
  });

  it('picks up a rotated key with a new provider', async () => {
    let key = 'sk-old';
    const w = deployed(() => JSON.stringify({ OPENAI_API_KEY: key }));
    const a = await w.settings(task({ profile: 'openai' }));
    key = 'sk-new';
    const b = await w.settings(task({ profile: 'openai' }));
    expect(b.provider).not.toBe(a.provider);
    await call(b.provider!, 'gpt-5');
    expect(w.calls.map((c) => c.authorization)).toEqual(['Bearer sk-new']);
  });

  it('rejects a task whose provider has no key, saying where the worker looks for it', async () => {
    const w = deployed(() => JSON.stringify({ OTHER_KEY: 'x' }));
    const err = await settingsError(w.settings(task({ profile: 'openai' })));
    expect([err.field, err.message]).toEqual(['profile', 'the openai provider needs an API key, and the worker has none: put OPENAI_API_KEY in the JSON secret named by PROVIDER_SECRETS_ARN (or set OPENAI_API_KEY_SECRET_ARN)']);
    const bad = await settingsError(deployed(() => 'sk-plain').settings(task({ profile: 'openai' })));
    expect([bad.field, bad.message]).toEqual(['profile', 'the secret named by PROVIDER_SECRETS_ARN is not a JSON object of API keys (e.g. {"OPENAI_API_KEY": "sk-..."})']);
  });

  it('lets a failed secret read through as a host fault, so the message is retried', async () => {
    const w = deployed(() => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    await expect(w.settings(task({ profile: 'openai' }))).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
  });
});

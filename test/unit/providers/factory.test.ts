import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { loadConfig, type ConfigOverrides } from '../../../src/config/index.ts';
import { createProvider, modelInfoFor, ProviderSetupError, providerKeysFromSecrets, type ProviderDeps } from '../../../src/providers/factory.ts';
import { BUILT_IN_PROVIDERS } from '../../../src/config/providers.ts';
import { ModelNotSupportedError } from '../../../src/providers/errors.ts';
import type { BedrockClientOptions } from '../../../src/providers/bedrock/client.ts';
import type { ModelRequest } from '../../../src/providers/types.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), 'utf8');
const ENV = { AWS_REGION: 'us-east-1', OPENAI_API_KEY: 'sk-test-openai' };

/** Loads `text` with `profile`, builds the provider, and reports what was built. */
function build(text: string, opts: { profile?: string; env?: Record<string, string | undefined>; overrides?: ConfigOverrides } = {}) {
  const env = opts.env ?? ENV;
  const { config } = loadConfig({ text, profile: opts.profile, env, overrides: opts.overrides, strict: true });
  const clients: BedrockClientOptions[] = [];
  const deps: ProviderDeps = {
    env,
    bedrockClient: (o) => {
      clients.push(o);
      return new BedrockRuntimeClient({ region: o.region ?? 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'x' } });
    },
  };
  const setup = createProvider(config, deps);
  return { config, setup, clients, summary: { provider: setup.provider.name, model: setup.model.id, chain: setup.chain.map((c) => c.label), reasoningEffort: config.reasoningEffort } };
}

describe('the seed\'s configuration examples select the intended provider and model', () => {
  it('profile switching: the default OpenAI profile', () => {
    const { summary, setup } = build(fixture('profile-switching.toml'));
    expect(summary).toEqual({ provider: 'openai', model: 'o3', chain: ['openai/o3'], reasoningEffort: undefined });
    expect(setup.model).toMatchObject({ family: 'o3', reasoning: true, price: { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 0 } });
  });

  it('profile switching: bedrock, with its named AWS profile', () => {
    const { summary, clients } = build(fixture('profile-switching.toml'), { profile: 'bedrock' });
    expect(summary).toEqual({ provider: 'amazon-bedrock', model: 'anthropic.claude-sonnet-4-20250514', chain: ['amazon-bedrock/anthropic.claude-sonnet-4-20250514'], reasoningEffort: undefined });
    expect(clients).toEqual([{ region: 'us-east-1', profile: 'agent-runner-bedrock' }]);
  });

  it('profile switching: bedrock-cheap, with low reasoning effort', () => {
    const { summary, setup, clients } = build(fixture('profile-switching.toml'), { profile: 'bedrock-cheap', env: { AWS_REGION: 'eu-west-1' } });
    expect(summary).toEqual({ provider: 'amazon-bedrock', model: 'anthropic.claude-haiku-3-20250722', chain: ['amazon-bedrock/anthropic.claude-haiku-3-20250722'], reasoningEffort: 'low' });
    expect([setup.model.family, setup.model.toolUse]).toEqual(['claude-3-haiku', true]);
    expect(clients).toEqual([{ region: 'eu-west-1' }]);
  });

  it('credits burn-down: Bedrock by default, OpenAI o3 with high effort for heavy work', () => {
    expect(build(fixture('credits-burn-down.toml')).summary).toEqual({ provider: 'amazon-bedrock', model: 'anthropic.claude-sonnet-4-20250514', chain: ['amazon-bedrock/anthropic.claude-sonnet-4-20250514'], reasoningEffort: undefined });
    expect(build(fixture('credits-burn-down.toml'), { profile: 'heavy' }).summary).toEqual({ provider: 'openai', model: 'o3', chain: ['openai/o3'], reasoningEffort: 'high' });
  });

  it('data residency: Bedrock through the EU AWS profile, sandbox recorded', () => {
    const { summary, clients, config } = build(fixture('data-residency.toml'), { env: {} });
    expect(summary).toEqual({ provider: 'amazon-bedrock', model: 'anthropic.claude-sonnet-4-20250514', chain: ['amazon-bedrock/anthropic.claude-sonnet-4-20250514'], reasoningEffort: undefined });
    // No Region named anywhere: the SDK takes it from the AWS profile.
    expect(clients).toEqual([{ profile: 'eu-west-agent-runner' }]);
    expect(config.sandbox).toBe('strict');
  });

  it('minimal and named AWS profile setups', () => {
    expect(build(fixture('minimal.toml')).clients).toEqual([{ region: 'us-east-1' }]);
    expect(build(fixture('named-aws-profile.toml')).clients).toEqual([{ region: 'us-east-1', profile: 'agent-runner-bedrock' }]);
  });

  it('the full example: a Bedrock failover chain across models and Regions', () => {
    const { summary, clients } = build(fixture('full.toml'));
    expect(summary).toEqual({
      provider: 'amazon-bedrock',
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      chain: ['amazon-bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'amazon-bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0', 'amazon-bedrock/us.amazon.nova-pro-v1:0@us-west-2'],
      reasoningEffort: 'medium',
    });
    // stream_idle_timeout_ms is the provider's own watch over each call, not the client's.
    expect(clients).toEqual([
      { region: 'eu-central-1', profile: 'work' },
      { region: 'us-west-2', profile: 'work' },
    ]);
  });
});

describe('createProvider', () => {
  it('refuses a provider whose API key is missing, in one line naming the variable', () => {
    let err: unknown;
    try {
      build(fixture('profile-switching.toml'), { env: { AWS_REGION: 'us-east-1', OPENAI_API_KEY: '  ' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderSetupError);
    expect({ ...(err as ProviderSetupError), message: (err as Error).message }).toEqual({ name: 'ProviderSetupError', code: 'missing_api_key', provider: 'openai', envKey: 'OPENAI_API_KEY', message: 'the openai provider needs an API key: set OPENAI_API_KEY (or choose another profile)' });
  });

  it('builds a failover chain from Bedrock to OpenAI, checking the failover entry\'s key too', () => {
    const text = 'model_provider = "amazon-bedrock"\nmodel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"\nfailover = [{ provider = "openai", model = "gpt-5" }]\n';
    const { setup } = build(text);
    expect(setup.chain.map((c) => [c.label, c.provider, c.wire, c.model.id])).toEqual([
      ['amazon-bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'amazon-bedrock', 'converse', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
      ['openai/gpt-5', 'openai', 'responses', 'gpt-5'],
    ]);
    expect(setup.provider.activeModel?.().id).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(() => build(text, { env: { AWS_REGION: 'us-east-1' } })).toThrow('failover[0]: the openai provider needs an API key: set OPENAI_API_KEY (or choose another profile)');
  });

  it('uses local servers without a key, at no cost, and trusts the user with unknown local models', () => {
    const text = '[profiles.local]\nmodel_provider = "ollama"\nmodel = "gpt-oss:20b"\n[profiles.studio]\nmodel_provider = "lmstudio"\nmodel = "qwen/qwen3-coder-30b"\n';
    const local = build(text, { profile: 'local', env: {} }).setup;
    expect([local.provider.name, local.model.family, local.model.price]).toEqual(['ollama', 'gpt-oss-20b', { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }]);
    const studio = build(text, { profile: 'studio', env: {} }).setup;
    expect([studio.provider.name, studio.model.family, studio.model.toolUse]).toEqual(['lmstudio', 'custom', true]);
  });

  it('refuses unknown models on the hosted OpenAI API and Bedrock models without tool use', () => {
    expect(() => build('model_provider = "openai"\nmodel = "davinci-002"\n')).toThrow(ModelNotSupportedError);
    expect(() => build('model_provider = "openai"\nmodel = "davinci-002"\n')).toThrow('model davinci-002 is not a known OpenAI model with tool use');
    expect(() => build('model = "meta.llama2-70b-chat-v1"\n')).toThrow(ModelNotSupportedError);
  });

  it('refuses a Region on a failover entry that is not Bedrock', () => {
    expect(() => build('failover = [{ provider = "openai", model = "gpt-5", region = "us-west-2" }]\n')).toThrow('failover[0]: region applies only to amazon-bedrock entries, not openai');
  });

  it('sends a custom provider\'s key and headers to its base URL', async () => {
    const seen: { url: string; headers: Record<string, string>; body: any }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(String(init.body)) });
      const sse = 'event: response.completed\ndata: {"type":"response.completed","response":{"usage":{"input_tokens":3,"output_tokens":1}}}\n\n';
      return new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }) as unknown as typeof fetch;
    const { config } = loadConfig({ text: fixture('full.toml'), env: {}, overrides: { provider: 'corp-gateway', model: 'gpt-5' } });
    const setup = createProvider(config, { env: { CORP_LLM_KEY: 'corp-secret' }, fetch: fakeFetch });
    const req: ModelRequest = { model: setup.model.id, system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools: [] };
    const events = [];
    for await (const e of setup.provider.stream(req)) events.push(e);
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { inputTokens: 3, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } });
    expect(seen.map((s) => [s.url, s.headers.authorization, s.headers['X-Team'], s.body.model, s.body.store])).toEqual([['https://llm.example.com/v1/responses', 'Bearer corp-secret', 'platform', 'gpt-5', false]]);
    expect(setup.model.price.input).toBe(1.25);
  });

  it("sends a failover target's calls to its customised base URL, and starts each run at the primary again", async () => {
    const seen: { url: string; authorization: string | undefined }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, authorization: (init.headers as Record<string, string>).authorization });
      if (url.startsWith('http://localhost:11434/')) return new Response('{"error":{"message":"overloaded"}}', { status: 503, headers: { 'content-type': 'application/json' } });
      const sse = 'event: response.completed\ndata: {"type":"response.completed","response":{"usage":{"input_tokens":3,"output_tokens":1}}}\n\n';
      return new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }) as unknown as typeof fetch;
    const text = [
      'model_provider = "ollama"', 'model = "gpt-oss:20b"', 'failover = [{ provider = "openai", model = "gpt-5" }]',
      '[model_providers.ollama]', 'request_max_retries = 0',
      '[model_providers.openai]', 'base_url = "https://gateway.example.com/openai/v1"',
    ].join('\n');
    const { config } = loadConfig({ text, env: {}, strict: true });
    const setup = createProvider(config, { env: ENV, fetch: fakeFetch });
    const req: ModelRequest = { model: setup.model.id, system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools: [] };
    const types = [];
    for await (const e of setup.provider.stream(req)) types.push(e.type);
    expect(types).toEqual(['failover', 'message_start', 'message_stop', 'usage']);
    expect(seen).toEqual([
      { url: 'http://localhost:11434/v1/chat/completions', authorization: undefined },
      { url: 'https://gateway.example.com/openai/v1/responses', authorization: 'Bearer sk-test-openai' },
    ]);
    // The chain stays on OpenAI for the rest of this run; a new run starts on Ollama.
    expect([setup.provider.activeModel?.().id, setup.forRun().activeModel?.().id]).toEqual(['gpt-5', 'gpt-oss:20b']);
  });

  it('reads model facts per provider', () => {
    expect(modelInfoFor('ollama', BUILT_IN_PROVIDERS.ollama, 'gpt-5').price.input).toBe(0);
    expect(modelInfoFor('gw', { name: 'gw', baseUrl: 'http://127.0.0.1:8000/v1', wireApi: 'chat', httpHeaders: {} }, 'gpt-4.1').price.input).toBe(0);
    expect(modelInfoFor('gw', { name: 'gw', baseUrl: 'https://gw.example.com/v1', wireApi: 'chat', httpHeaders: {} }, 'gpt-4.1').price.input).toBe(2);
  });
});

describe('providerKeysFromSecrets', () => {
  it('reads the keys the chain needs from the secrets named by NAME_SECRET_ARN, and nothing else', async () => {
    const { config } = loadConfig({ text: 'failover = [{ provider = "openai", model = "gpt-5" }]\n', env: {} });
    const reads: string[] = [];
    const read = async (arn: string) => {
      reads.push(arn);
      return ' sk-from-secrets \n';
    };
    const env = { OPENAI_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:openai', GITHUB_TOKEN_SECRET_ARN: 'arn:other' };
    expect(await providerKeysFromSecrets(config, env, read)).toEqual({ OPENAI_API_KEY: 'sk-from-secrets' });
    expect(reads).toEqual(['arn:aws:secretsmanager:us-east-1:123456789012:secret:openai']);
    expect(await providerKeysFromSecrets(config, { ...env, OPENAI_API_KEY: 'set' }, read)).toEqual({});
  });

  it('takes keys from one JSON secret under PROVIDER_SECRETS_ARN, read once, after any NAME_SECRET_ARN', async () => {
    const { config } = loadConfig({ text: fixture('full.toml'), env: {}, overrides: { provider: 'corp-gateway', model: 'gpt-5', failover: [{ provider: 'openai', model: 'gpt-5' }] } });
    const reads: string[] = [];
    const secrets: Record<string, string> = {
      'arn:keys': JSON.stringify({ OPENAI_API_KEY: 'sk-shared', CORP_LLM_KEY: 'corp-shared', UNUSED_KEY: 'x' }),
      'arn:corp': 'corp-own\n',
    };
    const read = async (arn: string) => {
      reads.push(arn);
      return secrets[arn];
    };
    expect(await providerKeysFromSecrets(config, { PROVIDER_SECRETS_ARN: 'arn:keys' }, read)).toEqual({ CORP_LLM_KEY: 'corp-shared', OPENAI_API_KEY: 'sk-shared' });
    expect(reads).toEqual(['arn:keys']);
    reads.length = 0;
    expect(await providerKeysFromSecrets(config, { PROVIDER_SECRETS_ARN: 'arn:keys', CORP_LLM_KEY_SECRET_ARN: 'arn:corp' }, read)).toEqual({ CORP_LLM_KEY: 'corp-own', OPENAI_API_KEY: 'sk-shared' });
    expect(reads).toEqual(['arn:corp', 'arn:keys']);
  });

  it('refuses a shared secret that is not a JSON object, without quoting it', async () => {
    const { config } = loadConfig({ text: 'model_provider = "openai"\nmodel = "gpt-5"\n', env: {} });
    const err = await providerKeysFromSecrets(config, { PROVIDER_SECRETS_ARN: 'arn:keys' }, async () => 'sk-not-json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderSetupError);
    expect({ ...(err as ProviderSetupError), message: (err as Error).message }).toEqual({
      name: 'ProviderSetupError',
      code: 'invalid_secret',
      provider: 'openai',
      envKey: undefined,
      message: 'the secret named by PROVIDER_SECRETS_ARN is not a JSON object of API keys (e.g. {"OPENAI_API_KEY": "sk-..."})',
    });
  });
});

/**
 * Providers in the worker, end to end on loopback: the real processBatch with the settings the
 * worker's edge builds (functions/lib/providers.ts) from its environment and deployed TOML, the
 * OpenAI key in a local Secrets Manager, the fake OpenAI API (which refuses any other key) and a
 * fake Bedrock that throttles.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerSettings } from '../../functions/lib/providers.ts';
import { processBatch } from '../../src/worker/index.ts';
import { httpError as bedrockHttpError, startFakeBedrock, text as bedrockText, type FakeBedrock } from '../support/fake-bedrock.ts';
import { startFakeOpenAI, text, toolCall, type FakeOpenAI } from '../support/fake-openai.ts';
import { startSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { FAKE_CREDENTIALS, REGION } from '../support/fauxqs.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { harness, sqsEvent, sqsRecord, TIMING, type Harness } from '../unit/worker/helpers.ts';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const KEY = 'sk-worker-providers-0123456789';
const KEYS_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:agent-runner/provider-keys-AbCdEf';

let bedrock: FakeBedrock;
let openai: FakeOpenAI;
let sm: FakeSecretsManager;
let secrets: SecretsManagerClient;
const clients: BedrockRuntimeClient[] = [];
let h: Harness | undefined;

beforeAll(async () => {
  bedrock = await startFakeBedrock();
  openai = await startFakeOpenAI({ requireKey: KEY });
  sm = await startSecretsManager({ [KEYS_ARN]: JSON.stringify({ OPENAI_API_KEY: KEY }) });
  secrets = new SecretsManagerClient({ region: REGION, endpoint: sm.url, credentials: FAKE_CREDENTIALS });
});
afterAll(async () => {
  secrets?.destroy();
  for (const c of clients) c.destroy();
  await Promise.all([bedrock?.close(), openai?.close(), sm?.close()]);
});
afterEach(() => h?.cleanup());

/** The worker as deployed: its environment (no key in it), the TOML of AGENT_RUNNER_CONFIG, a store. */
function worker() {
  const config = [
    '[model_providers.openai]', `base_url = "${openai.url}/v1"`, 'request_max_retries = 0',
    '[model_providers.amazon-bedrock]', 'request_max_retries = 0',
    '[profiles.openai]', 'model_provider = "openai"', 'model = "gpt-5"',
    '[profiles.failover]', 'failover = [{ provider = "openai", model = "gpt-5-mini" }]',
  ].join('\n');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    MODEL_ID: CLAUDE,
    PROVIDER_SECRETS_ARN: KEYS_ARN,
    AGENT_RUNNER_CONFIG: config,
  };
  const { settings, defaultModel } = workerSettings(env, {
    secrets,
    bedrockClient: (o) => {
      const c = new BedrockRuntimeClient({ region: o.region, endpoint: o.endpoint, credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
  });
  const store = new MemoryStore();
  // The tool processes' environment is built from the same env the settings read.
  h = harness(store, [], { settings, defaultModel, parentEnv: env });
  return { store, deps: h.deps };
}

const message = (taskId: string, body: Record<string, unknown>) => sqsRecord(JSON.stringify({ taskId, ...body }), `m-${taskId}`);

describe('the worker with the providers of its configuration', () => {
  it("runs a task on the profile's OpenAI provider with the key from Secrets Manager, which no tool process sees", async () => {
    openai.setScript([[toolCall('call_env', 'shell', { command: 'env' })], [text('Listed the environment.')]]);
    const { store, deps } = worker();

    const report = await processBatch(sqsEvent(message('oa', { prompt: 'Print the environment.', profile: 'openai' })), deps, TIMING);

    expect(report.batchItemFailures).toEqual([]);
    expect(store.json('oa', 'result.json')).toMatchObject({ status: 'succeeded', model: 'gpt-5', turns: 2 });
    expect(openai.modelRequests.map((r) => [r.path, r.headers.authorization, r.body?.model])).toEqual([
      ['/v1/responses', `Bearer ${KEY}`, 'gpt-5'],
      ['/v1/responses', `Bearer ${KEY}`, 'gpt-5'],
    ]);
    const envOutput = openai.modelRequests[1].body!.input.find((i: { type: string }) => i.type === 'function_call_output').output as string;
    expect(envOutput).toMatch(/^exit code: 0\n[\s\S]*\bPATH=/);
    expect(envOutput).not.toContain(KEY);
    expect(envOutput).not.toContain('OPENAI_API_KEY');
    // Nowhere in the artifacts or the process's environment either; the secret was read once.
    for (const [name, body] of store.artifacts) expect([name, body.includes(KEY)]).toEqual([name, false]);
    expect(JSON.stringify(store.events('oa')).includes(KEY)).toBe(false);
    expect(Object.values(process.env).includes(KEY)).toBe(false);
    expect(sm.calls).toEqual([`secretsmanager.GetSecretValue ${KEYS_ARN}`]);
  });

  it('fails over from a throttled Bedrock to OpenAI at its configured URL, and starts the next task on Bedrock again', async () => {
    bedrock.setScript([bedrockHttpError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'), [bedrockText('Done on Bedrock.')]]);
    openai.setScript([[text('Done on OpenAI.')]]);
    const before = openai.modelRequests.length;
    const { store, deps } = worker();

    const report = await processBatch(
      sqsEvent(message('fo-1', { prompt: 'Say done.', profile: 'failover' }), message('fo-2', { prompt: 'Say done.', profile: 'failover' })),
      deps,
      TIMING,
    );

    expect(report.batchItemFailures).toEqual([]);
    const [first, second] = [store.json('fo-1', 'result.json'), store.json('fo-2', 'result.json')];
    expect([first.status, first.turns, first.failovers]).toEqual(['succeeded', 1, [{ from: `amazon-bedrock/${CLAUDE}`, to: 'openai/gpt-5-mini' }]]);
    expect([second.status, second.turns, second.failovers, second.model]).toEqual(['succeeded', 1, undefined, CLAUDE]);
    expect(store.events('fo-1').filter((e) => e.type === 'failover')).toHaveLength(1);
    expect(bedrock.modelRequests.map((r) => r.modelId)).toEqual([CLAUDE, CLAUDE]);
    expect(openai.modelRequests.slice(before).map((r) => [r.path, r.headers.authorization, r.body?.model])).toEqual([['/v1/responses', `Bearer ${KEY}`, 'gpt-5-mini']]);
  });
});

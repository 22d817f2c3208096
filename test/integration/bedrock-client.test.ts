import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBedrock, text, type FakeBedrock } from '../support/fake-bedrock.ts';
import { createBedrockClient, createBedrockProvider } from '../../src/providers/index.ts';

const VARS = ['AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_MAX_ATTEMPTS'];
let saved: Record<string, string | undefined>;
let fake: FakeBedrock;
let dir: string;

beforeEach(async () => {
  saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
  for (const k of VARS) delete process.env[k];
  dir = mkdtempSync(path.join(tmpdir(), 'bedrock-client-'));
  process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  fake = await startFakeBedrock({ script: [[text('hello')]] });
});
afterEach(async () => {
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(dir, { recursive: true, force: true });
  await fake.close();
});

async function oneTurn(client: ReturnType<typeof createBedrockClient>) {
  const provider = createBedrockProvider({ client, region: 'us-east-1', maxRetries: 0 });
  const events = [];
  try {
    for await (const e of provider.stream({ model: 'amazon.nova-pro-v1:0', system: '', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools: [] })) events.push(e);
  } finally {
    client.destroy();
  }
  return events;
}

describe('createBedrockClient', () => {
  it('honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME and the environment credentials, with one attempt per call', async () => {
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = fake.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENV';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    const client = createBedrockClient({ region: 'us-east-1' });
    expect(await client.config.maxAttempts()).toBe(1);
    // No logger middleware: it would copy every request (the whole transcript) on every turn.
    expect(client.middlewareStack.identify().filter((n) => n.startsWith('loggerMiddleware'))).toEqual([]);
    const events = await oneTurn(client);
    expect([events.some((e) => e.type === 'text_delta'), fake.modelRequests.length, String(fake.modelRequests[0].headers.authorization)]).toEqual([true, 1, expect.stringMatching(/Credential=AKIDFROMENV\/\d{8}\/us-east-1\/bedrock\//)]);
  });

  it('reads credentials of a named profile and takes an explicit endpoint', async () => {
    writeFileSync(process.env.AWS_SHARED_CREDENTIALS_FILE!, '[agent]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n');
    const client = createBedrockClient({ region: 'eu-west-1', profile: 'agent', endpoint: fake.url, requestTimeoutMs: 5000 });
    await oneTurn(client);
    expect(String(fake.modelRequests[0].headers.authorization)).toMatch(/Credential=AKIDPROFILE\/\d{8}\/eu-west-1\/bedrock\//);
  });
});

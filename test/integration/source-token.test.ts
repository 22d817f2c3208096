/**
 * Private repositories without GitHub credentials in the worker, end to end on loopback: the real
 * source-token handler (functions/source-token.ts, configured from the standard variables, the App
 * key in a local Secrets Manager) behind a local Lambda Invoke API, called by the worker's
 * `sources.githubToken` (functions/lib/source-token.ts, SigV4-signed); the fake GitHub serves the
 * private repository's tarball only with a token scoped to it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaInvoker, sourceTokenClient, type Invoke } from '../../functions/lib/source-token.ts';
import { processBatch } from '../../src/worker/index.ts';
import type { SourceTokenResponse } from '../../src/github/index.ts';
import { FakeGitHub } from '../support/fake-github.ts';
import { startFakeLambda, type FakeLambda } from '../support/fake-lambda.ts';
import { startSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { FAKE_CREDENTIALS, REGION, setEnv } from '../support/fauxqs.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { callTools, say } from '../support/script-provider.ts';
import { harness, sqsEvent, sqsRecord, TIMING, type Harness } from '../unit/worker/helpers.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:agent-runner/github-app-key-AbCdEf';
const FUNCTION = 'agent-runner-SourceToken-1A2B3C';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION}`;

let github: FakeGitHub;
let sm: FakeSecretsManager;
let lambda: FakeLambda;
let restoreEnv: () => void;
let invoke: Invoke;
let h: Harness | undefined;
// What the source-token function logs (it writes JSON lines to the console).
const functionLogs: string[] = [];

beforeAll(async () => {
  github = await FakeGitHub.start({ app: { id: '4242', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installationId: 555 } });
  sm = await startSecretsManager(KEY_ARN, privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  restoreEnv = setEnv({
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
    GITHUB_API_URL: github.url,
    GITHUB_APP_ID: '4242',
    GITHUB_APP_PRIVATE_KEY_SECRET_ARN: KEY_ARN,
    GITHUB_TOKEN: undefined,
    GITHUB_TOKEN_SECRET_ARN: undefined,
    ALLOWED_REPOSITORIES: 'acme/*',
    ALLOW_UNSCOPED_SOURCE_TOKEN: undefined,
  });
  vi.resetModules();
  for (const level of ['log', 'warn'] as const) vi.spyOn(console, level).mockImplementation((line: string) => void functionLogs.push(line));
  const { handler } = await import('../../functions/source-token.ts');
  lambda = await startFakeLambda({
    functions: { [FUNCTION]: handler, [FUNCTION_ARN]: handler, Broken: async () => Promise.reject(new TypeError('Cannot read properties of undefined')) },
    credentials: FAKE_CREDENTIALS,
  });
  // The worker's own environment holds only where the function is: no GitHub setting.
  invoke = lambdaInvoker({ region: REGION, endpoint: lambda.url, credentials: FAKE_CREDENTIALS });
});

afterAll(async () => {
  vi.restoreAllMocks();
  restoreEnv?.();
  await Promise.all([github?.stop(), sm?.close(), lambda?.close()]);
});

beforeEach(() => {
  github.addRepo('acme', 'private-app', { private: true, files: { 'PLAN.md': 'the private plan\n' } });
  github.addRepo('acme', 'public-lib', { files: { 'README.md': 'public\n' } });
  github.addRepo('octo', 'public-tool', { files: { 'README.md': 'octo\n' } });
  github.calls.length = 0;
  github.mintedTokens.length = 0;
  lambda.invokes.length = 0;
  functionLogs.length = 0;
});
afterEach(() => h?.cleanup());

const task = (taskId: string, repo: string) => sqsRecord(JSON.stringify({ taskId, prompt: 'Read the plan.', source: { github: { owner: repo.split('/')[0], repo: repo.split('/')[1] } } }), `m-${taskId}`);
const readPlan = () => [callTools([['tu-1', 'read_file', { path: 'PLAN.md' }]]), say('Read it.')];

describe('private repositories', () => {
  it('runs a task on a private repository with a read-only token for it alone, minted by the source-token function', async () => {
    const store = new MemoryStore();
    h = harness(store, readPlan());
    h.deps.sources = { githubApiUrl: github.url, githubToken: sourceTokenClient(invoke, FUNCTION, h.deps.log) };

    const report = await processBatch(sqsEvent(task('priv', 'acme/private-app')), h.deps, TIMING);

    expect(report.batchItemFailures).toEqual([]);
    expect(store.json('priv', 'result.json')).toMatchObject({ status: 'succeeded', turns: 2 });
    expect(store.events('priv').find((e) => e.type === 'tool_result')).toMatchObject({ status: 'success', output: expect.stringMatching(/1\tthe private plan/) });
    const answer = lambda.invokes[0]?.response as { token: string; expiresAt: string };
    expect(lambda.invokes).toEqual([{ functionName: FUNCTION, invocationType: 'RequestResponse', payload: { owner: 'acme', repo: 'private-app' }, response: { token: expect.stringMatching(/^ghs_/), expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } }]);
    expect(github.mintedTokens).toEqual([{ token: answer.token, installationId: 555, repositories: ['private-app'], permissions: { contents: 'read' } }]);
    expect(github.calls.filter((c) => c.path.includes('/tarball')).map((c) => [c.path, c.authorization])).toEqual([['/repos/acme/private-app/tarball', `Bearer ${answer.token}`]]);
    // The token stays in memory: not in any artifact, event, log line or the environment.
    for (const [name, body] of store.artifacts) expect([name, body.includes(answer.token)]).toEqual([name, false]);
    expect(JSON.stringify(store.events('priv')).includes(answer.token)).toBe(false);
    expect(JSON.stringify(h.logs).includes(answer.token)).toBe(false);
    expect(functionLogs.map((l) => JSON.parse(l))).toEqual([{ level: 'INFO', message: 'source token minted', repository: 'acme/private-app', expiresAt: answer.expiresAt }]);
    expect(Object.values(process.env).includes(answer.token)).toBe(false);
  });

  it('keeps public repositories working: without a token function, and when the function refuses one', async () => {
    const store = new MemoryStore();
    h = harness(store, [say('Looked.'), say('Looked.')]);
    h.deps.sources = { githubApiUrl: github.url };
    const noFunction = await processBatch(sqsEvent(task('pub', 'acme/public-lib'), task('priv-anon', 'acme/private-app')), h.deps, TIMING);
    expect(noFunction.batchItemFailures).toEqual([]);
    expect([store.json('pub', 'result.json').status, store.json('priv-anon', 'result.json').status, store.json('priv-anon', 'result.json').error.code]).toEqual(['succeeded', 'failed', 'source_not_found']);
    expect(github.calls.map((c) => [c.path, c.authorization])).toEqual([
      ['/repos/acme/public-lib/tarball', undefined],
      ['/repos/acme/private-app/tarball', undefined],
    ]);

    // octo/public-tool is outside ALLOWED_REPOSITORIES: no token, downloaded anonymously.
    h.cleanup();
    h = harness(store, [say('Looked.')]);
    h.deps.sources = { githubApiUrl: github.url, githubToken: sourceTokenClient(invoke, FUNCTION, h.deps.log) };
    github.calls.length = 0;
    const refused = await processBatch(sqsEvent(task('octo', 'octo/public-tool')), h.deps, TIMING);
    expect(refused.batchItemFailures).toEqual([]);
    expect(store.json('octo', 'result.json').status).toBe('succeeded');
    expect(lambda.invokes.map((i) => i.response as SourceTokenResponse)).toEqual([{ error: { code: 'not_allowed', message: 'octo/public-tool is not in ALLOWED_REPOSITORIES' } }]);
    expect(github.calls.map((c) => [c.path, c.authorization])).toEqual([['/repos/octo/public-tool/tarball', undefined]]);
    expect(h.logs.filter((l) => l.level === 'warn').map((l) => [l.message, l.extra])).toEqual([
      ['no source token for the repository; downloading without one', { repository: 'octo/public-tool', code: 'not_allowed', reason: 'octo/public-tool is not in ALLOWED_REPOSITORIES' }],
    ]);
  });

  it('retries a throttled Invoke, and reports a failing function with its error', async () => {
    lambda.fail(429, 'TooManyRequestsException');
    expect(await sourceTokenClient(invoke, FUNCTION)({ owner: 'acme', repo: 'private-app' })).toMatch(/^ghs_/);
    // The SDK retried the throttled call: two invokes reached the function URL, one answered.
    expect(lambda.invokes.map((i) => i.functionName)).toEqual([FUNCTION]);
    // By ARN too: the name is escaped in the path, and signed as sent.
    expect(await sourceTokenClient(invoke, FUNCTION_ARN)({ owner: 'acme', repo: 'private-app' })).toMatch(/^ghs_/);
    await expect(sourceTokenClient(invoke, 'Broken')({ owner: 'acme', repo: 'private-app' })).rejects.toThrow('the source-token function failed (Unhandled): Cannot read properties of undefined');
    await expect(sourceTokenClient(invoke, 'Missing')({ owner: 'acme', repo: 'private-app' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const wrongKey = lambdaInvoker({ region: REGION, endpoint: lambda.url, credentials: { ...FAKE_CREDENTIALS, secretAccessKey: 'wrong' } });
    await expect(sourceTokenClient(wrongKey, FUNCTION)({ owner: 'acme', repo: 'private-app' })).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });
});

/**
 * MCP in the built worker bundle: servers from the TOML of AGENT_RUNNER_CONFIG (server-everything
 * over stdio and over streamable HTTP, and a server that crashes), the token they name read from
 * the provider-secrets JSON in a local Secrets Manager, a scripted model on the fake Bedrock,
 * artifacts in the local S3. The bundle loads the MCP client only for this task.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeBundle, loadBuildScript } from '../../src/local/index.ts';
import { S3ArtifactStore } from '../../src/store/index.ts';
import { startFakeBedrock, text, toolUse, type FakeBedrock } from '../support/fake-bedrock.ts';
import { findToolResult, toolResultText } from '../support/fake-bedrock-inspect.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { startSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { BAD_SERVER, EVERYTHING, startEverythingHttp, stdioToml, type HttpServer } from '../support/mcp-servers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUCKET = 'artifacts';
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const SECRETS_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:agent-runner/keys-AbCdEf';
const TOKEN = 'worker-mcp-token-0123456789';

let aws: LocalAws;
let fake: FakeBedrock;
let sm: FakeSecretsManager;
let web: HttpServer;
let bundle: string;
let outDir: string;
let tmpDir: string;
let restoreEnv: () => void;
const logs: string[] = [];
const restoreWrites: (() => void)[] = [];

beforeAll(async () => {
  outDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `worker-mcp-${process.pid}`);
  [bundle] = await (await loadBuildScript(ROOT)).buildFunctions({ root: ROOT, outDir, names: ['worker'], log: () => undefined });
  aws = await startLocalAws({ buckets: [BUCKET] });
  fake = await startFakeBedrock({ script: [] });
  sm = await startSecretsManager({ [SECRETS_ARN]: JSON.stringify({ MCP_DEMO_TOKEN: TOKEN }) });
  web = await startEverythingHttp();
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-mcp-'));
  const config = [
    ...stdioToml('everything', [EVERYTHING], ['env_vars = ["MCP_DEMO_TOKEN"]', 'disabled_tools = ["trigger-long-running-operation"]']),
    ...stdioToml('broken', [BAD_SERVER, 'crash']),
    '[mcp_servers.web]',
    `url = "${web.url}"`,
    'bearer_token_env_var = "MCP_DEMO_TOKEN"',
    'enabled = false',
    '[profiles.with-web.mcp_servers.web]',
    'enabled = true',
  ].join('\n');
  restoreEnv = setEnv({
    ...aws.env,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: path.join(tmpDir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmpDir, 'no-credentials'),
    ARTIFACT_BUCKET: BUCKET,
    MODEL_ID: MODEL,
    AGENT_RUNNER_CONFIG: config,
    PROVIDER_SECRETS_ARN: SECRETS_ARN,
    TMPDIR: tmpDir,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // Powertools logs JSON lines (warnings on stderr): keep them for the checks (and off the report).
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const s = String(chunk);
      if (!s.startsWith('{')) return write(chunk as string, ...(rest as []));
      logs.push(s);
      (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof stream.write;
    restoreWrites.push(() => (stream.write = write));
  }
}, 120_000);

afterAll(async () => {
  for (const restore of restoreWrites) restore();
  restoreEnv?.();
  await Promise.all([fake?.close(), sm?.close(), web?.close(), aws?.stop()]);
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

function sqsEvent(taskId: string, task: Record<string, unknown>): SQSEvent {
  return {
    Records: [
      {
        messageId: `m-${taskId}`,
        receiptHandle: `rh-${taskId}`,
        body: JSON.stringify({ taskId, ...task }),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1767225600000', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '1767225600001' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

describe('the worker bundle with MCP servers in its TOML', () => {
  it('starts them for a task (the profile adding one), reports the one that cannot start once, and runs the task with their tools', async () => {
    const base = fake.modelRequests.length;
    fake.setScript([
      [text('Checking.'), toolUse('w1', 'mcp__everything__get-env', {}), toolUse('w2', 'mcp__web__get-sum', { a: 20, b: 22 })],
      [toolUse('w3', 'mcp__everything__trigger-long-running-operation', { duration: 1, steps: 1 })],
      [text('Done.')],
    ]);

    const out = await invokeBundle({ bundlePath: bundle, event: sqsEvent('mcp-1', { prompt: 'Use the MCP tools.', profile: 'with-web' }), functionName: 'Worker', timeoutMs: 900_000, clock: Date.now });

    expect(out.streaming ? undefined : out.result).toEqual({ batchItemFailures: [] });
    const store = new S3ArtifactStore({ client: aws.s3, bucket: BUCKET });
    const events = await store.readEvents('mcp-1');
    expect(events.at(-1)).toMatchObject({ type: 'result', status: 'succeeded', turns: 3 });
    expect(events.filter((e) => e.type === 'mcp_server').map((e) => e.type === 'mcp_server' && [e.server, e.transport, e.status, e.error?.code])).toEqual([
      ['broken', 'stdio', 'failed', 'mcp_exited'],
      ['everything', 'stdio', 'ready', undefined],
      ['web', 'http', 'ready', undefined],
    ]);
    expect(events.filter((e) => e.type === 'tool_result').map((e) => e.type === 'tool_result' && [e.id, e.name, e.status])).toEqual([
      ['w1', 'mcp__everything__get-env', 'success'],
      ['w2', 'mcp__web__get-sum', 'success'],
      ['w3', 'mcp__everything__trigger-long-running-operation', 'error'],
    ]);
    const requests = fake.modelRequests.slice(base);
    // The token came from the provider-secrets JSON, reached the server, and never the model.
    const env = toolResultText(findToolResult(requests, 'w1')!.toolResult);
    expect([env.includes('"MCP_DEMO_TOKEN": "[REDACTED:runner_secret]"'), env.includes(TOKEN), /AWS_|ARTIFACT_BUCKET|PROVIDER_SECRETS_ARN/.test(env)]).toEqual([true, false, false]);
    expect(toolResultText(findToolResult(requests, 'w2')!.toolResult)).toBe('The sum of 20 and 22 is 42.');
    // A disabled tool is not offered; calling it anyway is an error the model can act on.
    expect(toolResultText(findToolResult(requests, 'w3')!.toolResult)).toMatch(/^Unknown tool "mcp__everything__trigger-long-running-operation"/);
    expect(sm.calls).toContain(`secretsmanager.GetSecretValue ${SECRETS_ARN}`);
    const warnings = logs.map((l) => JSON.parse(l)).filter((l) => l.message?.startsWith('MCP server did not start'));
    expect(warnings.map((w) => [w.level, w.server, w.error?.code])).toEqual([['WARN', 'broken', 'mcp_exited']]);
    // Nothing of the task is left in the function's /tmp.
    expect(fs.readdirSync(path.join(tmpDir, 'agent-runner-work'))).toEqual([]);
  }, 180_000);
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEnvVars, invokeAction } from '../../src/cli/invoke.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { metadata, startFakeBedrock, text, toolUse, type FakeBedrock, type Json } from '../support/fake-bedrock.ts';
import { FAKE_CREDENTIALS, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { parseSse } from '../support/lambda-stream.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The CLI with only `invoke` registered (main.ts registers it alongside the others).
const PROGRAM = `const { Command } = await import('commander');
const { invokeCommand } = await import(${JSON.stringify(path.join(ROOT, 'src/cli/invoke.ts'))});
const program = new Command('agent-runner').exitOverride();
invokeCommand(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });`;

let aws: LocalAws;
let fake: FakeBedrock;
let tmpDir: string;
let envFile: string;

function script(body: Json): Json[] {
  const messages = body.messages as { content: Json[] }[];
  if (!messages[messages.length - 1].content.some((c) => c.toolResult)) {
    return [toolUse('tu-1', 'write_file', { path: 'hello.txt', content: "hello from agent-runner\n" }), metadata({ inputTokens: 30, outputTokens: 5 })];
  }
  return [text('done'), metadata({ inputTokens: 40, outputTokens: 2 })];
}

/** Runs the CLI in a child process (as a user would), resolving when it exits. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROGRAM, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: tmpDir,
      TMPDIR: tmpDir,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
}

beforeAll(async () => {
  aws = await startLocalAws({ buckets: ['agent-runner-local'] });
  fake = await startFakeBedrock({ script: (body) => script(body) });
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'invoke-it-'));
  // events/env.json as it is, but with this test's emulator port.
  const env = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/env.json'), 'utf8'));
  const port = new URL(aws.endpoint).port;
  for (const [k, v] of Object.entries<string>(env.Parameters)) env.Parameters[k] = v.replace(':4566', `:${port}`);
  env.Parameters.POWERTOOLS_LOG_LEVEL = 'ERROR';
  env.Parameters.POWERTOOLS_METRICS_DISABLED = 'true';
  envFile = path.join(tmpDir, 'env.json');
  fs.writeFileSync(envFile, JSON.stringify(env));
}, 30_000);

afterAll(async () => {
  await fake?.close();
  await aws?.stop();
  fs.rmSync(tmpDir, { recursive: true, force: true });
});

describe('agent-runner invoke', () => {
  it('runs the worker bundle on events/worker-sqs.json against the emulators, then the progress bundle streams that task', async () => {
    const worker = await cli(['invoke', 'worker', 'events/worker-sqs.json', '--env-vars', envFile, '--build']);
    expect({ code: worker.code, stdout: JSON.parse(worker.stdout) }).toEqual({ code: 0, stdout: { batchItemFailures: [] } });
    expect(worker.stderr).toContain('note: host.docker.internal in --env-vars points at 127.0.0.1');
    const res = await aws.s3.send(new GetObjectCommand({ Bucket: 'agent-runner-local', Key: 'tasks/example-task-1/result.json' }));
    expect(JSON.parse(await res.Body!.transformToString())).toMatchObject({ status: 'succeeded', turns: 2, diff: { files: 1, additions: 1, deletions: 0 } });
    const patch = await aws.s3.send(new GetObjectCommand({ Bucket: 'agent-runner-local', Key: 'tasks/example-task-1/diff.patch' }));
    expect(await patch.Body!.transformToString()).toContain('+hello from agent-runner');

    const progress = await cli(['invoke', 'Progress', 'events/progress-url.json', '--env-vars', envFile, '--build']);
    expect(progress.code).toBe(0);
    expect(progress.stderr).toContain('HTTP 200 {"content-type":"text/event-stream; charset=utf-8"');
    const events = parseSse(progress.stdout).events;
    expect(events.map((e) => e.data.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.data).toMatchObject({ type: 'result', taskId: 'example-task-1', status: 'succeeded' });
  }, 60_000);

  it('refuses an unknown function or a missing event file', async () => {
    const io = { env: {}, stdout: process.stdout, stderr: process.stderr, cwd: ROOT };
    await expect(invokeAction('nope', 'events/worker-sqs.json', {}, io)).rejects.toThrow(/^unknown function nope; one of: (.+, )?progress, (.+, )?worker/);
    await expect(invokeAction('worker', 'events/missing.json', {}, io)).rejects.toBeInstanceOf(UsageError);
  });

  it('applies an env-vars file: Parameters, then the function section', () => {
    const env: NodeJS.ProcessEnv = {};
    const notes: string[] = [];
    const stderr = { write: (s: string) => notes.push(s) } as unknown as NodeJS.WritableStream;
    applyEnvVars({ Parameters: { A: '1', B: 'x', URL: 'http://host.docker.internal:4566' }, Worker: { B: 'y', N: 5 }, Progress: { C: 'no' } }, 'Worker', env, stderr);
    expect(env).toEqual({ A: '1', B: 'y', N: '5', URL: 'http://127.0.0.1:4566' });
    expect(notes.length).toBe(1);
  });
});

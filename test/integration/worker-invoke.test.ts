import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envVarsFor, invokeAction } from '../../src/cli/invoke.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { cliEnv, runCli } from '../support/cli.ts';
import { metadata, startFakeBedrock, text, toolUse, type FakeBedrock, type Json } from '../support/fake-bedrock.ts';
import { FAKE_CREDENTIALS, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { parseSse } from '../support/lambda-stream.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The CLI (src/cli/main.ts: exit codes, one-line errors) under tsx, as bin/agent-runner.mjs runs it.
const PROGRAM = `const { main } = await import(${JSON.stringify(path.join(ROOT, 'src/cli/main.ts'))});
process.exitCode = await main(process.argv.slice(1));`;

let aws: LocalAws;
let fake: FakeBedrock;
let tmpDir: string;
let envFile: string;
let envVars: { Parameters: Record<string, string>; Worker: Record<string, string> };

function script(body: Json): Json[] {
  const messages = body.messages as { content: Json[] }[];
  if (!messages[messages.length - 1].content.some((c) => c.toolResult)) {
    return [toolUse('tu-1', 'write_file', { path: 'hello.txt', content: "hello from agent-runner\n" }), metadata({ inputTokens: 30, outputTokens: 5 })];
  }
  return [text('done'), metadata({ inputTokens: 40, outputTokens: 2 })];
}

/** Runs the CLI in a child process (as a user would), resolving when it exits. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
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
      ...env,
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
  envVars = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/env.json'), 'utf8'));
  const port = new URL(aws.endpoint).port;
  for (const [k, v] of Object.entries<string>(envVars.Parameters)) envVars.Parameters[k] = v.replace(':4566', `:${port}`);
  envVars.Parameters.POWERTOOLS_LOG_LEVEL = 'ERROR';
  envVars.Parameters.POWERTOOLS_METRICS_DISABLED = 'true';
  envFile = writeEnvVars('env.json', envVars);
}, 30_000);

/** Writes an env-vars file into the scratch folder; returns its path. */
function writeEnvVars(name: string, vars: unknown): string {
  const file = path.join(tmpDir, name);
  fs.writeFileSync(file, JSON.stringify(vars));
  return file;
}

/** A loopback port nothing listens on (one the system just gave out and took back). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The bin as a user runs it, with fake keys and the fake Bedrock unless `extra` says otherwise. */
function userCli(args: string[], extra: Record<string, string | undefined>, input?: string) {
  const env = cliEnv(tmpDir, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url, ...extra });
  return runCli(['invoke', ...args], env, { input, timeoutMs: 90_000 });
}

/** The lines a run wrote to stderr that are not JSON log lines of the function. */
function messages(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l && !l.startsWith('{'));
}

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

  it('runs nothing again for a task that has a result, and says so; --new-task-id gives the sample a fresh task', async () => {
    const again = await cli(['invoke', 'worker', 'events/worker-sqs.json', '--env-vars', envFile]);
    expect([again.code, JSON.parse(again.stdout)]).toEqual([0, { batchItemFailures: [] }]);
    expect(again.stderr).toContain('note: task example-task-1 already has a result, so the worker will not run it again (--new-task-id gives the event a fresh task id)\n');
    const fresh = await cli(['invoke', 'worker', 'events/worker-sqs.json', '--env-vars', envFile, '--new-task-id']);
    expect(fresh.code).toBe(0);
    const taskId = /^task: ([A-Za-z0-9_-]{22})$/m.exec(fresh.stderr)?.[1];
    const res = await aws.s3.send(new GetObjectCommand({ Bucket: 'agent-runner-local', Key: `tasks/${taskId}/result.json` }));
    expect(JSON.parse(await res.Body!.transformToString())).toMatchObject({ taskId, status: 'succeeded' });
  }, 60_000);

  it('refuses an unknown function or a missing event file', async () => {
    const io = { env: {}, stdout: process.stdout, stderr: process.stderr, cwd: ROOT };
    await expect(invokeAction('nope', 'events/worker-sqs.json', {}, io)).rejects.toThrow(/^unknown function nope; one of: (.+, )?progress, (.+, )?worker/);
    await expect(invokeAction('worker', 'events/missing.json', {}, io)).rejects.toBeInstanceOf(UsageError);
  });

  it('reads an env-vars file: Parameters, then the function section', () => {
    const notes: string[] = [];
    const stderr = { write: (s: string) => notes.push(s) } as unknown as NodeJS.WritableStream;
    const vars = envVarsFor({ Parameters: { A: '1', B: 'x', URL: 'http://host.docker.internal:4566' }, Worker: { B: 'y', N: 5 }, Progress: { C: 'no' } }, 'Worker', stderr);
    expect(vars).toEqual({ A: '1', B: 'y', N: '5', URL: 'http://127.0.0.1:4566' });
    expect(notes.length).toBe(1);
  });
});

describe('agent-runner invoke, as a newcomer runs it', () => {
  const NO_KEYS = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined };

  it('without credentials: one line saying so, exit 2, and the function not run', async () => {
    const run = await userCli(['worker', 'events/worker-sqs.json', '--env-vars', envFile], NO_KEYS);
    expect({ code: run.code, stdout: run.stdout, messages: messages(run.stderr) }).toEqual({
      code: 2,
      stdout: '',
      messages: [
        'note: host.docker.internal in --env-vars points at 127.0.0.1 (the bundle runs on this host)',
        expect.stringMatching(/^agent-runner: Worker cannot run: no AWS credentials found \(.+\): configure them .+ \(the local S3 and SQS take any keys, e\.g\. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test\)$/),
      ],
    });
  }, 120_000);

  it('with the local S3 not running: names the endpoint and how to start one, exit 2', async () => {
    const port = await closedPort();
    const down = writeEnvVars('env-down.json', { ...envVars, Parameters: { ...envVars.Parameters, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` } });
    const run = await userCli(['worker', 'events/worker-sqs.json', '--env-vars', down], {});
    expect({ code: run.code, stdout: run.stdout, messages: messages(run.stderr) }).toEqual({
      code: 2,
      stdout: '',
      messages: [
        'note: host.docker.internal in --env-vars points at 127.0.0.1 (the bundle runs on this host)',
        `agent-runner: Worker cannot run: nothing listens at http://127.0.0.1:${port}, AWS_ENDPOINT_URL_S3 (from ${down} or the environment): start it first (\`agent-runner dev\` serves S3 and SQS at http://127.0.0.1:4566) or point AWS_ENDPOINT_URL_S3 elsewhere`,
      ],
    });
  }, 120_000);

  it('without AWS_REGION runs in us-east-1 as Lambda would, on a fresh task id given on stdin as the README shows', async () => {
    const event = fs.readFileSync(path.join(ROOT, 'events/worker-sqs.json'), 'utf8').replaceAll('example-task-1', 'readme-fresh-1');
    const run = await userCli(['worker', '-', '--env-vars', envFile], { AWS_REGION: undefined }, event);
    expect({ code: run.code, stdout: JSON.parse(run.stdout), messages: messages(run.stderr) }).toEqual({
      code: 0,
      stdout: { batchItemFailures: [] },
      messages: [
        'note: host.docker.internal in --env-vars points at 127.0.0.1 (the bundle runs on this host)',
        "note: AWS_REGION is not set: Worker runs in us-east-1 (Lambda always sets the function's region; set AWS_REGION for another)",
      ],
    });
    const res = await aws.s3.send(new GetObjectCommand({ Bucket: 'agent-runner-local', Key: 'tasks/readme-fresh-1/result.json' }));
    expect(JSON.parse(await res.Body!.transformToString())).toMatchObject({ taskId: 'readme-fresh-1', status: 'succeeded' });
  }, 120_000);

  it('a message the worker leaves failed (here: a bucket that does not exist) exits 1 with a line saying so', async () => {
    const noBucket = writeEnvVars('env-no-bucket.json', { ...envVars, Parameters: { ...envVars.Parameters, ARTIFACT_BUCKET: 'no-such-bucket' } });
    const run = await userCli(['worker', 'events/worker-sqs.json', '--env-vars', noBucket], {});
    expect({ code: run.code, stdout: JSON.parse(run.stdout), last: messages(run.stderr).at(-1) }).toEqual({
      code: 1,
      stdout: { batchItemFailures: [{ itemIdentifier: '4c3f1a52-7f7e-4d8c-9a36-2f0d5e1b9c11' }] },
      last: 'agent-runner: Worker reported 1 of 1 message failed (Lambda would deliver it again): the ERROR log line above says why',
    });
  }, 120_000);
});

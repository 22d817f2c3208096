import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { list as listTar } from 'tar';
import { enqueueCommand } from '../../src/cli/enqueue.ts';
import { resultCommand } from '../../src/cli/result.ts';
import { watchCommand } from '../../src/cli/watch.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { runCli } from '../unit/client/support/cli.ts';
import { startFakeCloudFormation, type FakeCloudFormation } from '../unit/client/support/fake-cloudformation.ts';

const BUCKET = 'artifacts-cli';
let aws: LocalAws;
let cfn: FakeCloudFormation;
let queueUrl: string;
let tmp: string;
let restoreEnv: () => void;
const NOW = () => new Date('2025-01-02T03:04:05Z');

/** Every variable the SDK's default chain could pick up, cleared, then the fakes' set. */
function hermeticEnv(extra: Record<string, string | undefined>): Record<string, string | undefined> {
  const cleared = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('AWS_') || k.startsWith('AGENT_RUNNER_')).map((k) => [k, undefined]));
  return {
    ...cleared,
    AWS_CONFIG_FILE: path.join(tmp, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'enqueue-cli-'));
  aws = await startLocalAws({ buckets: [BUCKET] });
  queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'tasks-cli' }))).QueueUrl!;
  cfn = await startFakeCloudFormation({ 'ar-stack': { TaskQueueUrl: queueUrl, ArtifactBucketName: BUCKET } });
  restoreEnv = setEnv(hermeticEnv({ ...aws.env, AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.url }));
});
afterAll(async () => {
  restoreEnv();
  await cfn.close();
  await aws.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

let undo: (() => void) | undefined;
afterEach(() => {
  undo?.();
  undo = undefined;
});

function sampleTree(name: string): string {
  const root = path.join(tmp, name);
  const files: Record<string, string | Buffer> = {
    '.gitignore': 'dist/\n',
    'src/app.js': 'console.log(1);\n',
    'dist/app.js': 'built\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    'README.md': '# sample\n',
  };
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), body);
  }
  return root;
}

async function receiveAll(): Promise<string[]> {
  const res = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return (res.Messages ?? []).map((m) => m.Body ?? '');
}

async function inputKeys(): Promise<string[]> {
  const res = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'inputs/' }));
  return (res.Contents ?? []).map((o) => o.Key ?? '').sort();
}

describe('agent-runner enqueue (no --wait)', () => {
  it('packs and uploads the working tree, sends the task message and prints one JSON object', async () => {
    const ws = sampleTree('ws-json');
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'add a test', '--task-id', 'cli-json', '--max-turns', '7', '--model', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', '--stack', 'ar-stack', '--json'], { env: process.env, now: NOW });
    expect({ code: run.code, stdout: JSON.parse(run.stdout), lines: run.stdout.split('\n').length }).toEqual({
      code: 0,
      stdout: { taskId: 'cli-json', queueUrl, bucket: BUCKET, inputKey: 'inputs/cli-json.tar.gz' },
      lines: 2,
    });
    expect(run.stderr).toBe(`uploaded 3 files (${run.stderr.match(/\((\d+ B)\)/)?.[1]}) to s3://${BUCKET}/inputs/cli-json.tar.gz\nenqueued task cli-json (follow it with: agent-runner watch cli-json)\n`);
    expect((await receiveAll()).map((b) => JSON.parse(b))).toEqual([
      {
        taskId: 'cli-json',
        prompt: 'add a test',
        source: { s3: { bucket: BUCKET, key: 'inputs/cli-json.tar.gz' } },
        model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        limits: { maxTurns: 7 },
      },
    ]);
    const obj = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'inputs/cli-json.tar.gz' }));
    const archive = path.join(tmp, 'got.tar.gz');
    fs.writeFileSync(archive, await obj.Body!.transformToByteArray());
    const entries: string[] = [];
    await listTar({ file: archive, onReadEntry: (e) => entries.push(e.path) });
    expect(entries.sort()).toEqual(['.gitignore', 'README.md', 'src/app.js']);
  });

  it('prints just the task id without --json, generating one from the clock', async () => {
    const ws = sampleTree('ws-plain');
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'p', '--queue-url', queueUrl, '--bucket', BUCKET], { env: process.env, now: NOW });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^20250102T030405Z-[0-9a-f]{32}\n$/);
    const [body] = await receiveAll();
    expect(JSON.parse(body).taskId).toBe(run.stdout.trim());
  });

  it('sends a git source with --repo and --ref', async () => {
    const run = await runCli(enqueueCommand, ['enqueue', '--repo', 'https://git.example.com/team/app.git', '--ref', 'release/1.2', '--prompt', 'p', '--task-id', 'git-1', '--stack', 'ar-stack', '--profile', 'ci'], { env: process.env });
    expect({ code: run.code, msgs: (await receiveAll()).map((b) => JSON.parse(b)) }).toEqual({
      code: 0,
      msgs: [{ taskId: 'git-1', prompt: 'p', source: { git: { url: 'https://git.example.com/team/app.git', ref: 'release/1.2' } }, profile: 'ci' }],
    });
  });

  it('sends a GitHub source without uploading anything', async () => {
    const before = await inputKeys();
    const run = await runCli(enqueueCommand, ['enqueue', '--github', 'octo/repo@main', '--prompt', 'p', '--task-id', 'gh-1', '--stack', 'ar-stack'], { env: process.env, now: NOW });
    expect({ code: run.code, stdout: run.stdout, msgs: (await receiveAll()).map((b) => JSON.parse(b)), inputs: await inputKeys() }).toEqual({
      code: 0,
      stdout: 'gh-1\n',
      msgs: [{ taskId: 'gh-1', prompt: 'p', source: { github: { owner: 'octo', repo: 'repo', ref: 'main' } } }],
      inputs: before,
    });
  });
});

describe('agent-runner enqueue: configuration errors are one line and exit 2', () => {
  it('names an unknown stack', async () => {
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', sampleTree('ws-stack'), '--prompt', 'p', '--stack', 'no-such-stack'], { env: process.env });
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'agent-runner: stack no-such-stack does not exist in region us-east-1: check --stack and AWS_REGION\n' });
  });

  it('says when there are no credentials, before packing anything', async () => {
    undo = setEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined });
    const before = await inputKeys();
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', sampleTree('ws-creds'), '--prompt', 'p', '--queue-url', queueUrl, '--bucket', BUCKET], { env: process.env });
    expect({ code: run.code, stdout: run.stdout, lines: run.stderr.split('\n').length }).toEqual({ code: 2, stdout: '', lines: 2 });
    expect(run.stderr).toMatch(/^agent-runner: no AWS credentials found \(.+\): configure them with `aws configure`, AWS_PROFILE, the AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY variables or an OIDC role in CI\n$/);
    expect(await inputKeys()).toEqual(before);
  });

  it('says when the queue does not exist, and removes the uploaded input', async () => {
    const missing = queueUrl.replace(/tasks-cli$/, 'no-such-queue');
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', sampleTree('ws-queue'), '--prompt', 'p', '--task-id', 'noq', '--queue-url', missing, '--bucket', BUCKET], { env: process.env });
    expect({ code: run.code, stdout: run.stdout, lastLine: run.stderr.trim().split('\n').at(-1), keys: (await inputKeys()).filter((k) => k.includes('noq')) }).toEqual({
      code: 2,
      stdout: '',
      lastLine: `agent-runner: the task queue ${missing} does not exist: check --queue-url or --stack`,
      keys: [],
    });
  });

  it('refuses a working tree above --max-upload-mb, naming its largest folders, and sends nothing', async () => {
    const ws = sampleTree('ws-big');
    fs.mkdirSync(path.join(ws, 'fixtures/images'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'fixtures/images/a.bin'), randomBytes(300 * 1024));
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'p', '--task-id', 'big', '--stack', 'ar-stack', '--max-upload-mb', '0.25'], { env: process.env });
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'agent-runner: the working tree is too large to upload: the archive passes the limit of 256.0 KB (300.0 KB of files); largest folders: fixtures (300.0 KB), fixtures/images (300.0 KB), src (16 B), (files at the root) (15 B); add them to .gitignore or raise --max-upload-mb\n',
    });
    expect({ msgs: await receiveAll(), keys: (await inputKeys()).filter((k) => k.includes('big')) }).toEqual({ msgs: [], keys: [] });
  });

  it('refuses bad flags before any AWS call', async () => {
    const cases = [
      [['enqueue', '--prompt', 'p', '--prompt-file', 'x'], 'agent-runner: give exactly one of --prompt and --prompt-file\n'],
      [['enqueue', '--prompt', 'p', '--max-turns', '2.5'], 'agent-runner: --max-turns must be a positive whole number, got "2.5"\n'],
      [['enqueue', '--prompt', 'p', '--task-id', 'a/b'], 'agent-runner: --task-id "a/b" must match [A-Za-z0-9_-]{1,64}\n'],
      [['enqueue', '--prompt', 'p', '--ref', 'main'], 'agent-runner: --ref goes with --repo (for --github write owner/repo@ref)\n'],
      [['enqueue', '--prompt', 'p', '--workspace', path.join(tmp, 'missing')], `agent-runner: workspace ${path.join(tmp, 'missing')} does not exist; give an existing folder with --workspace\n`],
    ] as const;
    for (const [argv, stderr] of cases) {
      expect(await runCli(enqueueCommand, [...argv], { env: process.env })).toEqual({ code: 2, stdout: '', stderr });
    }
  });
});

describe('agent-runner result and watch before a task ran', () => {
  it('result: exit 2 for an unknown task and for one that has not finished', async () => {
    const unknown = await runCli(resultCommand, ['result', 'nobody', '--bucket', BUCKET], { env: process.env });
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: 'agent-runner: task nobody is not known to the stack (no tasks/nobody/task.json): check the task id and the stack\n' });
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tasks/running-1/task.json', Body: '{}' }));
    const running = await runCli(resultCommand, ['result', 'running-1', '--bucket', BUCKET], { env: process.env });
    expect(running).toEqual({ code: 2, stdout: '', stderr: 'agent-runner: task running-1 has not finished yet: follow it with `agent-runner watch running-1` or add --wait\n' });
  });

  it('watch: exit 2 when a task it was told to wait for never appears', async () => {
    const run = await runCli(watchCommand, ['watch', 'ghost', '--bucket', BUCKET, '--start-timeout-seconds', '0'], { env: process.env, follow: { pollIntervalMs: 10 } });
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'waiting up to 0 s for a worker to start task ghost\nagent-runner: task ghost is not known to the stack (no tasks/ghost/task.json after 0 s): check the task id and that the worker is consuming the queue\n' });
  });
});

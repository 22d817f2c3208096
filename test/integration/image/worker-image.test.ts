/**
 * The worker's container image, built from image/Dockerfile on a locally made Debian base, run
 * under its own entrypoint (the official RIC) against the project's local Runtime API, read-only,
 * as an arbitrary user, with the host's network reaching fauxqs and the fake Bedrock on loopback.
 * Runs where a Docker engine answers (CI starts one); elsewhere one test reports why it did not.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { functionConfig, loadBuildScript, startDevStack } from '../../../src/local/index.ts';
import { silentLog } from '../../../src/observability/index.ts';
import { parseSse } from '../../support/lambda-stream.ts';
import { prepareLocalFunction } from '../../../src/local/function-runner.ts';
import { dockerClientEnv, randomUid } from '../../../src/local/container.ts';
import type { LocalFunction } from '../../../src/local/local-function.ts';
import { S3ArtifactStore } from '../../../src/store/index.ts';
import { createSigV4Signer } from '../../../src/client/sign.ts';
import { metadata, startFakeBedrock, text, type FakeBedrock, type Json } from '../../support/fake-bedrock.ts';
import { FAKE_CREDENTIALS, REGION, startLocalAws, type LocalAws } from '../../support/fauxqs.ts';
import { artifact, fixTaskTurn, sqsEventOf, toolOutputs, uploadSource, useWheelTurn, writePythonRepo, writeRepoWithWheelSetup } from '../../support/python-task.ts';
import { buildWorkerImage, dockerEngine, HOW_TO_RUN, runInImage } from './docker.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BUCKET = 'agent-runner-local';
const TAG = 'agent-runner-worker:test';
const engine = dockerEngine();

if (!engine.ok) {
  console.warn(`\n*** The worker image suite did NOT run: ${engine.reason}.\n*** To run it, ${HOW_TO_RUN}.\n`);
  describe('the worker image', () => {
    it('needs a Docker engine, and none answers here (so the suite did not run)', () => {
      expect(dockerEngine().ok).toBe(false);
    });
  });
} else {
  let aws: LocalAws;
  let fake: FakeBedrock;
  let tmp: string;
  let worker: LocalFunction;
  let logText = '';
  const scripts = new Map<string, (body: Json) => Json[]>();
  const store = () => new S3ArtifactStore({ client: aws.s3, bucket: BUCKET });
  /** The model requests of one task (the fake serves all of them; the prompt names the task). */
  const requestsOf = (taskId: string) => fake.modelRequests.filter((r) => JSON.stringify(r.body?.messages).includes(`[${taskId}]`));

  beforeAll(async () => {
    await buildWorkerImage(TAG);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-image-'));
    aws = await startLocalAws({ buckets: [BUCKET] });
    fake = await startFakeBedrock({
      script: (body) => {
        const first = JSON.stringify((body.messages as Json[])[0]);
        const id = /\[([a-z0-9-]+)\]/.exec(first)?.[1] ?? '';
        return scripts.get(id)!(body);
      },
    });
    const template = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
    const logs = new PassThrough();
    logs.on('data', (c: Buffer) => (logText = (logText + c.toString()).slice(-30_000)));
    const prepared = await prepareLocalFunction({
      root: ROOT,
      name: 'worker',
      config: functionConfig(template, 'Worker'),
      region: REGION,
      credentials: FAKE_CREDENTIALS,
      variables: {
        ARTIFACT_BUCKET: BUCKET,
        ALLOWED_SOURCE_BUCKETS: BUCKET,
        AWS_ENDPOINT_URL_S3: aws.endpoint,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
        POWERTOOLS_LOG_LEVEL: 'WARN',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      image: TAG,
      dockerEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.HOME ? { HOME: process.env.HOME } : {}) },
      output: logs,
      clock: Date.now,
    });
    worker = prepared.create();
  }, 30 * 60_000);

  afterAll(async () => {
    await worker?.stop();
    await fake?.close();
    await aws?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs one task through the container; resolves with its result. */
  async function runTask(taskId: string, prompt: string, repo: string, turn: (body: Json) => Json[]): Promise<any> {
    scripts.set(taskId, turn);
    const source = await uploadSource(aws.s3, BUCKET, `inputs/${taskId}.tar.gz`, repo);
    const out = await worker.invoke(sqsEventOf({ taskId, prompt: `[${taskId}] ${prompt}`, source }));
    // A failed invocation shows its error and the container's output.
    const seen = out.kind === 'response' ? { kind: out.kind, payload: out.streaming ? undefined : out.payload } : { kind: out.kind, error: out.error, logs: logText };
    expect(seen).toEqual({ kind: 'response', payload: { batchItemFailures: [] } });
    return JSON.parse((await artifact(aws.s3, BUCKET, taskId, 'result.json'))!);
  }

  describe(`the worker image (Docker ${engine.version})`, () => {
    it('runs as Lambda runs it: read-only, any non-root user, HOME under /tmp, the toolchain on PATH', async () => {
      const uid = randomUid();
      const { stdout } = await runInImage(
        TAG,
        uid,
        'id -u; echo "$HOME"; for t in git python3 node npm make g++ tar curl jq; do command -v $t >/dev/null && echo "has $t"; done; node --version; touch /var/task/x 2>/dev/null || echo "read-only root"; touch /tmp/x && echo "writable tmp"',
      );
      const lines = stdout.trim().split('\n');
      expect(lines).toEqual([String(uid), '/tmp', ...['git', 'python3', 'node', 'npm', 'make', 'g++', 'tar', 'curl', 'jq'].map((t) => `has ${t}`), expect.stringMatching(/^v22\./), 'read-only root', 'writable tmp']);
    }, 120_000);

    it('fixes a Python repository under its entrypoint: real git and unittest output, the diff and result in S3', async () => {
      const repo = path.join(tmp, 'fix');
      writePythonRepo(repo);
      const result = await runTask('py-image', 'Make the unit test pass.', repo, fixTaskTurn);
      expect([result.status, result.stopReason, result.turns, result.diff]).toEqual(['succeeded', 'end_turn', 5, { files: 1, additions: 1, deletions: 1 }]);
      expect(await artifact(aws.s3, BUCKET, 'py-image', 'diff.patch')).toContain('-    return a - b\n+    return a + b\n');
      const requests = requestsOf('py-image');
      const system = String((requests[0].body!.system as { text?: string }[])[0].text);
      expect(system).toContain('Programs found on the PATH of your shell: git, node, npm, python3, pip, make, g++.');
      expect(system).toContain('Not found here: java, go, cargo.');
      const outputs = toolOutputs(requests);
      expect(outputs['tu-status']).toMatch(/^exit code: 0\n## main\n/);
      expect(outputs['tu-test-1']).toMatch(/^exit code: 1\n.*test_adds \(test_calc\.AddTest.*\) \.\.\. FAIL.*AssertionError: -1 != 5.*FAILED \(failures=1\)/s);
      expect(outputs['tu-test-2']).toMatch(/^exit code: 0\n.*test_adds \(test_calc\.AddTest.*\) \.\.\. ok.*\nOK\n/s);
    }, 300_000);

    it('runs a repository setup script that installs a wheel from the repository with pip; the agent\'s shell uses it', async () => {
      const repo = path.join(tmp, 'wheel');
      writeRepoWithWheelSetup(repo);
      const result = await runTask('py-setup', 'Check that greet works.', repo, useWheelTurn);
      expect(result.status).toBe('succeeded');
      const events = await store().readEvents('py-setup', 0);
      const setup = events.filter((e) => e.type.startsWith('setup_'));
      expect(setup.map((e) => [e.type, (e as { status?: string }).status])).toEqual([
        ['setup_started', undefined],
        ['setup_finished', 'succeeded'],
      ]);
      expect((setup[1] as { output: string }).output).toContain('Successfully installed greet-1.0');
      expect(events.findIndex((e) => e.type === 'setup_finished')).toBeLessThan(events.findIndex((e) => e.type === 'turn_started'));
      expect(toolOutputs(requestsOf('py-setup'))['tu-greet']).toBe('exit code: 0\nhello, agent\n');
      // The venv lives under the task's HOME in /tmp: the diff holds nothing of it.
      expect(result.diff).toEqual({ files: 0, additions: 0, deletions: 0 });
    }, 300_000);

    it('ends the task with setup_failed and the tail of the output when the setup script fails, before any model call', async () => {
      const repo = path.join(tmp, 'broken');
      writePythonRepo(repo, { '.agent-runner/setup.sh': 'set -e\necho "installing dependencies"\npython3 -m venv "$HOME/venv"\n"$HOME/venv/bin/pip" install --no-index --find-links wheels no-such-package-here 2>&1\n' });
      const result = await runTask('py-broken', 'Anything.', repo, () => {
        throw new Error('the model must not be called');
      });
      expect([result.status, result.stopReason, result.turns, result.error.code]).toEqual(['failed', 'setup_failed', 0, 'setup_failed']);
      expect(result.error.message).toMatch(/^\.agent-runner\/setup\.sh failed \(exit code 1\); the end of its output:\ninstalling dependencies\n.*No matching distribution found for no-such-package-here/s);
      expect(requestsOf('py-broken')).toEqual([]);
    }, 300_000);

    it('agent-runner dev --image feeds the container from the queue and serves its progress', async () => {
      // Inside the repository, so the progress bundle resolves @aws-sdk/* as the managed runtime provides them.
      const distDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `image-dev-${process.pid}`);
      const build = await loadBuildScript(ROOT);
      await build.buildFunctions({ root: ROOT, outDir: distDir, names: ['progress', 'view'], log: () => undefined });
      const template = build.parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
      scripts.set('dev-image', () => [text('Nothing to change.'), metadata({ inputTokens: 10, outputTokens: 3 })]);
      const devLogs = new PassThrough();
      let devLogText = '';
      devLogs.on('data', (c: Buffer) => (devLogText = (devLogText + c.toString()).slice(-20_000)));
      const stack = await startDevStack({
        root: ROOT,
        distDir,
        port: 0,
        progressPort: 0,
        bucket: 'dev-image',
        queueName: 'dev-image-tasks',
        region: REGION,
        batchSize: 1,
        maxConcurrency: 1,
        maxReceiveCount: 2,
        visibilityTimeoutSeconds: 300,
        worker: functionConfig(template, 'Worker'),
        progress: functionConfig(template, 'Progress'),
        view: functionConfig(template, 'View'),
        variables: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url, POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true', PROGRESS_POLL_MS: '100' },
        credentials: FAKE_CREDENTIALS,
        workerImage: TAG,
        dockerEnv: dockerClientEnv(process.env),
        output: devLogs,
        waitTimeSeconds: 1,
        clock: Date.now,
        log: silentLog,
        progressCredentials: [FAKE_CREDENTIALS],
      });
      // The progress URL checks SigV4 signatures, as IAM auth does.
      const sign = createSigV4Signer({ region: REGION, credentials: async () => FAKE_CREDENTIALS });
      const events = async (timeoutMs?: number) => {
        const url = new URL('tasks/dev-image/events', stack.progressUrl);
        const res = await fetch(url, { headers: await sign(url, {}), ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}) }).catch(() => undefined);
        return res?.status === 200 ? res.text() : '';
      };
      try {
        const sqs = new SQSClient({ region: REGION, endpoint: stack.endpoint, credentials: FAKE_CREDENTIALS });
        await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: JSON.stringify({ taskId: 'dev-image', prompt: '[dev-image] nothing' }) }));
        sqs.destroy();
        // The progress function follows the task until its result event.
        let body = await events(240_000);
        for (let i = 0; i < 120 && !body.includes('event: result'); i++) {
          await new Promise((r) => setTimeout(r, 1000));
          body = await events();
        }
        expect({ last: parseSse(body).events.at(-1)?.data, logs: body.includes('event: result') ? '' : devLogText }).toMatchObject({ last: { type: 'result', taskId: 'dev-image', status: 'succeeded' }, logs: '' });
      } finally {
        await stack.stop();
        fs.rmSync(distDir, { recursive: true, force: true });
      }
    }, 300_000);

    it('agent-runner invoke --image runs the sample worker event in the container', async () => {
      const envFile = path.join(tmp, 'env.json');
      fs.writeFileSync(envFile, JSON.stringify({ Parameters: { ARTIFACT_BUCKET: BUCKET, AWS_ENDPOINT_URL_S3: aws.endpoint, POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' } }));
      // events/worker-sqs.json's prompt has no [id]: its model answers at once.
      scripts.set('', () => [text('Nothing to do.'), metadata({ inputTokens: 10, outputTokens: 3 })]);
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/agent-runner.mjs'), 'invoke', 'worker', 'events/worker-sqs.json', '--image', TAG, '--env-vars', envFile, '--new-task-id'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: tmp, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [] });
      const taskId = /^task: (\S+)$/m.exec(stderr)![1];
      expect(JSON.parse((await artifact(aws.s3, BUCKET, taskId, 'result.json'))!)).toMatchObject({ status: 'succeeded', turns: 1 });
    }, 300_000);
  });
}

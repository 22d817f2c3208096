import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { watchCommand } from '../../../src/cli/watch.ts';
import type { AwsClients } from '../../../src/client/aws.ts';
import { startLocalAws, FAKE_CREDENTIALS, type LocalAws } from '../../support/fauxqs.ts';
import { startS3Proxy } from '../../support/s3-proxy.ts';
import { runCli } from './support/cli.ts';
import { sampleEvents, startSseServer, type SseServer } from './support/sse-server.ts';

const config = { region: 'eu-west-1', credentials: FAKE_CREDENTIALS };
// The progress URL serves the events; S3 (fauxqs) only says which tasks the stack knows.
let aws: LocalAws;
const clients = (): AwsClients => ({ s3: new S3Client({ ...config, endpoint: aws.endpoint, forcePathStyle: true }), sqs: new SQSClient(config), cloudFormation: new CloudFormationClient(config) });
const put = (key: string, body: string) => aws.s3.send(new PutObjectCommand({ Bucket: 'b-1', Key: key, Body: body }));

beforeAll(async () => {
  aws = await startLocalAws({ buckets: ['b-1'] });
  for (const id of ['w-1', 'w-2', 'w-3']) await put(`tasks/${id}/task.json`, JSON.stringify({ taskId: id, prompt: 'p' }));
});
afterAll(async () => aws?.stop());

let server: SseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('agent-runner watch (in-process, against an SSE server)', () => {
  it('prints every event as one JSON line and exits with the task status', async () => {
    const events = sampleEvents('w-1', 2, 'limit_reached');
    server = await startSseServer('w-1', events);
    const run = await runCli(watchCommand, ['watch', 'w-1', '--json', '--progress-url', server.url, '--bucket', 'b-1'], { env: {}, clients });
    expect({ code: run.code, lines: run.stdout.trim().split('\n').map((l) => JSON.parse(l)), stderr: run.stderr }).toEqual({ code: 3, lines: events, stderr: '' });
    expect(server.requests[0].authorization).toMatch(/\/eu-west-1\/lambda\/aws4_request/);
  });

  it('renders progress for people on stderr without --json', async () => {
    server = await startSseServer('w-2', sampleEvents('w-2', 1));
    const run = await runCli(watchCommand, ['watch', 'w-2', '--progress-url', server.url, '--bucket', 'b-1'], { env: {}, clients });
    expect(run).toEqual({
      code: 0,
      stdout: '',
      stderr: 'task w-2 · model m\nturn 1\n  turn 1\nsucceeded · 1 turn · 12 tokens (0% cache read) · $0.0100 · 1 file changed (+2 -1) · 3.0 s\n',
    });
  });

  it('stops following on Ctrl-C with exit 130, saying the task goes on', async () => {
    server = await startSseServer('w-3', sampleEvents('w-3', 1), () => ({ endAfter: 1, stall: true }));
    let interrupt: (() => void) | undefined;
    const pending = runCli(watchCommand, ['watch', 'w-3', '--json', '--progress-url', server.url, '--bucket', 'b-1'], {
      env: {},
      clients,
      onInterrupt: (cb) => {
        interrupt = cb;
        return () => (interrupt = undefined);
      },
    });
    await new Promise((r) => setTimeout(r, 150));
    interrupt?.();
    const run = await pending;
    expect({ code: run.code, lines: run.stdout.trim().split('\n').length, stderr: run.stderr, unsubscribed: interrupt === undefined }).toEqual({
      code: 130,
      lines: 1,
      stderr: 'agent-runner: stopped following; the task goes on (see it again with agent-runner watch TASK_ID)\n',
      unsubscribed: true,
    });
  });

  it('fails at once with exit 2 for a task the stack does not know, without opening the progress stream', async () => {
    server = await startSseServer('w-9', sampleEvents('w-9', 1));
    const run = await runCli(watchCommand, ['watch', 'nobody-1', '--progress-url', server.url, '--bucket', 'b-1'], { env: {}, clients });
    expect({ ...run, requests: server.requests.length }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'agent-runner: task nobody-1 is not known to the stack (no tasks/nobody-1/task.json, no uploaded input): check the task id and the stack, or wait for it with --start-timeout-seconds\n',
      requests: 0,
    });
  });

  it('waits for a queued task whose working tree enqueue uploaded, saying so', async () => {
    await put('inputs/q-1.tar.gz', 'tarball');
    server = await startSseServer('q-1', sampleEvents('q-1', 1), (i) => (i === 0 ? { status: 404 } : {}));
    const run = await runCli(watchCommand, ['watch', 'q-1', '--json', '--progress-url', server.url, '--bucket', 'b-1'], { env: {}, clients, follow: { notFoundPollMs: 20 } });
    expect({ code: run.code, stderr: run.stderr, lines: run.stdout.trim().split('\n').length, connections: server.requests.length }).toEqual({ code: 0, stderr: 'waiting up to 60 s for a worker to start task q-1\n', lines: 3 + 1, connections: 2 });
  });

  it('waits rather than fails when S3 will not say whether the input was uploaded (403 on inputs/)', async () => {
    const proxy = await startS3Proxy(aws.endpoint);
    try {
      proxy.fail({ method: 'HEAD', keyPattern: /^inputs\//, status: 403, code: 'AccessDenied' });
      server = await startSseServer('q-2', sampleEvents('q-2', 1), (i) => (i === 0 ? { status: 404 } : {}));
      const viaProxy = (): AwsClients => ({ ...clients(), s3: new S3Client({ ...config, endpoint: proxy.url, forcePathStyle: true }) });
      const run = await runCli(watchCommand, ['watch', 'q-2', '--json', '--progress-url', server.url, '--bucket', 'b-1'], { env: {}, clients: viaProxy, follow: { notFoundPollMs: 20 } });
      expect({ code: run.code, stderr: run.stderr, denied: proxy.requests.filter((r) => r.answeredBy === 'fault').map((r) => r.key) }).toEqual({ code: 0, stderr: 'waiting up to 60 s for a worker to start task q-2\n', denied: ['inputs/q-2.tar.gz'] });
    } finally {
      await proxy.close();
    }
  });

  it('refuses a malformed task id with exit 2', async () => {
    expect(await runCli(watchCommand, ['watch', '../etc', '--bucket', 'b-1'], { env: {}, clients })).toEqual({ code: 2, stdout: '', stderr: 'agent-runner: TASK_ID "../etc" must match [A-Za-z0-9_-]{1,64}\n' });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { watchCommand } from '../../../src/cli/watch.ts';
import type { AwsClients } from '../../../src/client/aws.ts';
import { runCli } from './support/cli.ts';
import { sampleEvents, startSseServer, type SseServer } from './support/sse-server.ts';

const config = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } };
// S3 is never reached in these tests: the progress URL serves everything.
const clients = (): AwsClients => ({ s3: new S3Client({ ...config, endpoint: 'http://127.0.0.1:9' }), sqs: new SQSClient(config), cloudFormation: new CloudFormationClient(config) });

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
      stderr: 'task w-2 · model m\nturn 1\n  turn 1\nsucceeded · 1 turns · 12 tokens · $0.0100 · 1 files changed (+2 -1)\n',
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

  it('refuses a malformed task id with exit 2', async () => {
    expect(await runCli(watchCommand, ['watch', '../etc', '--bucket', 'b-1'], { env: {}, clients })).toEqual({ code: 2, stdout: '', stderr: 'agent-runner: TASK_ID "../etc" must match [A-Za-z0-9_-]{1,64}\n' });
  });
});

/** The sample events in events/ (for `sam local invoke`) are valid deliveries signed with `sample-webhook-secret`. */
import { readFileSync } from 'node:fs';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliveryTaskId } from '../../src/github/ingest/signature.ts';
import { FakeGitHub } from '../support/fake-github.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../events/${name}`, import.meta.url), 'utf8')) as LambdaFunctionURLEvent;

let aws: LocalAws;
let github: FakeGitHub;
let queueUrl: string;
let handler: (e: LambdaFunctionURLEvent) => Promise<APIGatewayProxyStructuredResultV2>;
let restoreEnv: () => void;

beforeAll(async () => {
  aws = await startLocalAws({ buckets: ['sample-artifacts'] });
  queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'sample-tasks' }))).QueueUrl!;
  github = await FakeGitHub.start();
  github.addRepo('Codertocat', 'Hello-World', { defaultBranch: 'master' });
  github.addIssue('Codertocat', 'Hello-World', { number: 1, comments: [{ id: 492700400, author: 'Codertocat', body: 'x' }] });
  github.setPermission('Codertocat', 'Hello-World', 'Codertocat', 'admin');
  restoreEnv = setEnv({
    ...aws.env,
    ARTIFACT_BUCKET: 'sample-artifacts',
    TASK_QUEUE_URL: queueUrl,
    GITHUB_API_URL: github.url,
    GITHUB_WEBHOOK_SECRET: 'sample-webhook-secret',
    GITHUB_WEBHOOK_SECRET_ARN: undefined,
    GITHUB_TOKEN: 'ghp_sample',
    GITHUB_TOKEN_SECRET_ARN: undefined,
    GITHUB_APP_ID: undefined,
  });
  vi.resetModules();
  handler = (await import('../../functions/webhook.ts')).handler;
});

afterAll(async () => {
  restoreEnv?.();
  await github?.stop();
  await aws?.stop();
});

describe('sample webhook events', () => {
  it('are accepted: the labelled issue and the /agent comment each start a task, ping is acknowledged', async () => {
    const statuses = [];
    for (const name of ['webhook-issues-labeled.json', 'webhook-issue-comment.json', 'webhook-ping.json']) statuses.push((await handler(load(name)) as { statusCode: number }).statusCode);
    const res = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(statuses).toEqual([202, 202, 200]);
    expect((res.Messages ?? []).map((m) => JSON.parse(m.Body!).taskId).sort()).toEqual(
      ['c0ffee00-cc78-11e3-81ab-4c9367dc0958', 'c0ffee01-cc78-11e3-81ab-4c9367dc0958'].map((d) => deliveryTaskId('sample-webhook-secret', d)).sort(),
    );
  });
});

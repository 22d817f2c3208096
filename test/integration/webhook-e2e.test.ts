/**
 * The whole GitHub flow on loopback: a labelled-issue delivery through the webhook function, the
 * task through the worker function (fake Bedrock, source downloaded from the local GitHub without
 * credentials), and its result through the publisher function, down to the recorded API calls
 * that create the branch, the commit and the draft pull request.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signBody } from '../../src/github/ingest/signature.ts';
import { startFakeBedrock, text, toolUse, type FakeBedrock } from '../support/fake-bedrock.ts';
import { FakeGitHub } from '../support/fake-github.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { issuesLabeled } from '../unit/github/payloads.ts';

const BUCKET = 'e2e-artifacts';
const SECRET = 'e2e-webhook-secret';
const TOKEN = 'ghp_e2e_only_ingest_and_publisher';
const O = 'Codertocat';
const R = 'Hello-World';
const DELIVERY = 'e2e00000-cc78-11e3-81ab-4c9367dc0958';
const TASK = `gh-${DELIVERY}`;
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

let aws: LocalAws;
let bedrock: FakeBedrock;
let github: FakeGitHub;
let queueUrl: string;
const restore: (() => void)[] = [];
let webhook: (e: LambdaFunctionURLEvent) => Promise<APIGatewayProxyStructuredResultV2>;
let worker: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;
let publisher: (e: S3Event) => Promise<{ published: Record<string, unknown>[] }>;

const context = {
  functionName: 'worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:worker',
  memoryLimitInMB: '2048',
  awsRequestId: 'e2e-request',
  logGroupName: '/aws/lambda/worker',
  logStreamName: 'e2e',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 600_000,
} as unknown as Context;

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'e2e-tasks' }))).QueueUrl!;
  bedrock = await startFakeBedrock({
    script: [
      [text('The README misspells World.'), toolUse('t1', 'edit_file', { path: 'README.md', old_string: 'Hello Wolrd', new_string: 'Hello World' })],
      [text('Fixed the spelling of "World" in README.md.')],
    ],
  });
  github = await FakeGitHub.start({ tokens: [TOKEN] });
  github.addRepo(O, R, { defaultBranch: 'master', files: { 'README.md': 'Hello Wolrd\n', 'src/index.js': 'console.log(1);\n' } });
  github.addIssue(O, R, { number: 1, title: 'Spelling error in the README file', body: 'It says Wolrd.' });

  restore.push(
    setEnv({
      ...aws.env,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      ARTIFACT_BUCKET: BUCKET,
      TASK_QUEUE_URL: queueUrl,
      MODEL_ID: MODEL,
      GITHUB_API_URL: github.url,
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: TOKEN,
      GITHUB_WEBHOOK_SECRET_ARN: undefined,
      GITHUB_TOKEN_SECRET_ARN: undefined,
      GITHUB_APP_ID: undefined,
      TRIGGER_LABEL: undefined,
      // The worker's EMF metrics would land in the test report.
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    }),
  );
  vi.resetModules();
  webhook = (await import('../../functions/webhook.ts')).handler;
  publisher = (await import('../../functions/publisher.ts')).handler as unknown as typeof publisher;
  // The worker gets no GitHub credential: neither the token nor the webhook secret.
  restore.push(setEnv({ GITHUB_TOKEN: undefined, GITHUB_WEBHOOK_SECRET: undefined }));
  vi.resetModules();
  worker = (await import('../../functions/worker.ts')).handler as unknown as typeof worker;
});

afterAll(async () => {
  for (const r of restore.reverse()) r();
  await github?.stop();
  await bedrock?.close();
  await aws?.stop();
});

describe('a labelled issue becomes a draft pull request', () => {
  it('goes through ingest, worker and publisher', async () => {
    // 1. GitHub delivers the labelled issue.
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const body = JSON.stringify(payload);
    const res = await webhook({
      version: '2.0',
      rawPath: '/',
      headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': DELIVERY, 'x-hub-signature-256': signBody(SECRET, body) },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/' } },
    } as unknown as LambdaFunctionURLEvent);
    expect(res.statusCode).toBe(202);

    // 2. The worker takes the message from the queue.
    const received = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.length).toBe(1);
    const message = received.Messages![0];
    const sqsEvent = {
      Records: [
        {
          messageId: message.MessageId!,
          receiptHandle: message.ReceiptHandle!,
          body: message.Body!,
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: String(Date.now()) },
          messageAttributes: {},
          md5OfBody: message.MD5OfBody!,
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:e2e-tasks',
          awsRegion: 'us-east-1',
        },
      ],
    } as SQSEvent;
    expect(await worker(sqsEvent, context)).toEqual({ batchItemFailures: [] });
    const result = JSON.parse(await (await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `tasks/${TASK}/result.json` }))).Body!.transformToString());
    expect(result).toMatchObject({ taskId: TASK, status: 'succeeded', turns: 2, diff: { files: 1, additions: 1, deletions: 1 } });
    const tarball = github.calls.find((c) => c.path.includes('/tarball'));
    expect(tarball).toMatchObject({ method: 'GET', path: `/repos/${O}/${R}/tarball/master`, authorization: undefined });

    // 3. The result object's S3 notification starts the publisher.
    const s3Event = JSON.parse(readFileSync(new URL('../../events/publisher-result.json', import.meta.url), 'utf8')) as S3Event;
    s3Event.Records[0].s3.bucket.name = BUCKET;
    s3Event.Records[0].s3.object.key = `tasks/${TASK}/result.json`;
    const out = await publisher(s3Event);
    const head = github.branch(O, R, `agent/${TASK}`)!;
    expect(out).toEqual({ published: [{ taskId: TASK, action: 'pull_request', pull: 2, url: `https://github.example/${O}/${R}/pull/2`, branch: `agent/${TASK}`, commit: head }] });

    expect(github.writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/${O}/${R}/issues/1/reactions`,
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/trees`,
      `POST /repos/${O}/${R}/git/commits`,
      `POST /repos/${O}/${R}/git/refs`,
      `POST /repos/${O}/${R}/pulls`,
    ]);
    expect(github.writes().every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const pr = github.writes().at(-1)!.body as { title: string; body: string; head: string; base: string; draft: boolean };
    expect({ title: pr.title, head: pr.head, base: pr.base, draft: pr.draft }).toEqual({ title: 'agent: Spelling error in the README file', head: `agent/${TASK}`, base: 'master', draft: true });
    expect(pr.body).toContain('Closes #1');
    expect(pr.body).toContain('Fixed the spelling of "World" in README.md.');
    expect(pr.body).toContain('| turns | 2 |');
    expect(github.files(O, R, `agent/${TASK}`)).toEqual({
      'README.md': { mode: '100644', content: 'Hello World\n' },
      'src/index.js': { mode: '100644', content: 'console.log(1);\n' },
    });
    expect(github.commit(head).parents).toEqual([github.branch(O, R, 'master')]);
  });
});

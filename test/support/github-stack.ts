/**
 * The GitHub side of the stack on loopback, for end-to-end tests: the webhook, worker and publisher
 * functions' modules configured from the standard variables, S3 and SQS on fauxqs (S3 behind the
 * proxy that enforces conditional writes), Bedrock and GitHub as local fakes. Deliveries go in
 * signed; queued tasks run through the worker, and each result through the publisher, as S3's
 * notification would start it.
 */
import { readFileSync } from 'node:fs';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { vi } from 'vitest';
import { signBody } from '../../src/github/ingest/signature.ts';
import { startFakeBedrock, type FakeBedrock, type FakeBedrockOptions } from './fake-bedrock.ts';
import { FakeGitHub } from './fake-github.ts';
import { setEnv, startLocalAws, type LocalAws } from './fauxqs.ts';
import { startS3Proxy, type S3Proxy } from './s3-proxy.ts';

export interface GitHubStack {
  aws: LocalAws;
  proxy: S3Proxy;
  bedrock: FakeBedrock;
  github: FakeGitHub;
  bucket: string;
  /** The GitHub token the webhook and publisher use (and the worker never gets). */
  token: string;
  /** Signs and delivers one webhook event; the function's answer with its body parsed. */
  deliver(event: string, delivery: string, payload: unknown): Promise<{ statusCode: number; body: Record<string, unknown> }>;
  /** The task messages on the queue, parsed, left there. */
  queued(): Promise<unknown[]>;
  /** Runs every queued task through the worker, then its result through the publisher; the publisher's outcomes. */
  runQueued(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** The webhook secret the stack's deliveries are signed with (task ids derive from it). */
export const STACK_WEBHOOK_SECRET = 'stack-webhook-secret';
const SECRET = STACK_WEBHOOK_SECRET;
const TOKEN = 'ghs_stack_ingest_and_publisher';

const context = {
  functionName: 'worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:worker',
  memoryLimitInMB: '2048',
  awsRequestId: 'stack-request',
  logGroupName: '/aws/lambda/worker',
  logStreamName: 'stack',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 600_000,
} as unknown as Context;

/** Starts the stack; `env` adds to (or, with undefined, removes from) the webhook's and publisher's environment. */
export async function startGitHubStack(opts: { bedrock: FakeBedrockOptions; env?: Record<string, string | undefined> }): Promise<GitHubStack> {
  const bucket = 'stack-artifacts';
  const aws = await startLocalAws({ buckets: [bucket] });
  const queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'stack-tasks' }))).QueueUrl!;
  const proxy = await startS3Proxy(aws.endpoint);
  const bedrock = await startFakeBedrock(opts.bedrock);
  const github = await FakeGitHub.start({ tokens: [TOKEN] });
  const restore = [
    setEnv({
      ...aws.env,
      AWS_ENDPOINT_URL_S3: proxy.url,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      ARTIFACT_BUCKET: bucket,
      TASK_QUEUE_URL: queueUrl,
      MODEL_ID: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      GITHUB_API_URL: github.url,
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: TOKEN,
      GITHUB_WEBHOOK_SECRET_ARN: undefined,
      GITHUB_TOKEN_SECRET_ARN: undefined,
      GITHUB_APP_ID: undefined,
      TRIGGER_LABEL: undefined,
      TRIGGER_CHECK_RUNS: undefined,
      CI_FIX_LABEL: undefined,
      CI_FIX_MAX_ATTEMPTS: undefined,
      // The worker's EMF metrics would land in the test report.
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...opts.env,
    }),
  ];
  vi.resetModules();
  const webhook = (await import('../../functions/webhook.ts')).handler as (e: LambdaFunctionURLEvent) => Promise<APIGatewayProxyStructuredResultV2>;
  const publisher = (await import('../../functions/publisher.ts')).handler as unknown as (e: S3Event) => Promise<{ published: Record<string, unknown>[] }>;
  // The worker gets no GitHub credential: neither the token nor the webhook secret (nor a link key).
  restore.push(setEnv({ GITHUB_TOKEN: undefined, GITHUB_WEBHOOK_SECRET: undefined, VIEW_TOKEN_SECRET: undefined }));
  vi.resetModules();
  const worker = (await import('../../functions/worker.ts')).handler as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;

  const receive = async (visibilityTimeout: number) => {
    const res = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibilityTimeout }));
    return (res.Messages ?? []).map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, md5: m.MD5OfBody!, body: m.Body! }));
  };

  return {
    aws,
    proxy,
    bedrock,
    github,
    bucket,
    token: TOKEN,
    async deliver(event, delivery, payload) {
      const body = JSON.stringify(payload);
      const res = await webhook({
        version: '2.0',
        rawPath: '/',
        headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': signBody(SECRET, body) },
        body,
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST', path: '/' } },
      } as unknown as LambdaFunctionURLEvent);
      return { statusCode: res.statusCode ?? 0, body: JSON.parse(String(res.body)) as Record<string, unknown> };
    },
    async queued() {
      return (await receive(0)).map((m) => JSON.parse(m.body) as unknown);
    },
    async runQueued() {
      const outcomes: Record<string, unknown>[] = [];
      for (const m of await receive(300)) {
        const record = {
          messageId: m.messageId,
          receiptHandle: m.receiptHandle,
          body: m.body,
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: String(Date.now()) },
          messageAttributes: {},
          md5OfBody: m.md5,
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:stack-tasks',
          awsRegion: 'us-east-1',
        };
        const batch = await worker({ Records: [record] } as SQSEvent, context);
        if (batch.batchItemFailures.length > 0) throw new Error(`the worker failed ${m.messageId}`);
        const taskId = (JSON.parse(m.body) as { taskId: string }).taskId;
        // The sample notification of events/, pointed at this result.
        const event = JSON.parse(readFileSync(new URL('../../events/publisher-result.json', import.meta.url), 'utf8')) as S3Event;
        event.Records[0].s3.bucket.name = bucket;
        event.Records[0].s3.object.key = `tasks/${taskId}/result.json`;
        outcomes.push(...(await publisher(event)).published);
      }
      return outcomes;
    },
    async stop() {
      for (const r of restore.reverse()) r();
      await github.stop();
      await bedrock.close();
      await proxy.close();
      await aws.stop();
    },
  };
}

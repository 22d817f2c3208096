/**
 * The whole stack on loopback for the CI tests: fauxqs (S3, SQS), the fake Bedrock, the real
 * worker handler consuming the queue, and the real progress handler behind a small function-URL
 * adapter that checks SigV4 (AuthType AWS_IAM) before invoking it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createLocalStack } from '../../../../src/local/stack.ts';
import { createAwsLambdaGlobal, createLambdaContext, invokeHandler } from '../../../../src/local/lambda-runtime.ts';
import { LocalResponseStream } from '../../../../src/local/response-stream.ts';
import { FAKE_CREDENTIALS, REGION, setEnv, startLocalAws, type LocalAws } from '../../../support/fauxqs.ts';
import { startFakeBedrock, type FakeBedrock, type Turn } from '../../../support/fake-bedrock.ts';
import { verifySigV4 } from '../../../../src/local/sigv4.ts';

export const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const BUCKET = 'agent-runner-artifacts';

export interface LocalStackHarness {
  aws: LocalAws;
  bedrock: FakeBedrock;
  bucket: string;
  queueUrl: string;
  /** The progress adapter's URL (`http://127.0.0.1:<port>/`). */
  progressUrl: string;
  /** What the CLI needs in its environment to use this stack (credentials, endpoints, stack). */
  cliEnv: Record<string, string>;
  /** Status codes the progress adapter answered, in order. */
  progressStatuses: number[];
  stop(): Promise<void>;
}

/**
 * Starts the stack. `turn(prompt, index, body)` decides each model turn from the task's prompt
 * and the turn's index, so one worker (whose Bedrock client is built once) serves every test.
 */
export async function startLocalStackHarness(turn: (prompt: string, index: number) => Turn): Promise<LocalStackHarness> {
  const aws = await startLocalAws();
  const stack = await createLocalStack(aws.s3, aws.sqs, { bucket: BUCKET, queueName: 'agent-runner-tasks', visibilityTimeout: 120, maxReceiveCount: 3 });
  const dispatch = (body: Record<string, any>) => {
    const messages = (body.messages ?? []) as { role: string; content: { text?: string }[] }[];
    const prompt = messages[0]?.content?.map((c) => c.text ?? '').join('') ?? '';
    return turn(prompt, messages.filter((m) => m.role === 'assistant').length);
  };
  const bedrock = await startFakeBedrock({ script: Array.from({ length: 200 }, () => dispatch) });
  const restoreEnv = setEnv({
    ...aws.env,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    ARTIFACT_BUCKET: BUCKET,
    TASK_QUEUE_URL: stack.queueUrl,
    MODEL_ID: MODEL,
    PROGRESS_POLL_MS: '50',
    PROGRESS_HEARTBEAT_MS: '500',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_LAMBDA_LOG_LEVEL: 'ERROR',
  });
  const uninstall = installRuntimeGlobal();
  const worker = (await import('../../../../functions/worker.ts')).handler as unknown as (e: SQSEvent, c: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  const progress = (await import('../../../../functions/progress.ts')).handler;

  let running = true;
  const consumer = (async () => {
    while (running) {
      const res = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0, AttributeNames: ['All'] })).catch(() => ({ Messages: [] }));
      const messages = res.Messages ?? [];
      if (messages.length === 0) {
        await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      const event: SQSEvent = {
        Records: messages.map((m) => ({
          messageId: m.MessageId ?? '',
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          attributes: (m.Attributes ?? {}) as never,
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: stack.queueArn,
          awsRegion: REGION,
        })),
      };
      const context = createLambdaContext({ functionName: 'worker', timeoutMs: 900_000, clock: Date.now, region: REGION });
      const out = await worker(event, context);
      const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of messages) {
        if (!failed.has(m.MessageId ?? '')) await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: stack.queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  })();

  const progressStatuses: number[] = [];
  const server = http.createServer((req, res) => {
    const verdict = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, secrets: { [FAKE_CREDENTIALS.accessKeyId]: FAKE_CREDENTIALS.secretAccessKey }, service: 'lambda', region: REGION });
    if (verdict) {
      progressStatuses.push(403);
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: 'Forbidden' }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://local');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
      requestContext: { http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' } },
      isBase64Encoded: false,
    };
    const stream = new LocalResponseStream();
    stream.on('prelude', (p: { statusCode?: number; headers?: Record<string, string> } | undefined) => {
      progressStatuses.push(p?.statusCode ?? 200);
      res.writeHead(p?.statusCode ?? 200, p?.headers ?? {});
      res.flushHeaders();
    });
    stream.on('body', (c: Buffer) => res.write(c));
    // A watcher that goes away makes the runtime's stream fail, which ends the handler.
    res.on('close', () => {
      if (!stream.writableEnded) stream.destroy(new Error('client went away'));
    });
    const context = createLambdaContext({ functionName: 'progress', timeoutMs: 60_000, clock: Date.now, region: REGION });
    invokeHandler(progress, event, context, stream)
      .catch(() => undefined)
      .finally(() => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const progressUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  return {
    aws,
    bedrock,
    bucket: BUCKET,
    queueUrl: stack.queueUrl,
    progressUrl,
    progressStatuses,
    cliEnv: {
      ...aws.env,
      AGENT_RUNNER_QUEUE_URL: stack.queueUrl,
      AGENT_RUNNER_BUCKET: BUCKET,
      AGENT_RUNNER_PROGRESS_URL: progressUrl,
    },
    async stop() {
      running = false;
      await consumer;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await bedrock.close();
      await aws.stop();
      uninstall();
      restoreEnv();
    },
  };
}

/**
 * Puts the runtime's streaming API on `globalThis.awslambda`. The global may exist already
 * without it: @aws/lambda-invoke-store (loaded with the SDK) creates an empty one.
 */
function installRuntimeGlobal(): () => void {
  const g = globalThis as { awslambda?: Record<string, unknown> };
  if (typeof g.awslambda?.streamifyResponse === 'function') return () => undefined;
  const added = createAwsLambdaGlobal() as unknown as Record<string, unknown>;
  g.awslambda = Object.assign(g.awslambda ?? {}, added);
  return () => {
    for (const k of Object.keys(added)) delete g.awslambda?.[k];
  };
}

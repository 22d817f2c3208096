import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Log } from '../observability/logger.ts';
import { startEmulator } from './emulator.ts';
import { createLocalStack } from './stack.ts';
import { loadBundle } from './invoke.ts';
import { createLambdaContext, invokeHandler } from './lambda-runtime.ts';
import { startQueuePoller } from './queue-poller.ts';
import { startS3ConditionalProxy } from './s3-proxy.ts';
import { startFunctionUrlServer, type IamAuth } from './url-server.ts';

export interface DevStackOptions {
  /** Where the bundles are: `<distDir>/worker/index.mjs`, `<distDir>/progress/index.mjs`. */
  distDir: string;
  /** Emulator port (0: ephemeral). */
  port: number;
  /** Progress function port (0: ephemeral). */
  progressPort: number;
  /** Watch page (view function) port (default 0: ephemeral). */
  viewPort?: number;
  /** The key of the watch-page links (default: random for this run). */
  viewKey?: string;
  bucket: string;
  queueName: string;
  region: string;
  batchSize: number;
  maxConcurrency: number;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  workerTimeoutMs: number;
  progressTimeoutMs: number;
  /** Sets variables in the process environment the bundles read (the caller owns process.env). */
  setEnv(vars: Record<string, string>): void;
  clock: () => number;
  log: Log;
  /** Long-poll wait of the queue poller, seconds (default 1). */
  waitTimeSeconds?: number;
  /**
   * Credentials whose SigV4 signatures the progress function URL accepts (`AuthType: AWS_IAM`);
   * every other request gets 403, for a known task as for an unknown one.
   */
  progressCredentials: IamAuth['credentials'];
  /** S3 and SQS endpoints to use instead of starting fauxqs and its conditional-write proxy. */
  aws?: { s3Endpoint: string; sqsEndpoint: string };
}

export interface DevStack {
  /** The emulator (SQS, and S3 without conditional writes). */
  endpoint: string;
  /** S3 as the stack uses it: the emulator behind the conditional-write proxy. */
  s3Endpoint: string;
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
  progressUrl: string;
  /** The view function's URL: watch pages at `<viewUrl>tasks/<id>/view?token=...`. */
  viewUrl: string;
  /** What a client needs to use this stack (the CI commands read these). */
  env: Record<string, string>;
  /** Worker invocations so far. */
  readonly invocations: number;
  stop(): Promise<void>;
}

/**
 * The whole stack on one machine, as strict as the deployed one: fauxqs for S3 and SQS with the
 * template's bucket, queue and dead-letter queue, S3 behind the proxy that enforces conditional
 * writes (leases, delivery ids); the built worker fed from the queue as the event-source mapping
 * would; the built progress function behind a local function URL that verifies SigV4 signatures
 * as IAM auth does. The bundles run in this process with the local `awslambda` global.
 */
export async function startDevStack(opts: DevStackOptions): Promise<DevStack> {
  for (const fn of ['worker', 'progress', 'view']) {
    const p = path.join(opts.distDir, fn, 'index.mjs');
    if (!fs.existsSync(p)) throw new Error(`${p} does not exist: run \`npm run build\` first`);
  }
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let endpoints = opts.aws;
    let emulatorEndpoint = opts.aws?.sqsEndpoint;
    if (!endpoints) {
      const emulator = await startEmulator({ port: opts.port, region: opts.region });
      cleanups.push(() => emulator.close());
      // fauxqs ignores If-None-Match and If-Match: without the proxy a delivery made twice would run its task twice.
      const proxy = await startS3ConditionalProxy({ target: emulator.endpoint });
      cleanups.push(() => proxy.close());
      endpoints = { s3Endpoint: proxy.url, sqsEndpoint: emulator.endpoint };
      emulatorEndpoint = emulator.endpoint;
    }
    const s3 = new S3Client({ region: opts.region, endpoint: endpoints.s3Endpoint, forcePathStyle: true });
    const sqs = new SQSClient({ region: opts.region, endpoint: endpoints.sqsEndpoint });
    cleanups.push(async () => {
      s3.destroy();
      sqs.destroy();
    });
    const stack = await createLocalStack(s3, sqs, {
      bucket: opts.bucket,
      queueName: opts.queueName,
      visibilityTimeout: opts.visibilityTimeoutSeconds,
      maxReceiveCount: opts.maxReceiveCount,
    });
    const env = {
      AWS_REGION: opts.region,
      AWS_ENDPOINT_URL_S3: endpoints.s3Endpoint,
      AWS_ENDPOINT_URL_SQS: endpoints.sqsEndpoint,
      ARTIFACT_BUCKET: stack.bucket,
      TASK_QUEUE_URL: stack.queueUrl,
    };
    const viewKey = opts.viewKey ?? randomBytes(32).toString('base64url');
    // The worker ends a task whose deliveries keep dying on the queue's last one.
    opts.setEnv({ ...env, VIEW_TOKEN_SECRET: viewKey, MAX_RECEIVE_COUNT: String(opts.maxReceiveCount) });

    const worker = await loadBundle(path.join(opts.distDir, 'worker', 'index.mjs'));
    const context = (name: string, timeoutMs: number) => () =>
      createLambdaContext({ functionName: name, timeoutMs, region: opts.region, clock: opts.clock });
    const workerContext = context('Worker', opts.workerTimeoutMs);
    const poller = startQueuePoller({
      sqs,
      queueUrl: stack.queueUrl,
      queueArn: stack.queueArn,
      region: opts.region,
      batchSize: opts.batchSize,
      maxConcurrency: opts.maxConcurrency,
      waitTimeSeconds: opts.waitTimeSeconds,
      log: opts.log,
      invoke: async (event) => {
        const out = await invokeHandler(worker, event, workerContext());
        return out.streaming ? undefined : out.result;
      },
    });
    cleanups.push(() => poller.stop());

    const progress = await loadBundle(path.join(opts.distDir, 'progress', 'index.mjs'));
    const server = await startFunctionUrlServer({
      handler: progress,
      context: context('Progress', opts.progressTimeoutMs),
      clock: opts.clock,
      log: opts.log,
      port: opts.progressPort,
      iamAuth: { region: opts.region, credentials: opts.progressCredentials },
    });
    cleanups.push(() => server.close());

    // The watch pages, as the stack's public view function URL serves them.
    const view = await startFunctionUrlServer({
      handler: await loadBundle(path.join(opts.distDir, 'view', 'index.mjs')),
      context: context('View', opts.progressTimeoutMs),
      clock: opts.clock,
      log: opts.log,
      port: opts.viewPort ?? 0,
    });
    cleanups.push(() => view.close());

    return {
      endpoint: emulatorEndpoint!,
      s3Endpoint: endpoints.s3Endpoint,
      bucket: stack.bucket,
      queueUrl: stack.queueUrl,
      dlqUrl: stack.dlqUrl,
      progressUrl: server.url,
      viewUrl: view.url,
      env: { ...env, AGENT_RUNNER_PROGRESS_URL: server.url, AGENT_RUNNER_VIEW_URL: view.url, AGENT_RUNNER_VIEW_SECRET: viewKey },
      get invocations() {
        return poller.invocations;
      },
      stop: () => runCleanups(cleanups),
    };
  } catch (err) {
    await runCleanups(cleanups);
    throw err;
  }
}

async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  // Last started, first stopped: the poller and server before the emulator they use.
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

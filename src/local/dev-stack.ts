import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Log } from '../observability/logger.ts';
import type { CallerCredentials } from './caller-aws.ts';
import { startEmulator } from './emulator.ts';
import type { FunctionConfig } from './function-config.ts';
import { prepareLocalFunction } from './function-runner.ts';
import { describeFunctionError, type LocalFunction, type LocalInvocation } from './local-function.ts';
import { functionPool } from './pool.ts';
import { createLocalStack } from './stack.ts';
import { startQueuePoller } from './queue-poller.ts';
import { startS3ConditionalProxy } from './s3-proxy.ts';
import { startFunctionUrlServer, type IamAuth } from './url-server.ts';
import type { InvokeResult } from './lambda-runtime.ts';
import type { LocalResponseStream } from './response-stream.ts';

export interface DevStackOptions {
  /** The repository root (the RIC's default place). */
  root: string;
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
  /** The functions as the template has them (timeouts, memory, literal variables). */
  worker: FunctionConfig;
  progress: FunctionConfig;
  view: FunctionConfig;
  /** Variables every function gets besides the stack's (a fake model's endpoint, log levels...). */
  variables: Record<string, string>;
  /** The credentials the functions get in place of their roles'. */
  credentials?: CallerCredentials;
  /** Run the worker from this container image instead of its bundle. */
  workerImage?: string;
  /** Where scripts/image/ric.sh installed the RIC (default under `<root>/.cache/`). */
  ricDir?: string;
  /** With workerImage: what the docker client needs of the caller's environment. */
  dockerEnv?: Record<string, string>;
  /** Where the functions' logs go. */
  output: Writable;
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
 * writes (leases, delivery ids); the worker fed from the queue as the event-source mapping would;
 * the progress function behind a local function URL that verifies SigV4 signatures as IAM auth
 * does, and the watch pages (view function) behind another. Each function runs as Lambda runs it,
 * its bundle under the official RIC (or the worker's container image) against a local Runtime
 * API, with the stack's variables, in execution environments started on demand and kept warm.
 */
export async function startDevStack(opts: DevStackOptions): Promise<DevStack> {
  for (const fn of ['worker', 'progress', 'view']) {
    const p = path.join(opts.distDir, fn, 'index.mjs');
    if (!fs.existsSync(p) && !(fn === 'worker' && opts.workerImage)) throw new Error(`${p} does not exist: run \`npm run build\` first`);
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
    // The emulator takes any keys: the functions' own when given, else the default chain's.
    const credentials = opts.credentials ? { credentials: opts.credentials } : {};
    const s3 = new S3Client({ region: opts.region, endpoint: endpoints.s3Endpoint, forcePathStyle: true, ...credentials });
    const sqs = new SQSClient({ region: opts.region, endpoint: endpoints.sqsEndpoint, ...credentials });
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
    // The worker ends a task whose deliveries keep dying on the queue's last one (MAX_RECEIVE_COUNT).
    const { AWS_REGION: _region, ...stackVariables } = { ...env, VIEW_TOKEN_SECRET: viewKey, MAX_RECEIVE_COUNT: String(opts.maxReceiveCount) };
    const pool = async (name: string, config: FunctionConfig, image?: string): Promise<LocalFunction & { readonly environments: number }> => {
      const spec = {
        root: opts.root,
        distDir: opts.distDir,
        name,
        config,
        region: opts.region,
        ...(opts.credentials ? { credentials: opts.credentials } : {}),
        variables: { ...config.variables, ...opts.variables, ...stackVariables },
        ...(image ? { image } : {}),
        ...(opts.ricDir ? { ricDir: opts.ricDir } : {}),
        ...(opts.dockerEnv ? { dockerEnv: opts.dockerEnv } : {}),
        output: opts.output,
        clock: opts.clock,
      };
      // Checked now, so that a missing piece (the RIC, the image) fails the start.
      const fns = functionPool((await prepareLocalFunction(spec)).create);
      cleanups.push(() => fns.stop());
      return fns;
    };

    const worker = await pool('worker', opts.worker, opts.workerImage);
    const poller = startQueuePoller({
      sqs,
      queueUrl: stack.queueUrl,
      queueArn: stack.queueArn,
      region: opts.region,
      batchSize: opts.batchSize,
      maxConcurrency: opts.maxConcurrency,
      waitTimeSeconds: opts.waitTimeSeconds,
      log: opts.log,
      invoke: async (event) => resultOf(await worker.invoke(event)),
    });
    cleanups.push(() => poller.stop());

    const progress = await pool('progress', opts.progress);
    const server = await startFunctionUrlServer({
      invoke: async (event, stream) => streamedResult(await progress.invoke(event, { stream }), stream),
      clock: opts.clock,
      log: opts.log,
      port: opts.progressPort,
      iamAuth: { region: opts.region, credentials: opts.progressCredentials },
    });
    cleanups.push(() => server.close());

    // The watch pages, as the stack's public view function URL serves them.
    const viewFn = await pool('view', opts.view);
    const view = await startFunctionUrlServer({
      invoke: async (event, stream) => streamedResult(await viewFn.invoke(event, { stream }), stream),
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

/** A buffered invocation's payload; a failed one throws (the poller retries the whole batch, as Lambda does). */
function resultOf(out: LocalInvocation): unknown {
  if (out.kind === 'error') throw new Error(describeFunctionError(out.error));
  return out.streaming ? undefined : out.payload;
}

/** What the function-URL server needs of a streamed invocation. */
function streamedResult(out: LocalInvocation, stream: LocalResponseStream): InvokeResult {
  if (out.kind === 'error') throw new Error(describeFunctionError(out.error));
  if (!out.streaming) return { streaming: false, result: out.payload };
  if (out.error) throw new Error(describeFunctionError(out.error));
  return { streaming: true, prelude: stream.prelude, wroteBeforeEnd: stream.wroteBeforeEnd, body: stream.body };
}

async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  // Last started, first stopped: the poller and server before the emulator they use.
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

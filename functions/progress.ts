/**
 * The progress function: a response-streaming function URL serving a task's events as
 * server-sent events (contract section 8), following them in S3 with short polling.
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3ArtifactStore } from '../src/store/s3.ts';
import { createLogger, powertoolsLog } from '../src/observability/logger.ts';
import { handleProgressRequest } from '../src/progress/index.ts';
import { requireEnv, s3ClientFrom } from './lib/aws.ts';

const env = process.env;
const logger = createLogger({ serviceName: 'agent-runner-progress' });
const log = powertoolsLog(logger);
const store = new S3ArtifactStore({ client: s3ClientFrom(env), bucket: requireEnv(env, 'ARTIFACT_BUCKET') });
const pollMs = Number(env.PROGRESS_POLL_MS ?? '400');
const heartbeatMs = Number(env.PROGRESS_HEARTBEAT_MS ?? '15000');

export const handler = awslambda.streamifyResponse<LambdaFunctionURLEvent>(async (event, responseStream, context) => {
  logger.addContext(context);
  await handleProgressRequest(event, responseStream, {
    store,
    from: (stream, prelude) => awslambda.HttpResponseStream.from(stream, prelude),
    remainingMs: () => context.getRemainingTimeInMillis(),
    clock: Date.now,
    sleep: (ms) => sleep(ms),
    log,
    pollMs,
    heartbeatMs,
  });
});

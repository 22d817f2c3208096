/**
 * The view function: a public, response-streaming function URL serving each task's watch page
 * behind its capability link (`/tasks/<id>/view?token=...`), the page's event feed, its diff and
 * download links. The token is the only credential: it is checked before anything is read.
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3ArtifactStore } from '../src/store/s3.ts';
import { createLogger, powertoolsLog } from '../src/observability/logger.ts';
import { createRedactor } from '../src/security/index.ts';
import { handleViewRequest, presignGetObject } from '../src/view/index.ts';
import { endpointFor, regionOf, requireEnv, s3ClientFrom } from './lib/aws.ts';
import { viewKeyFrom } from './lib/view-key.ts';

const env = process.env;
const clock = () => Date.now();
const logger = createLogger({ serviceName: 'agent-runner-view' });
const log = powertoolsLog(logger);
const s3 = s3ClientFrom(env);
const bucket = requireEnv(env, 'ARTIFACT_BUCKET');
const store = new S3ArtifactStore({ client: s3, bucket });
const key = viewKeyFrom(env, clock) ?? (() => Promise.reject(new Error('the function has neither VIEW_TOKEN_SECRET_ARN nor VIEW_TOKEN_SECRET')));
const region = regionOf(env);
const endpoint = endpointFor('S3', env);
const presign = {
  region,
  credentials: () => s3.config.credentials(),
  // The S3 client's own endpoint rules: no host name is written here.
  bucketEndpoint: (b: string) => new URL(s3.config.endpointProvider({ Bucket: b, Region: region, Endpoint: endpoint, ForcePathStyle: endpoint !== undefined, UseFIPS: false, UseDualStack: false, Accelerate: false }).url.toString()),
  clock,
};
const redactor = createRedactor();
const pollMs = Number(env.PROGRESS_POLL_MS ?? '400');
const heartbeatMs = Number(env.PROGRESS_HEARTBEAT_MS ?? '15000');

export const handler = awslambda.streamifyResponse<LambdaFunctionURLEvent>(async (event, responseStream, context) => {
  logger.addContext(context);
  await handleViewRequest(event, responseStream, {
    store,
    from: (stream, prelude) => awslambda.HttpResponseStream.from(stream, prelude),
    remainingMs: () => context.getRemainingTimeInMillis(),
    clock,
    sleep: (ms) => sleep(ms),
    log,
    pollMs,
    heartbeatMs,
    key,
    presign: (taskId, name, opts) => presignGetObject(presign, bucket, `tasks/${taskId}/${name}`, opts),
    redactor,
  });
});

import { describe, expect, it } from 'vitest';
import { createAwsClients, endpointFromEnv, isLoopback, resolveCallerIdentity } from '../../../src/client/aws.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { ClientConfigError } from '../../../src/client/errors.ts';

describe('endpoints from the standard variables', () => {
  it('prefers the service variable, falls back to AWS_ENDPOINT_URL, and can be switched off', () => {
    const env = { AWS_ENDPOINT_URL: 'http://all:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' };
    expect([endpointFromEnv(env, 'S3'), endpointFromEnv(env, 'SQS'), endpointFromEnv({}, 'CLOUDFORMATION'), endpointFromEnv({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'S3')]).toEqual([
      'http://s3:2',
      'http://all:1',
      undefined,
      undefined,
    ]);
  });

  it('recognises loopback endpoints', () => {
    expect(['http://127.0.0.1:4566', 'http://localhost:1', 'http://s3.localhost:1', 'http://[::1]:9', 'https://s3.amazonaws.com', 'nonsense'].map(isLoopback)).toEqual([true, true, true, true, false, false]);
  });

  it('points the clients at the endpoints, path-style for a loopback S3', async () => {
    const c = createAwsClients({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4567', AWS_REGION: 'us-east-1' });
    const s3Endpoint = await c.s3.config.endpoint?.();
    const sqsEndpoint = await c.sqs.config.endpoint?.();
    expect({ s3: `${s3Endpoint?.hostname}:${s3Endpoint?.port}`, pathStyle: c.s3.config.forcePathStyle, sqs: `${sqsEndpoint?.hostname}:${sqsEndpoint?.port}` }).toEqual({ s3: '127.0.0.1:4566', pathStyle: true, sqs: '127.0.0.1:4567' });
  });
});

describe('resolveCallerIdentity', () => {
  it('returns the region and a credentials provider', async () => {
    const id = await resolveCallerIdentity(new S3Client({ region: 'ap-south-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } }));
    expect({ region: id.region, akid: (await id.credentials()).accessKeyId }).toEqual({ region: 'ap-south-1', akid: 'AKID' });
  });

  it('turns a failing credentials provider into one ClientConfigError line', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials: async () => Promise.reject(new Error('Could not load credentials from any providers\nmore detail')) });
    const err = await resolveCallerIdentity(client).catch((e) => e);
    expect({ type: err.constructor, message: err.message }).toEqual({
      type: ClientConfigError,
      message: 'no AWS credentials found (Could not load credentials from any providers): configure them with `aws configure`, AWS_PROFILE, the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables or an OIDC role in CI',
    });
  });
});

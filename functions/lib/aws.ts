import { randomBytes } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { endpointFor, regionOf, type Env } from './env.ts';

export { awsClientConfig, endpointFor, listEnv, regionOf, requireEnv, sweepScopeOf } from './env.ts';
export type { AwsClientConfig, Env } from './env.ts';

/**
 * An S3 client with `credentials` or else the default credential chain; with an endpoint override (a local emulator)
 * path-style addressing, since `<bucket>.127.0.0.1` does not resolve.
 */
export function s3ClientFrom(env: Env, credentials?: S3ClientConfig['credentials']): S3Client {
  const endpoint = endpointFor('S3', env);
  return new S3Client({ region: regionOf(env), ...(endpoint ? { endpoint, forcePathStyle: true } : {}), ...(credentials ? { credentials } : {}) });
}

/** An unguessable task id: 128 random bits, base64url (22 characters of [A-Za-z0-9_-]). */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}


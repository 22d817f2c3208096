import { randomBytes } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

type Env = Record<string, string | undefined>;

/** The Region the function runs in (Lambda sets AWS_REGION). */
export function regionOf(env: Env): string {
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/** The endpoint override for a service: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL. */
export function endpointFor(service: 'S3' | 'SQS' | 'BEDROCK_RUNTIME', env: Env): string | undefined {
  const v = env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * An S3 client with `credentials` or else the default credential chain; with an endpoint override (a local emulator)
 * path-style addressing, since `<bucket>.127.0.0.1` does not resolve.
 */
export function s3ClientFrom(env: Env, credentials?: S3ClientConfig['credentials']): S3Client {
  const endpoint = endpointFor('S3', env);
  return new S3Client({ region: regionOf(env), ...(endpoint ? { endpoint, forcePathStyle: true } : {}), ...(credentials ? { credentials } : {}) });
}

/** A required setting of the function's environment. */
export function requireEnv(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new Error(`the function's environment lacks ${name}`);
  return v.trim();
}

/** An unguessable task id: 128 random bits, base64url (22 characters of [A-Za-z0-9_-]). */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}

/** A comma-separated list from the environment (empty entries dropped). */
export function listEnv(env: Env, name: string): string[] | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

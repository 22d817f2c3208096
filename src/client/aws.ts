import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AwsCredentialIdentity } from '@smithy/types';
import { checkAwsAccess } from './aws-checks.ts';

/** The environment variables the client reads (passed in from the CLI's edge). */
export type Env = Record<string, string | undefined>;

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  cloudFormation: CloudFormationClient;
}

export interface CallerIdentity {
  region: string;
  /** The default chain's credentials provider (memoised by the SDK). */
  credentials: () => Promise<AwsCredentialIdentity>;
}

/**
 * An endpoint override from the standard variables (contract section 2): the service-specific
 * `AWS_ENDPOINT_URL_<SERVICE>` first, then `AWS_ENDPOINT_URL`; undefined means the SDK default.
 */
export function endpointFromEnv(env: Env, service: 'S3' | 'SQS' | 'CLOUDFORMATION' | 'SECRETS_MANAGER'): string | undefined {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) return undefined;
  const v = env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL;
  return v ? v : undefined;
}

/**
 * Builds the S3, SQS and CloudFormation clients with the SDK's default credential chain and
 * region, pointed at `AWS_ENDPOINT_URL*` when set. A loopback S3 endpoint uses path-style URLs
 * (`bucket.localhost` does not resolve everywhere).
 */
export function createAwsClients(env: Env): AwsClients {
  const s3Endpoint = endpointFromEnv(env, 'S3');
  const sqsEndpoint = endpointFromEnv(env, 'SQS');
  const cfnEndpoint = endpointFromEnv(env, 'CLOUDFORMATION');
  return {
    s3: new S3Client({
      ...(s3Endpoint ? { endpoint: s3Endpoint, forcePathStyle: isLoopback(s3Endpoint) || isTrue(env.AWS_S3_FORCE_PATH_STYLE) } : {}),
    }),
    sqs: new SQSClient({ ...(sqsEndpoint ? { endpoint: sqsEndpoint } : {}) }),
    cloudFormation: new CloudFormationClient({ ...(cfnEndpoint ? { endpoint: cfnEndpoint } : {}) }),
  };
}

/**
 * The caller's region and credentials, resolved once so that a missing region or missing
 * credentials is one clear ClientConfigError before anything is packed or sent.
 */
export async function resolveCallerIdentity(client: S3Client, env: Env = {}): Promise<CallerIdentity> {
  const region = await checkAwsAccess(client.config, env);
  const provider = client.config.credentials;
  return { region, credentials: () => provider() };
}

/** True for `localhost`, `*.localhost` and loopback IP endpoints. */
export function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';
  } catch {
    return false;
  }
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes)$/i.test(v.trim());
}

/** The first line of a message, bounded, for one-line errors. */
export function firstLine(s: string, max = 200): string {
  const l = s.split('\n')[0] ?? '';
  return l.length > max ? `${l.slice(0, max)}…` : l;
}

/** The functions' settings from their environment, without any SDK import (small cold starts). */
export type Env = Record<string, string | undefined>;

/** The Region the function runs in (Lambda sets AWS_REGION). */
export function regionOf(env: Env): string {
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/** The endpoint override for a service: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL. */
export function endpointFor(service: 'S3' | 'SQS' | 'BEDROCK_RUNTIME' | 'SECRETS_MANAGER' | 'LAMBDA', env: Env): string | undefined {
  const v = env[`AWS_ENDPOINT_URL_${service}`]?.trim() || env.AWS_ENDPOINT_URL?.trim();
  return v ? v : undefined;
}

/** Client options for one AWS service from the standard variables (contract section 2). */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  /** Set with a custom endpoint: local emulators serve buckets by path. */
  forcePathStyle?: boolean;
}

const SERVICE = { s3: 'S3', sqs: 'SQS', secretsmanager: 'SECRETS_MANAGER' } as const;

/**
 * `endpoint` from the service's `AWS_ENDPOINT_URL_<SERVICE>` or else `AWS_ENDPOINT_URL`, when set;
 * otherwise the SDK's defaults (default credential chain and region) apply untouched.
 */
export function awsClientConfig(env: Env, service: keyof typeof SERVICE): AwsClientConfig {
  const endpoint = endpointFor(SERVICE[service], env);
  const config: AwsClientConfig = {};
  if (env.AWS_REGION) config.region = env.AWS_REGION;
  if (endpoint) {
    config.endpoint = endpoint;
    if (service === 's3') config.forcePathStyle = true;
  }
  return config;
}

/** A required setting of the function's environment. */
export function requireEnv(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new Error(`the function's environment lacks ${name}`);
  return v.trim();
}

/** A comma-separated list from the environment (empty entries dropped). */
export function listEnv(env: Env, name: string): string[] | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Which processes the worker may kill as tools' leftovers (src/security/processes.ts): `uid`
 * (every process of its user started after it) where the worker is its user's only legitimate
 * process, which Lambda is (AWS_EXECUTION_ENV names a Lambda runtime; the template also sets
 * TOOL_PROCESS_SWEEP=uid, for images); `marked` (only tagged tool processes) anywhere else, such
 * as a developer's machine under `agent-runner invoke` or `dev`.
 */
export function sweepScopeOf(env: Env): 'uid' | 'marked' {
  const set = env.TOOL_PROCESS_SWEEP?.trim();
  if (set === 'uid' || set === 'marked') return set;
  return env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_') ? 'uid' : 'marked';
}

/** Client options for one AWS service from the standard variables (contract section 2). */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  /** Set with a custom endpoint: local emulators serve buckets by path. */
  forcePathStyle?: boolean;
}

const SERVICE_VARIABLE = { s3: 'AWS_ENDPOINT_URL_S3', sqs: 'AWS_ENDPOINT_URL_SQS', secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' } as const;

/**
 * `endpoint` from the service's `AWS_ENDPOINT_URL_<SERVICE>` or else `AWS_ENDPOINT_URL`, when set;
 * otherwise the SDK's defaults (default credential chain and region) apply untouched.
 */
export function awsClientConfig(env: Record<string, string | undefined>, service: keyof typeof SERVICE_VARIABLE): AwsClientConfig {
  const endpoint = env[SERVICE_VARIABLE[service]]?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const config: AwsClientConfig = {};
  if (env.AWS_REGION) config.region = env.AWS_REGION;
  if (endpoint) {
    config.endpoint = endpoint;
    if (service === 's3') config.forcePathStyle = true;
  }
  return config;
}

import { describe, expect, it } from 'vitest';
import { awsClientConfig, endpointFor, listEnv, newTaskId, regionOf, requireEnv, s3ClientFrom } from '../../../functions/lib/aws.ts';
import { TASK_ID_PATTERN } from '../../../src/task/index.ts';

describe('functions/lib/aws', () => {
  it('makes task ids of 128 random bits, url-safe and valid as task ids', () => {
    const ids = Array.from({ length: 200 }, () => newTaskId());
    expect(ids.every((id) => TASK_ID_PATTERN.test(id) && id.length === 22)).toBe(true);
    expect(new Set(ids).size).toBe(200);
    expect(Buffer.from(ids[0], 'base64url').length).toBe(16);
  });

  it('reads the service endpoint override before the general one, and nothing else', () => {
    expect([
      endpointFor('S3', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }),
      endpointFor('SQS', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }),
      endpointFor('BEDROCK_RUNTIME', { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: ' http://127.0.0.1:3 ' }),
      endpointFor('S3', {}),
      endpointFor('S3', { AWS_ENDPOINT_URL_S3: '' }),
    ]).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3', undefined, undefined]);
  });

  it('gives client options for S3, SQS and Secrets Manager: region, the endpoint override, path style for S3 only', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:8' };
    expect([awsClientConfig(env, 's3'), awsClientConfig(env, 'sqs'), awsClientConfig(env, 'secretsmanager'), awsClientConfig({}, 's3')]).toEqual([
      { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true },
      { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' },
      { region: 'eu-west-1', endpoint: 'http://127.0.0.1:8' },
      {},
    ]);
  });

  it('builds the S3 client path-style only with an endpoint override', async () => {
    const local = s3ClientFrom({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566' });
    const real = s3ClientFrom({ AWS_REGION: 'eu-west-1' });
    expect([local.config.forcePathStyle, await local.config.region(), (await local.config.endpoint?.())?.hostname]).toEqual([true, 'eu-west-1', '127.0.0.1']);
    expect(real.config.forcePathStyle).toBe(false);
    local.destroy();
    real.destroy();
  });

  it('reads the region, required variables and lists', () => {
    expect([regionOf({ AWS_REGION: 'ap-south-1' }), regionOf({ AWS_DEFAULT_REGION: 'sa-east-1' }), regionOf({})]).toEqual(['ap-south-1', 'sa-east-1', 'us-east-1']);
    expect(requireEnv({ ARTIFACT_BUCKET: ' b ' }, 'ARTIFACT_BUCKET')).toBe('b');
    expect(() => requireEnv({}, 'ARTIFACT_BUCKET')).toThrow("the function's environment lacks ARTIFACT_BUCKET");
    expect([listEnv({ L: 'a, b,,c' }, 'L'), listEnv({}, 'L')]).toEqual([['a', 'b', 'c'], undefined]);
  });
});

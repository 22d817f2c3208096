import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { captureCredentials, fromCapturedEnv, secureProcessEnv } from '../../../functions/lib/secure-env.ts';

const lambdaEnv = () => ({
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEJr-session',
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
  AWS_LAMBDA_FUNCTION_NAME: 'worker',
  GITHUB_TOKEN: 'ghp_token_value',
  GITHUB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:x',
  PATH: '/usr/bin',
});

describe('secureProcessEnv', () => {
  it('outside Lambda changes nothing and leaves the SDK its default chain', () => {
    const env: Record<string, string | undefined> = { ...lambdaEnv(), AWS_LAMBDA_RUNTIME_API: undefined };
    const before = { ...env };
    const out = secureProcessEnv({ env });
    expect([{ ...out, ptraceScope: undefined }, env]).toEqual([{ mode: 'skipped', secretValues: [], removed: [], environBlock: 'untouched', ptraceScope: undefined }, before]);
  });

  it('in Lambda moves the credentials into a provider and removes every secret and the Runtime API address', async () => {
    const env: Record<string, string | undefined> = lambdaEnv();
    const out = secureProcessEnv({ env });
    expect({ mode: out.mode, removed: out.removed, secretValues: out.secretValues.sort(), environBlock: out.environBlock, env, identity: await out.credentials!() }).toEqual({
      mode: 'scrubbed',
      removed: ['AWS_ACCESS_KEY_ID', 'AWS_LAMBDA_RUNTIME_API', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'GITHUB_TOKEN'],
      secretValues: ['AKIAIOSFODNN7EXAMPLE', 'IQoJb3JpZ2luX2VjEJr-session', 'ghp_token_value', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
      // Only process.env's own block is ever wiped.
      environBlock: 'untouched',
      env: { AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'worker', GITHUB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:x', PATH: '/usr/bin' },
      identity: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjEJr-session' },
    });
  });
});

describe('secureProcessEnv with a container-credential endpoint instead of keys', () => {
  it('captures the endpoint and its token as the provider before removing their variables', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ AccessKeyId: 'ASIACONTAINERKEY', SecretAccessKey: 'container-secret', Token: 'container-session', Expiration: '2099-01-01T00:00:00Z' }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const env: Record<string, string | undefined> = {
        AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-auth-token',
        PATH: '/usr/bin',
      };
      const out = secureProcessEnv({ env });
      const identity = await out.credentials!();
      expect([env, out.removed, identity.accessKeyId, identity.sessionToken, seen]).toEqual([
        { PATH: '/usr/bin' },
        ['AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_LAMBDA_RUNTIME_API'],
        'ASIACONTAINERKEY',
        'container-session',
        ['container-auth-token'],
      ]);
    } finally {
      server.close();
    }
  });
});

describe('captureCredentials and fromCapturedEnv', () => {
  it('need both keys, keep an expiration, and hand out copies', async () => {
    expect(captureCredentials({ AWS_ACCESS_KEY_ID: 'a' })).toBeUndefined();
    const captured = captureCredentials({ AWS_ACCESS_KEY_ID: ' a ', AWS_SECRET_ACCESS_KEY: 'b', AWS_CREDENTIAL_EXPIRATION: '2030-01-01T00:00:00Z' })!;
    expect(captured).toEqual({ accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date('2030-01-01T00:00:00Z') });
    const provider = fromCapturedEnv(captured);
    const first = await provider();
    (first as { accessKeyId: string }).accessKeyId = 'changed';
    expect((await provider()).accessKeyId).toBe('a');
  });
});

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecretReader, type SecretReader } from '../../src/github/config.ts';
import { awsClientConfig, type Env } from './env.ts';

/**
 * Reads the GitHub secrets (one by its Secrets Manager ARN, cached by `clock`: see cachedSecretReader). Built
 * once at module scope: the client and the cache live as long as the environment.
 */
export function secretReaderFrom(env: Env, clock: () => number): SecretReader {
  const client = new SecretsManagerClient(awsClientConfig(env, 'secretsmanager'));
  return cachedSecretReader(async (arn) => (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '', clock);
}

/** The functions' log: one JSON object a line, as Lambda's JSON log format reads it. */
export const jsonLog = {
  info: (message: string, data?: Record<string, unknown>) => console.log(JSON.stringify({ level: 'INFO', message, ...data })),
  warn: (message: string, data?: Record<string, unknown>) => console.warn(JSON.stringify({ level: 'WARN', message, ...data })),
};

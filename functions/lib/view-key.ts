/** The watch page's link settings from a function's environment (view, webhook, publisher). */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecretReader } from '../../src/github/config.ts';
import { ViewKeyError } from '../../src/view/errors.ts';
import { awsClientConfig, type Env } from './env.ts';

/**
 * The HMAC key of the watch-page links: `VIEW_TOKEN_SECRET` (a value, for local runs and tests)
 * or the secret `VIEW_TOKEN_SECRET_ARN` names (read on first use, cached for 15 minutes so a
 * rotation is picked up); undefined when neither is set.
 */
export function viewKeyFrom(env: Env, clock: () => number): (() => Promise<string>) | undefined {
  const value = env.VIEW_TOKEN_SECRET?.trim();
  if (value) return () => Promise.resolve(value);
  const arn = env.VIEW_TOKEN_SECRET_ARN?.trim();
  if (!arn) return undefined;
  let client: SecretsManagerClient | undefined;
  const read = cachedSecretReader(async (id) => {
    client ??= new SecretsManagerClient(awsClientConfig(env, 'secretsmanager'));
    const res = await client.send(new GetSecretValueCommand({ SecretId: id }));
    if (!res.SecretString) throw new ViewKeyError(`the secret ${id} has no string value`);
    return res.SecretString;
  }, clock);
  return () => read({ arn });
}

/** Seconds a link made by this function lives (`VIEW_LINK_TTL_SECONDS`), or undefined for the default. */
export function viewTtlFrom(env: Env): number | undefined {
  const v = env.VIEW_LINK_TTL_SECONDS?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new ViewKeyError(`VIEW_LINK_TTL_SECONDS must be a positive whole number of seconds, got ${JSON.stringify(v)}`);
  return n;
}

/** The watch page's link settings from a function's environment (view, webhook, publisher). */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecretReader } from '../../src/github/config.ts';
import { ViewKeyError } from '../../src/view/errors.ts';
import { createViewLinker, type ViewLinker } from '../../src/view/link.ts';
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

/**
 * Makes watch-page links when the function has a key (viewKeyFrom) and the page's URL: `VIEW_URL`,
 * or the SSM parameter `VIEW_URL_PARAMETER` names (read once; the publisher cannot refer to the
 * view function in the template). Undefined when either is missing: no links, nothing fails.
 */
export function viewLinkerFrom(env: Env, clock: () => number): ViewLinker | undefined {
  const key = viewKeyFrom(env, clock);
  const direct = env.VIEW_URL?.trim();
  const parameter = env.VIEW_URL_PARAMETER?.trim();
  if (!key || (!direct && !parameter)) return undefined;
  const ttlSeconds = viewTtlFrom(env);
  let linker: Promise<ViewLinker> | undefined;
  const make = async (): Promise<ViewLinker> => createViewLinker({ baseUrl: direct || (await readParameter(env, parameter as string)), key, clock, ttlSeconds });
  return async (taskId) => {
    linker ??= make().catch((err: unknown) => {
      linker = undefined;
      throw err;
    });
    return (await linker)(taskId);
  };
}

async function readParameter(env: Env, name: string): Promise<string> {
  // Loaded on first use: only the publisher reads it, once per environment.
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient(env.AWS_REGION ? { region: env.AWS_REGION } : {});
  try {
    const value = (await client.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    if (!value) throw new ViewKeyError(`the parameter ${name} has no value`);
    return value;
  } finally {
    client.destroy();
  }
}

/**
 * The worker's model providers at the edge: configuration from the function's environment, API
 * keys from Secrets Manager (cached for a while, so a rotated key is picked up), Bedrock clients
 * from the default credential chain. Keys stay in memory with the providers; nothing here writes
 * to process.env, whose copy tool processes get.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedSecretReader } from '../../src/github/config.ts';
import type { BedrockClientOptions } from '../../src/providers/index.ts';
import { createTaskSettings } from '../../src/worker/index.ts';

export interface WorkerProviderDeps {
  /**
   * Where PROVIDER_SECRETS_ARN and `<env_key>_SECRET_ARN` are read; a function making the client
   * loads it at the first read (a worker on Bedrock alone never does), not at cold start.
   */
  secrets: SecretsManagerClient | (() => Promise<SecretsManagerClient>);
  /** Builds Bedrock clients (default: createBedrockClient, the SDK's credential chain). */
  bedrockClient?: (opts: BedrockClientOptions) => BedrockRuntimeClient;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch, for the secrets' cache. */
  clock?: () => number;
  /** How long a secret is kept before it is read again (default 15 minutes). */
  secretTtlMs?: number;
}

/**
 * The worker's `settings(task)` and default model, from `env` (MODEL_ID, the limits,
 * AGENT_RUNNER_CONFIG with profiles and `[model_providers.*]`, PROVIDER_SECRETS_ARN or
 * `<env_key>_SECRET_ARN`). Throws at once when the environment is invalid.
 */
export function workerSettings(env: Record<string, string | undefined>, deps: WorkerProviderDeps): ReturnType<typeof createTaskSettings> {
  let client: Promise<SecretsManagerClient> | undefined;
  const read = cachedSecretReader(
    async (arn) => {
      const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const sm = await (client ??= typeof deps.secrets === 'function' ? deps.secrets() : Promise.resolve(deps.secrets));
      return (await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '';
    },
    deps.clock ?? Date.now,
    deps.secretTtlMs,
  );
  return createTaskSettings({
    env,
    configText: env.AGENT_RUNNER_CONFIG,
    readSecret: (arn) => read({ arn }),
    ...(deps.bedrockClient ? { bedrockClient: deps.bedrockClient } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}

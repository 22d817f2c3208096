import { createHash } from 'node:crypto';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ConfigError, loadConfig, type ResolvedConfig } from '../config/index.ts';
import {
  createBedrockClient,
  createProvider,
  ModelNotSupportedError,
  ProviderSetupError,
  providerKeysFromSecrets,
  secretsByName,
  PROVIDER_SECRETS_ARN,
  type BedrockClientOptions,
  type ProviderSetup,
} from '../providers/index.ts';
import { createMcpToolSource } from '../mcp/index.ts';
import type { Task } from '../task/types.ts';
import { TaskSettingsError } from './errors.ts';
import type { TaskSettings } from './types.ts';

export interface SettingsSource {
  /**
   * The function's environment: MODEL_ID, MAX_TURNS, MAX_COST_USD, TIMEOUT_SECONDS, AWS_REGION,
   * AWS_ENDPOINT_URL_BEDROCK_RUNTIME, and where API keys are (PROVIDER_SECRETS_ARN,
   * `<env_key>_SECRET_ARN`). Only read: keys are never written into it.
   */
  env: Record<string, string | undefined>;
  /** Optional TOML configuration (profiles) deployed with the function. */
  configText?: string;
  /** Reads a secret by ARN (Secrets Manager, cached by the caller); without it only keys in `env` exist. */
  readSecret?: (arn: string) => Promise<string>;
  /** Builds Bedrock clients (default createBedrockClient); each distinct set of options is built once. */
  bedrockClient?: (opts: BedrockClientOptions) => BedrockRuntimeClient;
  fetch?: typeof fetch;
}

export interface WorkerSettings {
  /** Model, limits and provider of a task; rejects with TaskSettingsError to reject the task. */
  settings: (task: Task) => Promise<TaskSettings>;
  /** The model of the configuration without any task override. */
  defaultModel: string;
  /** The configuration's `redact_patterns`, for the worker's redactor. */
  redactPatterns: string[];
}

const SOURCE = 'AGENT_RUNNER_CONFIG';

/**
 * Builds the worker's `settings(task)`: configuration (the function's environment as defaults,
 * then the deployed TOML and the task's profile) with the task's model and limits on top, and
 * the provider for it, any configured provider or failover chain. Its API keys are read through
 * `readSecret` for every task (a rotated key is picked up when the reader's cache expires) and
 * handed to the provider only, never to the environment. Providers are built once per resolved
 * configuration and keys, Bedrock clients once per options; each task gets its own failover
 * state. An unknown profile, a model without tool use or a provider that cannot be built (no key)
 * reject with TaskSettingsError (the task is rejected); a failing secret read rejects as is (the
 * message is retried). Checks the environment now, so a misconfigured function fails at start-up.
 */
export function createTaskSettings(src: SettingsSource): WorkerSettings {
  const base = loadConfig({ text: src.configText, sourceName: SOURCE, env: src.env, envPrecedence: 'under-file' }).config;
  const clients = new Map<string, BedrockRuntimeClient>();
  const build = src.bedrockClient ?? createBedrockClient;
  const bedrockClient = (opts: BedrockClientOptions) => {
    const key = JSON.stringify([opts.region, opts.profile, opts.endpoint, opts.requestTimeoutMs]);
    let client = clients.get(key);
    if (!client) {
      client = build(opts);
      clients.set(key, client);
    }
    return client;
  };
  const setups = new Map<string, { keys: string; setup: ProviderSetup }>();

  const settings = async (task: Task): Promise<TaskSettings> => {
    const config = resolve(src, task);
    const setup = await providerSetup(config);
    const extraTools = createMcpToolSource(config.mcpServers, { lookup: mcpSecret() });
    return {
      model: setup.model,
      limits: config.limits,
      ...(config.reasoningEffort ? { reasoningEffort: config.reasoningEffort } : {}),
      shellTimeoutMs: config.shellTimeoutMs,
      provider: setup.forRun(),
      ...(extraTools ? { extraTools } : {}),
      setup: config.setup,
    };

    async function providerSetup(config: ResolvedConfig): Promise<ProviderSetup> {
      try {
        const keys = src.readSecret ? await providerKeysFromSecrets(config, src.env, src.readSecret) : {};
        const id = configKey(config);
        // The keys are part of the identity (a rotated key gets a provider of its own), as a digest.
        const keysId = createHash('sha256').update(JSON.stringify(Object.entries(keys).sort(([a], [b]) => a.localeCompare(b)))).digest('base64');
        const hit = setups.get(id);
        if (hit && hit.keys === keysId) return hit.setup;
        const setup = createProvider(config, { env: { ...src.env, ...keys }, bedrockClient, ...(src.fetch ? { fetch: src.fetch } : {}) });
        setups.set(id, { keys: keysId, setup });
        return setup;
      } catch (err) {
        if (err instanceof ModelNotSupportedError) throw new TaskSettingsError('model', err.message, { cause: err });
        if (err instanceof ProviderSetupError) throw new TaskSettingsError(task.profile !== undefined ? 'profile' : 'provider', setupMessage(err), { cause: err });
        throw err;
      }
    }
  };
  return { settings, defaultModel: base.model, redactPatterns: base.redactPatterns };

  /**
   * Variables MCP servers name by reference come from Secrets Manager only (as provider keys do),
   * never from the function's environment or the task: a reader per task, so a rotated secret is
   * picked up when the reader's cache expires.
   */
  function mcpSecret(): (name: string) => Promise<string | undefined> {
    if (!src.readSecret) return async () => undefined;
    return secretsByName(src.env, src.readSecret, () => new Error(`the secret named by ${PROVIDER_SECRETS_ARN} is not a JSON object of secrets`));
  }
}

function resolve(src: SettingsSource, task: Task): ResolvedConfig {
  try {
    return loadConfig({
      text: src.configText,
      sourceName: SOURCE,
      env: src.env,
      envPrecedence: 'under-file',
      profile: task.profile,
      overrides: {
        ...(task.model !== undefined ? { model: task.model } : {}),
        limits: { ...task.limits },
      },
    }).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new TaskSettingsError(task.profile !== undefined && err.key === 'profile' ? 'profile' : (err.key ?? 'task'), err.message, { cause: err });
    throw err;
  }
}

/** What decides the provider a configuration builds (limits and effort do not). */
function configKey(c: ResolvedConfig): string {
  return JSON.stringify([c.provider, c.providerConfig, c.providers, c.model, c.aws, c.failover, c.globalInferenceProfiles, c.applicationInferenceProfiles]);
}

/** In Lambda a key comes from Secrets Manager, not from a variable the user could set. */
function setupMessage(err: ProviderSetupError): string {
  if (err.code !== 'missing_api_key' || !err.envKey) return err.message;
  return `the ${err.provider} provider needs an API key, and the worker has none: put ${err.envKey} in the JSON secret named by PROVIDER_SECRETS_ARN (or set ${err.envKey}_SECRET_ARN)`;
}

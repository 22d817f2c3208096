import os from 'node:os';
import fs from 'node:fs';
import { loadConfig, defaultConfigPath, ConfigError } from '../config/index.ts';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockClient, createProvider, ModelNotSupportedError, ProviderSetupError, type ProviderSetup } from '../providers/index.ts';
import type { ModelInfo, ModelProvider, ReasoningEffort } from '../providers/types.ts';
import type { AgentLimits } from '../agent/limits.ts';
import type { SandboxSettings } from '../sandbox/index.ts';
import type { McpServerConfig } from '../config/index.ts';
import { UsageError } from './errors.ts';
import { checkAwsAccess } from '../client/aws-checks.ts';
import { ClientConfigError } from '../client/errors.ts';

export interface CommonRunOptions {
  model?: string;
  profile?: string;
  /** The AWS region of Bedrock (`--region`). */
  region?: string;
  config?: string;
  strictConfig?: boolean;
  maxTurns?: number;
  maxCostUsd?: number;
  timeoutSeconds?: number;
}

export interface RunSetup {
  provider: ModelProvider;
  model: ModelInfo;
  limits: AgentLimits;
  reasoningEffort?: ReasoningEffort;
  shellTimeoutMs?: number;
  /** `redact_patterns` of the configuration, added to the built-in secret patterns. */
  redactPatterns: string[];
  /** The `sandbox_*` keys of the configuration (local runs). */
  sandbox: SandboxSettings;
  /** The configuration's enabled `[mcp_servers.*]` (absent: none). */
  mcpServers?: McpServerConfig[];
  warnings: string[];
}

/**
 * Resolves configuration, model and provider for a local run, checking everything a user can
 * get wrong (config, profile, model, region, credentials) before any model call; each problem
 * is a UsageError with one line saying what to do.
 */
export async function resolveRunSetup(opts: CommonRunOptions, env: NodeJS.ProcessEnv): Promise<RunSetup> {
  const configPath = opts.config ?? defaultConfigPath(env.HOME ?? os.homedir());
  let text: string | undefined;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch (err) {
    if (opts.config) throw new UsageError(`cannot read --config ${opts.config}: ${(err as Error).message}`);
  }
  let loaded;
  try {
    loaded = loadConfig({
      text,
      sourceName: configPath,
      profile: opts.profile,
      strict: !!opts.strictConfig,
      env,
      overrides: {
        ...(opts.model ? { model: opts.model } : {}),
        ...(opts.region ? { aws: { region: opts.region } } : {}),
        limits: { maxTurns: opts.maxTurns, maxCostUsd: opts.maxCostUsd, timeoutSeconds: opts.timeoutSeconds },
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  const { config, warnings } = loaded;
  const bedrockClients: BedrockRuntimeClient[] = [];
  let built: ProviderSetup;
  try {
    built = createProvider(config, {
      env,
      bedrockClient: (o) => {
        const client = createBedrockClient(o);
        bedrockClients.push(client);
        return client;
      },
    });
  } catch (err) {
    if (err instanceof ModelNotSupportedError || err instanceof ProviderSetupError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  // Bedrock entries of the chain need a known Region and credentials before the first call.
  for (const client of bedrockClients) {
    try {
      await checkAwsAccess(client.config, env, {
        regionFrom: opts.region ? '--region' : config.aws.region ? 'the config file' : undefined,
        regionHint: 'set AWS_REGION, pass --region or set a region in your AWS profile',
        profile: config.aws.profile ? { name: config.aws.profile, from: 'the config file' } : undefined,
      });
    } catch (err) {
      if (err instanceof ClientConfigError) throw new UsageError(err.message, { cause: err });
      throw err;
    }
  }
  const { provider, model } = built;
  return {
    provider,
    model,
    limits: config.limits,
    reasoningEffort: config.reasoningEffort,
    shellTimeoutMs: config.shellTimeoutMs,
    redactPatterns: config.redactPatterns,
    sandbox: config.sandboxSettings,
    ...(config.mcpServers ? { mcpServers: config.mcpServers } : {}),
    warnings,
  };
}

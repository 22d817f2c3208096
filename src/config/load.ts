/**
 * Resolves the configuration of a run. Sources, lowest precedence first: built-in defaults, the
 * file's top level, the selected profile, the environment, per-task/CLI overrides (the worker
 * ranks the environment just above the built-in defaults instead: `envPrecedence`).
 *
 * Security: configuration comes only from the text the caller passes (the user's own file, read
 * by the caller from outside the workspace), from the `env` object and from overrides. Nothing
 * here reads files, the working directory or the workspace: a repository under work is untrusted
 * and must never choose the model, the provider, its endpoint or credentials.
 */
import { parse as parseToml } from 'smol-toml';
import { unsafePatternReason } from '../security/index.ts';
import type { z } from 'zod/v4';
import { isSandboxModeName } from '../sandbox/modes.ts';
import type { SandboxSettings } from '../sandbox/types.ts';
import { ConfigError } from './errors.ts';
import { BEDROCK, BUILT_IN_PROVIDERS, toProviderConfig } from './providers.ts';
import type { ProviderConfig } from './providers.ts';
import { resolveMcpServers, type McpServerConfig } from './mcp.ts';
import { fileSchemas } from './schema.ts';
import type { FileConfig, Layer, ReasoningEffort } from './schema.ts';

import { DEFAULT_LIMITS, DEFAULT_MODEL, DEFAULT_SETUP_TIMEOUT_SECONDS, DEFAULT_SHELL_TIMEOUT_MS } from './defaults.ts';

export interface Limits {
  maxTurns: number;
  maxCostUsd: number;
  timeoutSeconds: number;
  /** Total input + output tokens over the run. */
  maxTokens?: number;
}

export interface FailoverEntry {
  provider?: string;
  model?: string;
  region?: string;
}

export interface ResolvedConfig {
  provider: string;
  providerConfig: ProviderConfig;
  /**
   * Every provider table known to this configuration by id: the built-ins merged with the file's
   * and the profile's `[model_providers.*]`, so that failover entries get their customised tables.
   */
  providers: Record<string, ProviderConfig>;
  model: string;
  reasoningEffort?: ReasoningEffort;
  /** AWS profile and region for amazon-bedrock (empty: the SDK's default chain decides). */
  aws: { profile?: string; region?: string };
  limits: Limits;
  failover: FailoverEntry[];
  /** Use `global.` cross-region inference profiles where a model has one. */
  globalInferenceProfiles: boolean;
  /** Application inference profile ARNs the runner may call, each mapped to the model it routes to. */
  applicationInferenceProfiles: Record<string, string>;
  shellTimeoutMs: number;
  redactPatterns: string[];
  /** The older `sandbox` key, recorded as given (a mode name there also sets `sandboxSettings.mode`). */
  sandbox?: string;
  /** How `agent-runner run` sandboxes commands (the worker contains them its own way). */
  sandboxSettings: SandboxSettings;
  /**
   * How the worker sets up a task's workspace before the loop: a command of the stack's, whether
   * the repository's own setup script runs (REPOSITORY_SETUP_SCRIPTS=refuse makes false the
   * default), and each step's time limit.
   */
  setup: { command?: string; repositoryScript: boolean; timeoutSeconds: number };
  /** The profile applied, if any. */
  profile?: string;
  /** The enabled `[mcp_servers.*]`, the profile's merged over the top level's (absent: none). */
  mcpServers?: McpServerConfig[];
}

/** Values a task or the command line sets; undefined fields are ignored. */
export interface ConfigOverrides {
  provider?: string;
  model?: string;
  reasoningEffort?: ReasoningEffort;
  limits?: Partial<Limits>;
  aws?: { profile?: string; region?: string };
  failover?: FailoverEntry[];
  globalInferenceProfiles?: boolean;
  shellTimeoutMs?: number;
  redactPatterns?: string[];
  sandbox?: string;
}

export interface LoadConfigOptions {
  /** The TOML text of the user's configuration file; absent: no file. */
  text?: string;
  /** Where the text came from, for messages. */
  sourceName?: string;
  /** Profile to apply (`--profile`, the task's `profile`). */
  profile?: string;
  /** Unknown keys are errors instead of warnings. */
  strict?: boolean;
  /** The environment to read overrides from (never process.env implicitly). */
  env?: Record<string, string | undefined>;
  /**
   * Where the environment's model and limits rank: `over-file` (default, a local run: the
   * AGENT_RUNNER_* variables set for one command win, as on the command line) or `under-file`
   * (the worker: the MODEL_ID and limits the template always sets are defaults that the deployed
   * file and its profiles refine). Only `under-file` reads the template's plain names.
   */
  envPrecedence?: 'over-file' | 'under-file';
  overrides?: ConfigOverrides;
}

const keyPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

function parseFile(text: string, file: string, strict: boolean, warnings: string[]): FileConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    const { line, column } = err as { line?: number; column?: number };
    const where = line === undefined ? '' : ` at line ${line}, column ${column}`;
    throw new ConfigError(`${file}: not valid TOML${where}: ${(err as Error).message.split('\n')[0]}`, { file, cause: err });
  }
  const checked = fileSchemas().strict.file.safeParse(raw);
  if (!checked.success) {
    const problems: z.core.$ZodIssue[] = [];
    for (const issue of checked.error.issues) {
      if (issue.code !== 'unrecognized_keys') problems.push(issue);
      else for (const k of issue.keys) {
        const key = keyPath([...issue.path, k]);
        if (strict) throw new ConfigError(`${file}: unknown key ${key}`, { key, file });
        warnings.push(`${file}: unknown key ${key} (ignored)`);
      }
    }
    if (problems.length > 0) {
      const key = keyPath(problems[0].path);
      throw new ConfigError(`${file}: invalid value for ${key}: ${problems[0].message}`, { key, file });
    }
  }
  return fileSchemas().lenient.file.parse(raw);
}

function envNumber(env: Record<string, string | undefined>, names: string[], kind: 'int' | 'number'): number | undefined {
  for (const name of names) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const n = Number(raw);
    const ok = kind === 'int' ? Number.isInteger(n) && n > 0 : Number.isFinite(n) && n >= 0;
    if (!ok) throw new ConfigError(`environment variable ${name}=${JSON.stringify(raw)} is not a ${kind === 'int' ? 'positive integer' : 'non-negative number'}`, { key: name, file: 'environment' });
    return n;
  }
  return undefined;
}

/**
 * Overrides from the environment: the documented AGENT_RUNNER_* variables and, for the worker
 * only (`lambda`), the plain names its template sets (MODEL_ID, MAX_TURNS, ...) after them. A
 * local run ignores the plain names: a MAX_TURNS left in a shell must not change it unseen.
 */
function fromEnv(env: Record<string, string | undefined>, lambda: boolean): ConfigOverrides {
  const names = (cli: string, plain: string) => (lambda ? [cli, plain] : [cli]);
  const model = names('AGENT_RUNNER_MODEL', 'MODEL_ID').map((n) => env[n]).find((v) => v !== undefined && v.trim() !== '');
  return {
    model: model?.trim(),
    limits: {
      maxTurns: envNumber(env, names('AGENT_RUNNER_MAX_TURNS', 'MAX_TURNS'), 'int'),
      maxCostUsd: envNumber(env, names('AGENT_RUNNER_MAX_COST_USD', 'MAX_COST_USD'), 'number'),
      timeoutSeconds: envNumber(env, names('AGENT_RUNNER_TIMEOUT_SECONDS', 'TIMEOUT_SECONDS'), 'int'),
    },
  };
}

function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Later layers win; tables merge key by key, arrays are replaced. */
function mergeLayers(base: Layer, over: Layer | undefined): Layer {
  if (!over) return base;
  const out: Layer = { ...base };
  for (const [k, v] of Object.entries(over) as [keyof Layer, unknown][]) {
    if (v === undefined) continue;
    if (k === 'limits' || k === 'bedrock' || k === 'tools' || k === 'sandbox_workspace_write' || k === 'setup') (out as Record<string, unknown>)[k] = { ...(base[k] ?? {}), ...(v as object) };
    else if (k !== 'model_providers' && k !== 'mcp_servers') (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

function resolveProviders(layers: { layer: Layer | undefined; prefix: string }[], file: string): Record<string, ProviderConfig> {
  const providers: Record<string, ProviderConfig> = { ...BUILT_IN_PROVIDERS };
  for (const { layer, prefix } of layers) {
    for (const [id, table] of Object.entries(layer?.model_providers ?? {})) {
      providers[id] = toProviderConfig(id, table, providers[id], `${prefix}model_providers.${id}`, file);
    }
  }
  return providers;
}

function selectProfile(file: FileConfig, requested: string | undefined, sourceName: string): string | undefined {
  const profiles = file.profiles ?? {};
  const name = requested ?? file.profile ?? ('default' in profiles ? 'default' : undefined);
  if (name !== undefined && !Object.hasOwn(profiles, name)) {
    const known = Object.keys(profiles).sort();
    throw new ConfigError(`unknown profile ${name}; known: ${known.length > 0 ? known.join(', ') : '(none)'}`, { key: 'profile', file: sourceName });
  }
  return name;
}

function checkLimits(limits: Limits, source: string): void {
  const bad = (key: keyof Limits, what: string): never => {
    throw new ConfigError(`${source}: limits.${key} must be ${what}, got ${String(limits[key])}`, { key: `limits.${key}`, file: source });
  };
  if (!Number.isInteger(limits.maxTurns) || limits.maxTurns <= 0) bad('maxTurns', 'a positive integer');
  if (!Number.isFinite(limits.maxCostUsd) || limits.maxCostUsd < 0) bad('maxCostUsd', 'a non-negative number');
  if (!Number.isInteger(limits.timeoutSeconds) || limits.timeoutSeconds <= 0) bad('timeoutSeconds', 'a positive integer');
  if (limits.maxTokens !== undefined && (!Number.isInteger(limits.maxTokens) || limits.maxTokens <= 0)) bad('maxTokens', 'a positive integer');
}

function applyOverrides(c: ResolvedConfig, o: ConfigOverrides | undefined, providers: Record<string, ProviderConfig>, source: string): ResolvedConfig {
  if (!o) return c;
  const out: ResolvedConfig = { ...c, limits: { ...c.limits }, aws: { ...c.aws } };
  if (o.provider !== undefined && o.provider !== c.provider) {
    const providerConfig = providers[o.provider];
    if (!providerConfig) throw new ConfigError(`${source}: provider: unknown model provider ${o.provider}; known: ${Object.keys(providers).sort().join(', ')}`, { key: 'provider', file: source });
    out.provider = o.provider;
    out.providerConfig = providerConfig;
    out.aws = { ...(providerConfig.aws ?? {}) };
  }
  for (const [k, v] of Object.entries(o.limits ?? {}) as [keyof Limits, number | undefined][]) if (v !== undefined) out.limits[k] = v;
  if (o.aws && (o.aws.profile !== undefined || o.aws.region !== undefined)) {
    if (out.provider !== BEDROCK) throw new ConfigError(`${source}: AWS settings apply only to the ${BEDROCK} provider`, { key: 'aws', file: source });
    if (o.aws.profile !== undefined) out.aws.profile = o.aws.profile;
    if (o.aws.region !== undefined) out.aws.region = o.aws.region;
  }
  if (o.model !== undefined) out.model = o.model;
  if (o.reasoningEffort !== undefined) out.reasoningEffort = o.reasoningEffort;
  if (o.failover !== undefined) out.failover = o.failover;
  if (o.globalInferenceProfiles !== undefined) out.globalInferenceProfiles = o.globalInferenceProfiles;
  if (o.shellTimeoutMs !== undefined) out.shellTimeoutMs = o.shellTimeoutMs;
  if (o.redactPatterns !== undefined) out.redactPatterns = o.redactPatterns;
  if (o.sandbox !== undefined) out.sandbox = o.sandbox;
  checkLimits(out.limits, source);
  return out;
}

/**
 * Resolves the configuration from the file text, the selected profile (`opts.profile`, else
 * AGENT_RUNNER_PROFILE, else the file's `profile` key, else `[profiles.default]` when present),
 * the environment (`opts.env` only; above the file, or beneath it with `envPrecedence:
 * 'under-file'`) and overrides. Unknown keys give warnings (errors when
 * `strict`); an unknown profile, a wrong type or an `aws` table on a provider other than
 * amazon-bedrock throws ConfigError naming the key and the file.
 */
export function loadConfig(opts: LoadConfigOptions = {}): { config: ResolvedConfig; warnings: string[] } {
  const source = opts.sourceName ?? 'config.toml';
  const env = opts.env ?? {};
  const warnings: string[] = [];
  const file = opts.text === undefined ? {} : parseFile(opts.text, source, opts.strict === true, warnings);
  const requested = opts.profile ?? (env.AGENT_RUNNER_PROFILE?.trim() || undefined);
  const profile = selectProfile(file, requested, source);
  const { profiles, profile: _selector, ...top } = file;
  const profileLayer = profile === undefined ? undefined : profiles?.[profile];
  const layer = mergeLayers(top, profileLayer);
  const providers = resolveProviders([{ layer: top, prefix: '' }, { layer: profileLayer, prefix: `profiles.${profile}.` }], source);
  const provider = layer.model_provider ?? BEDROCK;
  const providerConfig = providers[provider];
  if (!providerConfig) {
    throw new ConfigError(`${source}: model_provider: unknown model provider ${provider}; known: ${Object.keys(providers).sort().join(', ')}`, { key: 'model_provider', file: source });
  }
  layer.failover?.forEach((f, i) => {
    if (f.provider !== undefined && !providers[f.provider]) {
      throw new ConfigError(`${source}: failover[${i}].provider: unknown model provider ${f.provider}`, { key: `failover[${i}].provider`, file: source });
    }
  });
  (layer.redact_patterns ?? []).forEach((p, i) => {
    try {
      new RegExp(p);
    } catch (err) {
      throw new ConfigError(`${source}: redact_patterns[${i}] is not a valid regular expression: ${(err as Error).message}`, { key: `redact_patterns[${i}]`, file: source, cause: err });
    }
    // A pattern that matches nothing useful or can backtrack without end would make redaction useless or slow.
    const why = unsafePatternReason(p);
    if (why) throw new ConfigError(`${source}: redact_patterns[${i}] ${why}`, { key: `redact_patterns[${i}]`, file: source });
  });
  const under = opts.envPrecedence === 'under-file';
  const envLayer = fromEnv(env, under);
  const defaults = {
    model: (under ? envLayer.model : undefined) ?? DEFAULT_MODEL,
    limits: { ...DEFAULT_LIMITS, ...(under ? definedOf(envLayer.limits ?? {}) : {}) },
  };
  const base: ResolvedConfig = {
    provider,
    providerConfig,
    providers,
    model: layer.model ?? defaults.model,
    aws: { ...(providerConfig.aws ?? {}) },
    limits: {
      maxTurns: layer.limits?.max_turns ?? defaults.limits.maxTurns,
      maxCostUsd: layer.limits?.max_cost_usd ?? defaults.limits.maxCostUsd,
      timeoutSeconds: layer.limits?.timeout_seconds ?? defaults.limits.timeoutSeconds,
      ...(layer.limits?.max_tokens !== undefined ? { maxTokens: layer.limits.max_tokens } : {}),
    },
    failover: (layer.failover ?? []).map((f) => ({ ...f })),
    globalInferenceProfiles: layer.bedrock?.global_inference_profiles ?? false,
    applicationInferenceProfiles: applicationProfilesOf(env, top, profileLayer, source),
    shellTimeoutMs: layer.tools?.shell_timeout_ms ?? DEFAULT_SHELL_TIMEOUT_MS,
    redactPatterns: [...(layer.redact_patterns ?? [])],
    sandboxSettings: sandboxSettingsOf(layer),
    setup: {
      ...(layer.setup?.command !== undefined ? { command: layer.setup.command } : {}),
      repositoryScript: layer.setup?.repository_script ?? env.REPOSITORY_SETUP_SCRIPTS?.trim().toLowerCase() !== 'refuse',
      timeoutSeconds: layer.setup?.timeout_seconds ?? DEFAULT_SETUP_TIMEOUT_SECONDS,
    },
  };
  const mcpServers = resolveMcpServers(top.mcp_servers, profileLayer?.mcp_servers, profile, source);
  if (mcpServers.length > 0) base.mcpServers = mcpServers;
  if (layer.model_reasoning_effort !== undefined) base.reasoningEffort = layer.model_reasoning_effort;
  if (layer.sandbox !== undefined) base.sandbox = layer.sandbox;
  if (layer.sandbox !== undefined && layer.sandbox_mode === undefined && !isSandboxModeName(layer.sandbox)) {
    warnings.push(`${source}: sandbox = ${JSON.stringify(layer.sandbox)} is not a sandbox mode (ignored); set sandbox_mode to workspace-write, offline, read-only or off`);
  }
  if (profile !== undefined) base.profile = profile;
  const withEnv = under ? base : applyOverrides(base, envLayer, providers, 'environment');
  return { config: applyOverrides(withEnv, opts.overrides, providers, 'overrides'), warnings };
}

/**
 * The application inference profiles of every source, merged (the profile's over the file's top
 * level over the environment's `APPLICATION_INFERENCE_PROFILES` with `APPLICATION_INFERENCE_PROFILE_MODELS`,
 * two comma-separated lists in the same order, as the template passes them).
 */
function applicationProfilesOf(env: Record<string, string | undefined>, top: Layer, profile: Layer | undefined, source: string): Record<string, string> {
  const arns = splitList(env.APPLICATION_INFERENCE_PROFILES);
  const models = splitList(env.APPLICATION_INFERENCE_PROFILE_MODELS);
  if (arns.length !== models.length) {
    throw new ConfigError(
      `environment: APPLICATION_INFERENCE_PROFILES names ${arns.length} profile(s) but APPLICATION_INFERENCE_PROFILE_MODELS ${models.length} model(s); give one model per profile, in the same order`,
      { key: 'APPLICATION_INFERENCE_PROFILES', file: 'environment' },
    );
  }
  const merged: Record<string, string> = {
    ...Object.fromEntries(arns.map((arn, i) => [arn, models[i]])),
    ...top.bedrock?.application_inference_profiles,
    ...profile?.bedrock?.application_inference_profiles,
  };
  for (const arn of Object.keys(merged)) {
    if (!APPLICATION_PROFILE_ARN.test(arn)) {
      throw new ConfigError(`${source}: bedrock.application_inference_profiles: ${JSON.stringify(arn)} is not an application inference profile ARN (arn:aws:bedrock:REGION:ACCOUNT:application-inference-profile/ID)`, {
        key: 'bedrock.application_inference_profiles',
        file: source,
      });
    }
  }
  return merged;
}

const APPLICATION_PROFILE_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:application-inference-profile\/[A-Za-z0-9]+$/;

function splitList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function sandboxSettingsOf(layer: Layer): SandboxSettings {
  const mode = layer.sandbox_mode ?? (isSandboxModeName(layer.sandbox) ? layer.sandbox : undefined);
  const networkAccess = layer.sandbox_workspace_write?.network_access;
  return {
    ...(mode !== undefined ? { mode } : {}),
    ...(networkAccess !== undefined ? { networkAccess } : {}),
    writableRoots: [...(layer.sandbox_workspace_write?.writable_roots ?? [])],
    hiddenPaths: [...(layer.sandbox_hidden_paths ?? [])],
    whenUnavailable: layer.sandbox_unavailable ?? 'fail',
  };
}

/**
 * Builds the configured model provider: Bedrock, the OpenAI Responses API, or a Chat
 * Completions server (Ollama, LM Studio, custom), and the failover chain across them.
 * Credentials: AWS stays with the SDK's chain (Bedrock only); API keys come from the injected
 * environment under the provider's `env_key` (in Lambda filled from Secrets Manager at the edge,
 * see providerKeysFromSecrets).
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { FailoverEntry, ResolvedConfig } from '../config/load.ts';
import type { ProviderConfig } from '../config/providers.ts';
import { BEDROCK } from '../config/providers.ts';
import type { ModelInfo, ModelProvider } from './types.ts';
import { ModelNotSupportedError, ProviderError } from './errors.ts';
import { requireToolModel, type ApplicationProfiles } from './registry.ts';
import { createBedrockClient, type BedrockClientOptions } from './bedrock/client.ts';
import { createBedrockProvider } from './bedrock/provider.ts';
import { createOpenAIProvider } from './openai/provider.ts';
import { createChatProvider } from './chat/provider.ts';
import { freeOf, lookupOpenAIModel, permissiveModelInfo } from './openai/models.ts';
import { createFailoverProvider, type FailoverChainEntry, type Wire } from './failover.ts';

/**
 * A provider the configuration asks for cannot be built (no API key, unknown provider, bad
 * failover entry, a secret of API keys that is not a JSON object of strings).
 */
export class ProviderSetupError extends Error {
  readonly code: 'missing_api_key' | 'unknown_provider' | 'invalid_failover' | 'invalid_secret';
  readonly provider: string;
  /** The environment variable the key was looked for in. */
  readonly envKey?: string;
  constructor(code: ProviderSetupError['code'], provider: string, message: string, opts: { envKey?: string } = {}) {
    super(message);
    this.name = 'ProviderSetupError';
    this.code = code;
    this.provider = provider;
    this.envKey = opts.envKey;
  }
}

export interface ProviderDeps {
  /** Where API keys (`env_key`) and AWS_REGION / AWS_ENDPOINT_URL_BEDROCK_RUNTIME are read. */
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Builds Bedrock clients (tests point them at a fake); `createBedrockClient` by default. */
  bedrockClient?: (opts: BedrockClientOptions) => BedrockRuntimeClient;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ChainLink {
  label: string;
  provider: string;
  model: ModelInfo;
  wire: Wire;
}

export interface ProviderSetup {
  /** The provider to hand the loop (a failover provider when the chain has more than one entry). */
  provider: ModelProvider;
  /**
   * Another provider like `provider` over the same entries and clients, starting again at the
   * primary: a failover chain stays on the entry it switched to, so each run needs its own.
   */
  forRun(): ModelProvider;
  /** The primary model. */
  model: ModelInfo;
  /** The entries in order, the primary first. */
  chain: ChainLink[];
}

/** What the factory builds from: the resolved configuration (every provider table included). */
export type FactoryConfig = ResolvedConfig;

const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1|0\.0\.0\.0)$/i;

function isLocal(providerId: string, cfg: ProviderConfig): boolean {
  if (providerId === 'ollama' || providerId === 'lmstudio') return true;
  try {
    return cfg.baseUrl !== undefined && LOCAL_HOST.test(new URL(cfg.baseUrl).hostname);
  } catch {
    return false;
  }
}

/**
 * The facts of `model` on provider `providerId`: Bedrock's registry for amazon-bedrock (unknown
 * or tool-less models throw ModelNotSupportedError; application inference profiles resolve
 * through `profiles`); the OpenAI table for the hosted `openai`
 * provider (unknown ids throw too: their price is unknown); for local and custom endpoints the
 * table when it knows the id (free when local), else a permissive default.
 */
export function modelInfoFor(providerId: string, cfg: ProviderConfig, model: string, profiles?: ApplicationProfiles): ModelInfo {
  if (cfg.wireApi === 'converse') return requireToolModel(model, profiles);
  const known = lookupOpenAIModel(model);
  if (known) return isLocal(providerId, cfg) ? freeOf(known) : known;
  if (providerId === 'openai') {
    const err = new ModelNotSupportedError(model, 'unknown');
    err.message = `model ${model} is not a known OpenAI model with tool use; use gpt-5, gpt-5-mini, gpt-4.1, o3 or o4-mini (or a custom provider for other models)`;
    throw err;
  }
  return permissiveModelInfo(model);
}

/** The table of provider `id` (the primary's is under its id too; `providerConfig` when a hand-made config lacks it). */
function tableOf(config: FactoryConfig, id: string): ProviderConfig | undefined {
  if (Object.hasOwn(config.providers, id)) return config.providers[id];
  return id === config.provider ? config.providerConfig : undefined;
}

function providerConfigOf(config: FactoryConfig, id: string, where: string): ProviderConfig {
  const cfg = tableOf(config, id);
  if (!cfg) throw new ProviderSetupError('unknown_provider', id, `${at(where)}unknown model provider ${id}; known: ${Object.keys(config.providers).sort().join(', ')}`);
  return cfg;
}

// Failover entries are named in messages; the primary provider needs no prefix.
const at = (where: string) => (where ? `${where}: ` : '');

function apiKeyOf(id: string, cfg: ProviderConfig, env: ProviderDeps['env'], where: string): string | undefined {
  if (!cfg.envKey) return undefined;
  const key = env[cfg.envKey]?.trim();
  if (!key) {
    throw new ProviderSetupError('missing_api_key', id, `${at(where)}the ${id} provider needs an API key: set ${cfg.envKey} (or choose another profile)`, { envKey: cfg.envKey });
  }
  return key;
}

/**
 * Builds the provider for `config` (model provider, model, failover chain) with `deps`. Every
 * entry is checked now, before any call: the model must be usable on its provider and API keys
 * must be present; problems throw ProviderSetupError or ModelNotSupportedError with a one-line
 * message. Failover entries take the primary provider and model where they leave them out; a
 * `region` is only for amazon-bedrock entries. No network call is made here.
 */
export function createProvider(config: FactoryConfig, deps: ProviderDeps): ProviderSetup {
  const targets: (FailoverEntry & { provider: string; model: string; where: string })[] = [
    { provider: config.provider, model: config.model, where: '' },
    ...config.failover.map((f, i) => ({ ...f, provider: f.provider ?? config.provider, model: f.model ?? config.model, where: `failover[${i}]` })),
  ];
  const clients = new Map<string, BedrockRuntimeClient>();
  const entries: (FailoverChainEntry & { providerId: string; wire: Wire })[] = targets.map((t) => {
    const cfg = providerConfigOf(config, t.provider, t.where);
    if (t.region !== undefined && cfg.wireApi !== 'converse') {
      throw new ProviderSetupError('invalid_failover', t.provider, `${at(t.where)}region applies only to ${BEDROCK} entries, not ${t.provider}`);
    }
    const model = modelInfoFor(t.provider, cfg, t.model, config.applicationInferenceProfiles);
    const provider = cfg.wireApi === 'converse' ? bedrockProvider(config, cfg, t.provider, t.region, deps, clients) : httpProvider(t.provider, cfg, deps, t.where);
    const label = `${t.provider}/${t.model}${t.region !== undefined ? `@${t.region}` : ''}`;
    return { label, provider, model, wire: cfg.wireApi, providerId: t.provider };
  });
  const chain = entries.map((e) => ({ label: e.label, provider: e.providerId, model: e.model, wire: e.wire }));
  const forRun = () => (entries.length === 1 ? entries[0].provider : createFailoverProvider(entries));
  return { provider: forRun(), forRun, model: entries[0].model, chain };
}

function httpProvider(id: string, cfg: ProviderConfig, deps: ProviderDeps, where: string): ModelProvider {
  if (!cfg.baseUrl) throw new ProviderSetupError('unknown_provider', id, `${at(where)}model provider ${id} has no base_url`);
  const opts = {
    name: id,
    baseUrl: cfg.baseUrl,
    apiKey: apiKeyOf(id, cfg, deps.env, where),
    headers: cfg.httpHeaders,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(cfg.requestMaxRetries !== undefined ? { maxRetries: cfg.requestMaxRetries } : {}),
    ...(cfg.streamIdleTimeoutMs !== undefined ? { idleTimeoutMs: cfg.streamIdleTimeoutMs } : {}),
    ...(cfg.streamFirstByteTimeoutMs !== undefined ? { firstByteTimeoutMs: cfg.streamFirstByteTimeoutMs } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    modelInfo: (m: string) => {
      try {
        return modelInfoFor(id, cfg, m);
      } catch {
        return permissiveModelInfo(m);
      }
    },
  };
  return cfg.wireApi === 'responses' ? createOpenAIProvider(opts) : createChatProvider(opts);
}

/**
 * A Bedrock provider whose Region is settled at the first call when neither the entry, the
 * config nor the environment names one (the SDK then reads it from the AWS profile).
 */
function bedrockProvider(config: FactoryConfig, cfg: ProviderConfig, id: string, entryRegion: string | undefined, deps: ProviderDeps, clients: Map<string, BedrockRuntimeClient>): ModelProvider {
  const aws = id === config.provider ? config.aws : (cfg.aws ?? {});
  const region = entryRegion ?? aws.region ?? (deps.env.AWS_REGION?.trim() || deps.env.AWS_DEFAULT_REGION?.trim() || undefined);
  const endpoint = deps.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME?.trim() || deps.env.AWS_ENDPOINT_URL?.trim() || undefined;
  const key = `${region ?? ''}|${aws.profile ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    const opts: BedrockClientOptions = {
      ...(region ? { region } : {}),
      ...(aws.profile ? { profile: aws.profile } : {}),
      ...(endpoint ? { endpoint } : {}),
    };
    client = (deps.bedrockClient ?? createBedrockClient)(opts);
    clients.set(key, client);
  }
  const make = (r: string) =>
    createBedrockProvider({
      client: client,
      region: r,
      globalProfiles: config.globalInferenceProfiles,
      applicationProfiles: config.applicationInferenceProfiles,
      ...(cfg.requestMaxRetries !== undefined ? { maxRetries: cfg.requestMaxRetries } : {}),
      timeouts: {
        ...(cfg.streamFirstByteTimeoutMs !== undefined ? { firstByteMs: cfg.streamFirstByteTimeoutMs } : {}),
        ...(cfg.streamIdleTimeoutMs !== undefined ? { idleMs: cfg.streamIdleTimeoutMs } : {}),
      },
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
  if (region) return make(region);
  let inner: ModelProvider | undefined;
  return {
    name: BEDROCK,
    async *stream(request) {
      if (!inner) {
        let r: string;
        try {
          r = await client.config.region();
        } catch (err) {
          throw new ProviderError('RegionMissing', 'no AWS region is configured: set AWS_REGION or a region in the AWS profile', { cause: err });
        }
        inner = make(r);
      }
      yield* inner.stream(request);
    },
    // The Region does not change the transcript's form.
    transcript: (request, extra) => (inner ?? make('us-east-1')).transcript(request, extra),
  };
}

/** The variable naming one secret that holds every provider key, as a JSON object keyed by `env_key`. */
export const PROVIDER_SECRETS_ARN = 'PROVIDER_SECRETS_ARN';

/**
 * A reader of secrets by variable name, as the Lambda edge keeps them: NAME's value is the whole
 * secret named by `NAME_SECRET_ARN` when that is set, else the field NAME of the JSON object in
 * the secret named by `PROVIDER_SECRETS_ARN` (read once per reader), else undefined. A
 * `PROVIDER_SECRETS_ARN` secret that is not a JSON object throws what `invalid(name)` makes;
 * failed reads reject as `readSecret` does. Values go to whoever asked, never to process.env.
 */
export function secretsByName(env: Record<string, string | undefined>, readSecret: (arn: string) => Promise<string>, invalid: (name: string) => Error): (name: string) => Promise<string | undefined> {
  let shared: Promise<Record<string, unknown>> | undefined;
  return async (name) => {
    const arn = env[`${name}_SECRET_ARN`]?.trim();
    if (arn) return (await readSecret(arn)).trim();
    const sharedArn = env[PROVIDER_SECRETS_ARN]?.trim();
    if (!sharedArn) return undefined;
    shared ??= readSecret(sharedArn).then((text) => {
      const parsed = jsonObject(text);
      // The secret's text is never quoted: it holds keys.
      if (!parsed) throw invalid(name);
      return parsed;
    });
    const value = (await shared)[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
}

/**
 * The API keys the configured chain needs, read from Secrets Manager (for the Lambda edge): for
 * each chain provider's `env_key` NAME not set in `env`, as secretsByName reads it. A name found
 * nowhere is left out, for createProvider to report. The result belongs in the env given to
 * createProvider, never in process.env, tool environments or task messages. A
 * `PROVIDER_SECRETS_ARN` secret that is not a JSON object throws ProviderSetupError
 * `invalid_secret`; failed reads reject as `readSecret` does.
 */
export async function providerKeysFromSecrets(config: FactoryConfig, env: Record<string, string | undefined>, readSecret: (arn: string) => Promise<string>): Promise<Record<string, string>> {
  const needed = new Map<string, string>();
  for (const id of [config.provider, ...config.failover.map((f) => f.provider ?? config.provider)]) {
    const name = tableOf(config, id)?.envKey;
    if (name && !env[name]?.trim() && !needed.has(name)) needed.set(name, id);
  }
  const read = secretsByName(env, readSecret, (name) => new ProviderSetupError('invalid_secret', needed.get(name) ?? name, `the secret named by ${PROVIDER_SECRETS_ARN} is not a JSON object of API keys (e.g. {"OPENAI_API_KEY": "sk-..."})`));
  const out: Record<string, string> = {};
  for (const name of needed.keys()) {
    const value = await read(name);
    if (value) out[name] = value;
  }
  return out;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

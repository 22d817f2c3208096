import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PROVIDERS, ConfigError, loadConfig } from '../../../src/config/index.ts';
import type { ResolvedConfig } from '../../../src/config/index.ts';

const fixture = (name: string): { text: string; sourceName: string } => {
  const sourceName = path.join(import.meta.dirname, '../../fixtures/config', name);
  return { text: readFileSync(sourceName, 'utf8'), sourceName };
};

/** The fields the seed article's examples are about. */
const selection = (c: ResolvedConfig) => ({ provider: c.provider, model: c.model, awsProfile: c.aws.profile, reasoningEffort: c.reasoningEffort, profile: c.profile, sandbox: c.sandbox });

const SONNET_4 = 'anthropic.claude-sonnet-4-20250514';

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: defaults', () => {
  it('without a file or environment gives the documented defaults', () => {
    const expected: ResolvedConfig = {
      provider: 'amazon-bedrock',
      providerConfig: { name: 'Amazon Bedrock', wireApi: 'converse', httpHeaders: {} },
      providers: { ...BUILT_IN_PROVIDERS },
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      aws: {},
      limits: { maxTurns: 50, maxCostUsd: 5, timeoutSeconds: 3600 },
      failover: [],
      globalInferenceProfiles: false,
      applicationInferenceProfiles: {},
      shellTimeoutMs: 120_000,
      redactPatterns: [],
      sandboxSettings: { writableRoots: [], hiddenPaths: [], whenUnavailable: 'fail' },
      setup: { repositoryScript: true, timeoutSeconds: 600 },
    };
    expect(loadConfig({})).toEqual({ config: expected, warnings: [] });
    expect(loadConfig({ text: '' })).toEqual({ config: expected, warnings: [] });
  });

  it("has Codex's built-in providers", () => {
    expect(BUILT_IN_PROVIDERS).toEqual({
      'amazon-bedrock': { name: 'Amazon Bedrock', wireApi: 'converse', httpHeaders: {} },
      openai: { name: 'OpenAI', baseUrl: 'https://api.openai.com/v1', wireApi: 'responses', envKey: 'OPENAI_API_KEY', httpHeaders: {} },
      ollama: { name: 'Ollama', baseUrl: 'http://localhost:11434/v1', wireApi: 'chat', httpHeaders: {} },
      lmstudio: { name: 'LM Studio', baseUrl: 'http://localhost:1234/v1', wireApi: 'chat', httpHeaders: {} },
    });
  });
});

describe('loadConfig: the Bedrock examples of the Codex article', () => {
  it('minimal setup: Bedrock with the default credential chain', () => {
    const { config, warnings } = loadConfig(fixture('minimal.toml'));
    expect(selection(config)).toEqual({ provider: 'amazon-bedrock', model: SONNET_4, awsProfile: undefined, reasoningEffort: undefined, profile: undefined, sandbox: undefined });
    expect(config.aws).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('named AWS profile on the amazon-bedrock provider', () => {
    const { config } = loadConfig(fixture('named-aws-profile.toml'));
    expect(selection(config)).toEqual({ provider: 'amazon-bedrock', model: SONNET_4, awsProfile: 'agent-runner-bedrock', reasoningEffort: undefined, profile: undefined, sandbox: undefined });
    expect(config.providerConfig).toEqual({ name: 'Amazon Bedrock', wireApi: 'converse', httpHeaders: {}, aws: { profile: 'agent-runner-bedrock' } });
  });

  it('profile-based switching: OpenAI by default, bedrock and bedrock-cheap by --profile', () => {
    const f = fixture('profile-switching.toml');
    expect(selection(loadConfig(f).config)).toEqual({ provider: 'openai', model: 'o3', awsProfile: undefined, reasoningEffort: undefined, profile: undefined, sandbox: undefined });
    expect(selection(loadConfig({ ...f, profile: 'bedrock' }).config)).toEqual({ provider: 'amazon-bedrock', model: SONNET_4, awsProfile: 'agent-runner-bedrock', reasoningEffort: undefined, profile: 'bedrock', sandbox: undefined });
    expect(selection(loadConfig({ ...f, profile: 'bedrock-cheap' }).config)).toEqual({ provider: 'amazon-bedrock', model: 'anthropic.claude-haiku-3-20250722', awsProfile: undefined, reasoningEffort: 'low', profile: 'bedrock-cheap', sandbox: undefined });
    expect(loadConfig(f).config.providerConfig).toEqual(BUILT_IN_PROVIDERS.openai);
  });

  it('credits burn-down: [profiles.default] applies without --profile, heavy on request', () => {
    const f = fixture('credits-burn-down.toml');
    expect(selection(loadConfig(f).config)).toEqual({ provider: 'amazon-bedrock', model: SONNET_4, awsProfile: undefined, reasoningEffort: undefined, profile: 'default', sandbox: undefined });
    expect(selection(loadConfig({ ...f, profile: 'heavy' }).config)).toEqual({ provider: 'openai', model: 'o3', awsProfile: undefined, reasoningEffort: 'high', profile: 'heavy', sandbox: undefined });
  });

  it('data residency: EU AWS profile; the article\'s sandbox = "strict" is recorded and, not being a mode, warned about', () => {
    const f = fixture('data-residency.toml');
    const { config, warnings } = loadConfig(f);
    expect(selection(config)).toEqual({ provider: 'amazon-bedrock', model: SONNET_4, awsProfile: 'eu-west-agent-runner', reasoningEffort: undefined, profile: undefined, sandbox: 'strict' });
    expect(config.sandboxSettings).toEqual({ writableRoots: [], hiddenPaths: [], whenUnavailable: 'fail' });
    expect(warnings).toEqual([`${f.sourceName}: sandbox = "strict" is not a sandbox mode (ignored); set sandbox_mode to workspace-write, offline, read-only or off`]);
  });
});

describe('loadConfig: our own keys', () => {
  it('reads limits, bedrock, failover, tools, redaction, setup and custom providers', () => {
    const f = fixture('full.toml');
    const bedrock = { name: 'Amazon Bedrock', wireApi: 'converse', httpHeaders: {}, requestMaxRetries: 6, streamIdleTimeoutMs: 300_000, aws: { profile: 'work', region: 'eu-central-1' } } as const;
    const corp = { name: 'Corp gateway', baseUrl: 'https://llm.example.com/v1', wireApi: 'responses', envKey: 'CORP_LLM_KEY', httpHeaders: { 'X-Team': 'platform' } } as const;
    const expected: ResolvedConfig = {
      provider: 'amazon-bedrock',
      providerConfig: bedrock,
      providers: { ...BUILT_IN_PROVIDERS, 'amazon-bedrock': bedrock, 'corp-gateway': corp },
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      reasoningEffort: 'medium',
      aws: { profile: 'work', region: 'eu-central-1' },
      limits: { maxTurns: 20, maxCostUsd: 1.5, timeoutSeconds: 900, maxTokens: 2_000_000 },
      failover: [{ model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' }, { provider: 'amazon-bedrock', model: 'us.amazon.nova-pro-v1:0', region: 'us-west-2' }],
      globalInferenceProfiles: true,
      applicationInferenceProfiles: { 'arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/team1a2b3c': 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0' },
      shellTimeoutMs: 60_000,
      redactPatterns: ['ghp_[A-Za-z0-9]{36}', '[Pp]assword=\\S+'],
      sandboxSettings: { mode: 'workspace-write', networkAccess: false, writableRoots: ['~/.cache/pip'], hiddenPaths: ['~/.config/op', '/etc/company/token'], whenUnavailable: 'run-unsandboxed' },
      setup: { command: 'pip install -r requirements-dev.txt', repositoryScript: false, timeoutSeconds: 300 },
    };
    expect(loadConfig({ ...f, strict: true })).toEqual({ config: expected, warnings: [] });
    expect(loadConfig({ ...f, overrides: { provider: 'corp-gateway' } }).config.providerConfig).toEqual(corp);
  });

  it('carries every provider table, so a failover target keeps its customised table', () => {
    const text = [
      'failover = [{ provider = "openai", model = "gpt-5" }]',
      '[model_providers.openai]', 'base_url = "https://gateway.example.com/openai/v1"',
      '[profiles.eu]',
      '[profiles.eu.model_providers.openai]', 'request_max_retries = 1',
    ].join('\n');
    const openai = { ...BUILT_IN_PROVIDERS.openai, baseUrl: 'https://gateway.example.com/openai/v1' };
    expect(loadConfig({ text, strict: true }).config.providers).toEqual({ ...BUILT_IN_PROVIDERS, openai });
    const eu = loadConfig({ text, strict: true, profile: 'eu' }).config;
    expect([eu.provider, eu.providerConfig, eu.providers.openai]).toEqual(['amazon-bedrock', BUILT_IN_PROVIDERS['amazon-bedrock'], { ...openai, requestMaxRetries: 1 }]);
    // The primary's table is the same one under its id.
    const { config } = loadConfig({ text, overrides: { provider: 'openai', model: 'gpt-5' } });
    expect(config.providerConfig).toBe(config.providers.openai);
  });

  it('merges a profile over the top level table by table', () => {
    const text = [
      'model = "top"',
      '[limits]', 'max_turns = 7', 'max_cost_usd = 2',
      '[model_providers.amazon-bedrock.aws]', 'profile = "p"', 'region = "us-east-1"',
      '[profiles.eu]', 'limits = { max_cost_usd = 9 }',
      '[profiles.eu.model_providers.amazon-bedrock.aws]', 'region = "eu-west-1"',
    ].join('\n');
    const { config } = loadConfig({ text, profile: 'eu' });
    expect({ model: config.model, limits: config.limits, aws: config.aws }).toEqual({ model: 'top', limits: { maxTurns: 7, maxCostUsd: 9, timeoutSeconds: 3600 }, aws: { profile: 'p', region: 'eu-west-1' } });
  });
});

describe('loadConfig: workspace setup', () => {
  const text = [
    '[setup]', 'timeout_seconds = 120',
    '[profiles.python]', 'setup = { command = "pip install -e ." }',
    '[profiles.untrusted]', 'setup = { repository_script = false }',
  ].join('\n');

  it('takes a setup command per profile, merged over the top-level [setup]', () => {
    expect(loadConfig({ text, profile: 'python' }).config.setup).toEqual({ command: 'pip install -e .', repositoryScript: true, timeoutSeconds: 120 });
    expect(loadConfig({ text, profile: 'untrusted' }).config.setup).toEqual({ repositoryScript: false, timeoutSeconds: 120 });
  });

  it('refuses repository scripts by default with REPOSITORY_SETUP_SCRIPTS=refuse, unless the file says otherwise', () => {
    const env = { REPOSITORY_SETUP_SCRIPTS: 'refuse' };
    expect(loadConfig({ env, envPrecedence: 'under-file' }).config.setup).toEqual({ repositoryScript: false, timeoutSeconds: 600 });
    expect(loadConfig({ text: '[setup]\nrepository_script = true', env, envPrecedence: 'under-file' }).config.setup.repositoryScript).toBe(true);
    expect(loadConfig({ env: { REPOSITORY_SETUP_SCRIPTS: 'run' } }).config.setup.repositoryScript).toBe(true);
  });
});

describe('loadConfig: where the environment ranks', () => {
  const text = 'model = "file-model"\n[limits]\nmax_turns = 7\n[profiles.p]\nmodel = "profile-model"\n';
  const env = { AGENT_RUNNER_MODEL: 'env-model', AGENT_RUNNER_MAX_TURNS: '9', AGENT_RUNNER_MAX_COST_USD: '0.5' };
  const lambdaEnv = { MODEL_ID: 'env-model', MAX_TURNS: '9', MAX_COST_USD: '0.5' };
  const pick = (c: ResolvedConfig) => [c.model, c.limits];

  it('by default above the file and its profiles, as a variable set for one command', () => {
    expect(pick(loadConfig({ text, env }).config)).toEqual(['env-model', { maxTurns: 9, maxCostUsd: 0.5, timeoutSeconds: 3600 }]);
    expect(pick(loadConfig({ text, env, profile: 'p' }).config)).toEqual(['env-model', { maxTurns: 9, maxCostUsd: 0.5, timeoutSeconds: 3600 }]);
  });

  it('under-file: beneath the file and its profiles, as defaults; overrides still win', () => {
    const under = { text, env: lambdaEnv, envPrecedence: 'under-file' } as const;
    expect(pick(loadConfig(under).config)).toEqual(['file-model', { maxTurns: 7, maxCostUsd: 0.5, timeoutSeconds: 3600 }]);
    expect(pick(loadConfig({ ...under, profile: 'p' }).config)).toEqual(['profile-model', { maxTurns: 7, maxCostUsd: 0.5, timeoutSeconds: 3600 }]);
    expect(pick(loadConfig({ ...under, text: undefined }).config)).toEqual(['env-model', { maxTurns: 9, maxCostUsd: 0.5, timeoutSeconds: 3600 }]);
    expect(pick(loadConfig({ ...under, overrides: { model: 'task-model', limits: { maxTurns: 2 } } }).config)).toEqual(['task-model', { maxTurns: 2, maxCostUsd: 0.5, timeoutSeconds: 3600 }]);
    expect(() => loadConfig({ ...under, env: { MAX_TURNS: 'many' } })).toThrow('environment variable MAX_TURNS="many" is not a positive integer');
  });
});

describe('loadConfig: errors and warnings', () => {
  it('an unknown profile names the known ones', () => {
    const err = thrown(() => loadConfig({ ...fixture('profile-switching.toml'), profile: 'nope' }));
    expect({ message: err.message, key: err.key }).toEqual({ message: 'unknown profile nope; known: bedrock, bedrock-cheap', key: 'profile' });
    expect(thrown(() => loadConfig({ profile: 'x' })).message).toBe('unknown profile x; known: (none)');
  });

  it('an unknown key is a warning naming key and file, an error when strict', () => {
    const text = 'model = "m"\nmodle_provider = "openai"\n[limits]\nmax_turn = 3\n[profiles.p]\nfoo = 1\n';
    expect(loadConfig({ text, sourceName: '/home/u/.agent-runner/config.toml' }).warnings).toEqual([
      '/home/u/.agent-runner/config.toml: unknown key limits.max_turn (ignored)',
      '/home/u/.agent-runner/config.toml: unknown key profiles.p.foo (ignored)',
      '/home/u/.agent-runner/config.toml: unknown key modle_provider (ignored)',
    ]);
    const err = thrown(() => loadConfig({ text, sourceName: 'c.toml', strict: true }));
    expect({ name: err.name, key: err.key, file: err.file }).toEqual({ name: 'ConfigError', key: 'limits.max_turn', file: 'c.toml' });
  });

  it.each([
    ['limits.max_turns = "ten"', 'limits.max_turns'],
    ['[limits]\nmax_turns = 0', 'limits.max_turns'],
    ['model_reasoning_effort = "extreme"', 'model_reasoning_effort'],
    ['[profiles.x]\nmodel = 5', 'profiles.x.model'],
    ['[model_providers.custom]\nwire_api = "soap"', 'model_providers.custom.wire_api'],
    ['failover = [{ model = 1 }]', 'failover[0].model'],
    ['[bedrock]\nglobal_inference_profiles = "yes"', 'bedrock.global_inference_profiles'],
    ['redact_patterns = ["(unclosed"]', 'redact_patterns[0]'],
    ['model_provider = "nobody"', 'model_provider'],
    ['sandbox_mode = "strict"', 'sandbox_mode'],
    ['sandbox_hidden_paths = ["relative/path"]', 'sandbox_hidden_paths[0]'],
    ['[sandbox_workspace_write]\nwritable_roots = ["cache"]', 'sandbox_workspace_write.writable_roots[0]'],
    ['sandbox_unavailable = "warn"', 'sandbox_unavailable'],
  ])('a wrong value (%s) is a ConfigError naming %s', (text, key) => {
    const err = thrown(() => loadConfig({ text, sourceName: 'cfg.toml' }));
    expect({ key: err.key, file: err.file }).toEqual({ key, file: 'cfg.toml' });
    expect(err.message).toContain(key);
  });

  it('invalid TOML is a ConfigError naming the file', () => {
    const err = thrown(() => loadConfig({ text: 'model = "m"\nmodel = ', sourceName: 'bad.toml' }));
    expect(err.file).toBe('bad.toml');
    expect(err.message).toMatch(/^bad\.toml: not valid TOML at line 2, column \d+: /);
  });

  it.each([
    ['[model_providers.openai.aws]\nprofile = "x"', 'model_providers.openai.aws'],
    ['[model_providers.mine]\nbase_url = "http://127.0.0.1:9/v1"\naws = { region = "us-east-1" }', 'model_providers.mine.aws'],
    ['[profiles.p.model_providers.ollama.aws]\nprofile = "x"', 'profiles.p.model_providers.ollama.aws'],
  ])('an aws table on a provider other than amazon-bedrock is refused (%s)', (text, key) => {
    const err = thrown(() => loadConfig({ text, sourceName: 'cfg.toml', profile: text.includes('profiles.p') ? 'p' : undefined }));
    expect({ key: err.key, file: err.file }).toEqual({ key, file: 'cfg.toml' });
    expect(err.message).toContain('only supported for the amazon-bedrock provider');
  });
});

describe('loadConfig: precedence', () => {
  const text = 'model = "file"\n[limits]\nmax_turns = 10\n[profiles.default]\nmodel = "profile"\nlimits = { max_turns = 20, timeout_seconds = 100 }\n[profiles.other]\nmodel = "other"\n';

  it('defaults < file < profile < environment < overrides', () => {
    const pick = (c: ResolvedConfig) => ({ model: c.model, limits: c.limits });
    expect(pick(loadConfig({ text }).config)).toEqual({ model: 'profile', limits: { maxTurns: 20, maxCostUsd: 5, timeoutSeconds: 100 } });
    const env = { AGENT_RUNNER_MODEL: 'env', AGENT_RUNNER_MAX_TURNS: '30', AGENT_RUNNER_MAX_COST_USD: '0.5' };
    expect(pick(loadConfig({ text, env }).config)).toEqual({ model: 'env', limits: { maxTurns: 30, maxCostUsd: 0.5, timeoutSeconds: 100 } });
    // Undefined override fields (as the CLI passes for absent flags) leave lower layers alone.
    const overrides = { model: 'task', limits: { maxTurns: 40, maxCostUsd: undefined, timeoutSeconds: undefined } };
    expect(pick(loadConfig({ text, env, overrides }).config)).toEqual({ model: 'task', limits: { maxTurns: 40, maxCostUsd: 0.5, timeoutSeconds: 100 } });
  });

  it("the worker (under-file) reads the Lambda's variables, AGENT_RUNNER_* winning over them", () => {
    const env = { MODEL_ID: 'lambda-model', MAX_TURNS: '3', MAX_COST_USD: '2.5', TIMEOUT_SECONDS: '600' };
    const worker = (e: Record<string, string>) => loadConfig({ env: e, envPrecedence: 'under-file' }).config;
    expect([worker(env).model, worker(env).limits]).toEqual(['lambda-model', { maxTurns: 3, maxCostUsd: 2.5, timeoutSeconds: 600 }]);
    expect(worker({ ...env, AGENT_RUNNER_MODEL: 'cli-model', AGENT_RUNNER_TIMEOUT_SECONDS: '60' })).toMatchObject({ model: 'cli-model', limits: { timeoutSeconds: 60 } });
  });

  it("a local run (over-file) reads only AGENT_RUNNER_*: the Lambda's MODEL_ID and MAX_TURNS change nothing", () => {
    const { config } = loadConfig({ env: { MODEL_ID: 'lambda-model', MAX_TURNS: '3', MAX_COST_USD: 'not a number', TIMEOUT_SECONDS: '600' } });
    expect([config.model, config.limits]).toEqual(['us.anthropic.claude-sonnet-4-5-20250929-v1:0', { maxTurns: 50, maxCostUsd: 5, timeoutSeconds: 3600 }]);
  });

  it('AGENT_RUNNER_PROFILE selects a profile; an explicit profile wins over it', () => {
    expect(loadConfig({ text, env: { AGENT_RUNNER_PROFILE: 'other' } }).config).toMatchObject({ model: 'other', profile: 'other' });
    expect(loadConfig({ text, env: { AGENT_RUNNER_PROFILE: 'other' }, profile: 'default' }).config).toMatchObject({ model: 'profile', profile: 'default' });
    expect(thrown(() => loadConfig({ text, env: { AGENT_RUNNER_PROFILE: 'gone' } })).message).toBe('unknown profile gone; known: default, other');
  });

  it("the file's profile key chooses the profile used without --profile", () => {
    expect(loadConfig({ text: 'profile = "other"\n' + text }).config).toMatchObject({ model: 'other', profile: 'other' });
  });

  it('a malformed environment value is a ConfigError naming the variable', () => {
    const err = thrown(() => loadConfig({ env: { AGENT_RUNNER_MAX_TURNS: 'lots' } }));
    expect({ key: err.key, file: err.file, message: err.message }).toEqual({ key: 'AGENT_RUNNER_MAX_TURNS', file: 'environment', message: 'environment variable AGENT_RUNNER_MAX_TURNS="lots" is not a positive integer' });
  });

  it('reads only the env object it is given', () => {
    const saved = process.env.AGENT_RUNNER_MODEL;
    process.env.AGENT_RUNNER_MODEL = 'from-process-env';
    try {
      expect(loadConfig({ env: {} }).config.model).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    } finally {
      if (saved === undefined) delete process.env.AGENT_RUNNER_MODEL;
      else process.env.AGENT_RUNNER_MODEL = saved;
    }
  });

  it('overrides can switch provider and set AWS settings for Bedrock only', () => {
    expect(loadConfig({ overrides: { aws: { region: 'us-west-2' } } }).config.aws).toEqual({ region: 'us-west-2' });
    const err = thrown(() => loadConfig({ overrides: { provider: 'openai', aws: { profile: 'x' } } }));
    expect(err.key).toBe('aws');
    expect(loadConfig({ overrides: { provider: 'ollama' } }).config).toMatchObject({ provider: 'ollama', providerConfig: BUILT_IN_PROVIDERS.ollama, aws: {} });
  });
});

describe('loadConfig: sandbox keys', () => {
  it("takes Codex's names and the older sandbox key when it names a mode, sandbox_mode winning", () => {
    const mode = (text: string) => loadConfig({ text, strict: true }).config.sandboxSettings.mode;
    expect([mode('sandbox_mode = "danger-full-access"'), mode('sandbox = "off"'), mode('sandbox = "off"\nsandbox_mode = "offline"'), mode('')]).toEqual(['danger-full-access', 'off', 'offline', undefined]);
  });

  it('merges [sandbox_workspace_write] of a profile over the top level key by key; lists are replaced', () => {
    const text = [
      'sandbox_mode = "workspace-write"', 'sandbox_hidden_paths = ["~/.top"]',
      '[sandbox_workspace_write]', 'network_access = true', 'writable_roots = ["/srv/cache"]',
      '[profiles.offline]', 'sandbox_hidden_paths = ["~/.p"]', 'sandbox_workspace_write = { network_access = false }',
    ].join('\n');
    expect(loadConfig({ text, strict: true, profile: 'offline' }).config.sandboxSettings).toEqual({
      mode: 'workspace-write', networkAccess: false, writableRoots: ['/srv/cache'], hiddenPaths: ['~/.p'], whenUnavailable: 'fail',
    });
  });
});

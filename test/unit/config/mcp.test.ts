import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type McpServerConfig } from '../../../src/config/index.ts';

const sourceName = path.join(import.meta.dirname, '../../fixtures/config/mcp-servers.toml');
const text = readFileSync(sourceName, 'utf8');

const stdio = (over: Partial<McpServerConfig>): McpServerConfig => ({
  name: '',
  transport: 'stdio',
  args: [],
  env: {},
  envVars: [],
  httpHeaders: {},
  envHttpHeaders: {},
  startupTimeoutMs: 10_000,
  toolTimeoutMs: 60_000,
  disabledTools: [],
  ...over,
});

const DOCS = stdio({
  name: 'docs',
  command: 'docs-server',
  args: ['--port', '4000'],
  env: { LOG_LEVEL: 'debug' },
  envVars: ['DOCS_API_KEY'],
  cwd: 'tools',
  startupTimeoutMs: 20_000,
  toolTimeoutMs: 2500,
  enabledTools: ['search', 'fetch'],
  disabledTools: ['fetch'],
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: [mcp_servers.*]', () => {
  it("reads Codex's keys for stdio and streamable-HTTP servers, leaving out disabled ones", () => {
    const { config, warnings } = loadConfig({ text, sourceName, strict: true });
    expect(config.mcpServers).toEqual([
      DOCS,
      {
        ...stdio({ name: 'figma' }),
        transport: 'http',
        url: 'https://mcp.figma.com/mcp',
        bearerTokenEnvVar: 'FIGMA_OAUTH_TOKEN',
        httpHeaders: { 'X-Figma-Region': 'us-east-1' },
        envHttpHeaders: { 'X-Org-Id': 'FIGMA_ORG_ID' },
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('lets a profile switch servers on and off and add its own', () => {
    const { config } = loadConfig({ text, sourceName, profile: 'review' });
    expect(config.mcpServers).toEqual([
      DOCS,
      stdio({ name: 'heavy', command: 'npx', args: ['-y', '@example/heavy-mcp'] }),
      stdio({ name: 'local-only', command: './bin/mcp', startupTimeoutMs: 5000 }),
    ]);
  });

  it('has no servers when the file names none', () => {
    expect(loadConfig({ text: 'model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"\n' }).config.mcpServers).toBeUndefined();
  });

  it('warns about unknown keys of a server table as of any other, and refuses them when strict', () => {
    const toml = '[mcp_servers.x]\ncommand = "x"\nstartup_timeout = 5\n[profiles.p.mcp_servers.x]\nenabeld = true\n';
    const { config, warnings } = loadConfig({ text: toml, sourceName: 'c.toml', profile: 'p' });
    expect(warnings).toEqual(['c.toml: unknown key mcp_servers.x.startup_timeout (ignored)', 'c.toml: unknown key profiles.p.mcp_servers.x.enabeld (ignored)']);
    expect(config.mcpServers).toEqual([stdio({ name: 'x', command: 'x' })]);
    expect(configError(() => loadConfig({ text: toml, sourceName: 'c.toml', strict: true })).key).toBe('mcp_servers.x.startup_timeout');
  });

  it('refuses a server with both or neither transport, keys of the other transport, or a bad name, naming its table', () => {
    const cases: [string, string, string][] = [
      ['[mcp_servers.x]\ncommand = "a"\nurl = "https://h/mcp"\n', 'mcp_servers.x', 'give exactly one of command'],
      ['[mcp_servers.x]\nargs = ["a"]\n', 'mcp_servers.x', 'give exactly one of command'],
      ['[mcp_servers.x]\nurl = "https://h/mcp"\nenv_vars = ["A"]\ncwd = "b"\n', 'mcp_servers.x', 'env_vars, cwd do not apply to a streamable-HTTP server'],
      ['[mcp_servers.x]\ncommand = "a"\nbearer_token_env_var = "T"\n', 'mcp_servers.x', 'bearer_token_env_var does not apply to a stdio server'],
      ['[mcp_servers."my.server"]\ncommand = "a"\n', 'mcp_servers.my.server', 'a server name may hold only'],
      ['[profiles.p.mcp_servers.y]\nurl = "https://h/mcp"\ncommand = "b"\n', 'profiles.p.mcp_servers.y', 'give exactly one of command'],
    ];
    for (const [toml, key, message] of cases) {
      const err = configError(() => loadConfig({ text: toml, sourceName: 'c.toml', profile: toml.includes('profiles.p') ? 'p' : undefined }));
      expect([err.key, err.message.includes(message), err.message.startsWith(`c.toml: ${key}: `)]).toEqual([key, true, true]);
    }
  });

  it('checks value types: a URL with http(s), variable names, positive timeouts', () => {
    const cases: [string, string][] = [
      ['[mcp_servers.x]\nurl = "ftp://h/mcp"\n', 'mcp_servers.x.url'],
      ['[mcp_servers.x]\ncommand = "a"\nenv_vars = ["NOT A NAME"]\n', 'mcp_servers.x.env_vars[0]'],
      ['[mcp_servers.x]\ncommand = "a"\ntool_timeout_sec = 0\n', 'mcp_servers.x.tool_timeout_sec'],
      ['[mcp_servers.x]\ncommand = "a"\nargs = "one"\n', 'mcp_servers.x.args'],
    ];
    for (const [toml, key] of cases) expect(configError(() => loadConfig({ text: toml, sourceName: 'c.toml' })).key).toBe(key);
  });

  it('does not check a disabled server', () => {
    expect(loadConfig({ text: '[mcp_servers.x]\nenabled = false\n' }).config.mcpServers).toBeUndefined();
  });
});

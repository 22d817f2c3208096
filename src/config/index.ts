export { ConfigError } from './errors.ts';
export { loadConfig } from './load.ts';
export { DEFAULT_LIMITS, DEFAULT_MODEL, DEFAULT_SETUP_TIMEOUT_SECONDS, DEFAULT_SHELL_TIMEOUT_MS } from './defaults.ts';
export type { ConfigOverrides, FailoverEntry, Limits, LoadConfigOptions, ResolvedConfig } from './load.ts';
export { BUILT_IN_PROVIDERS } from './providers.ts';
export type { ProviderConfig, WireApi } from './providers.ts';
export { defaultConfigPath } from './file.ts';
export { DEFAULT_MCP_STARTUP_TIMEOUT_MS, DEFAULT_MCP_TOOL_TIMEOUT_MS } from './mcp.ts';
export type { McpServerConfig } from './mcp.ts';

/** Variables a server's configuration names by reference, looked up when it starts. */
import type { McpServerConfig } from '../config/mcp.ts';
import { McpStartError } from './errors.ts';
import type { McpSourceOptions } from './types.ts';

type Lookup = McpSourceOptions['lookup'];

/**
 * The headers of every request to an HTTP server: `http_headers` as written, each
 * `env_http_headers` entry and `bearer_token_env_var` (as `Authorization: Bearer ...`) from
 * `lookup`. A named variable that is not set fails the start, naming the variable (never a value).
 * The values looked up are added to `secrets`.
 */
export async function httpHeaders(config: McpServerConfig, lookup: Lookup, secrets: string[]): Promise<Record<string, string>> {
  const headers: Record<string, string> = { ...config.httpHeaders };
  const need = async (name: string, key: string): Promise<string> => {
    const value = (await lookup(name))?.trim();
    if (!value) throw new McpStartError(config.name, 'missing_variable', `${name} (named by mcp_servers.${config.name}.${key}) is not set`);
    secrets.push(value);
    return value;
  };
  for (const [header, name] of Object.entries(config.envHttpHeaders)) headers[header] = await need(name, 'env_http_headers');
  if (config.bearerTokenEnvVar) headers.Authorization = `Bearer ${await need(config.bearerTokenEnvVar, 'bearer_token_env_var')}`;
  return headers;
}

/** The variables of `env_vars`, from `lookup` (their values added to `secrets`); one that is not set fails the start. */
export async function stdioVariables(config: McpServerConfig, lookup: Lookup, secrets: string[]): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const name of config.envVars) {
    const value = await lookup(name);
    if (value === undefined || value === '') throw new McpStartError(config.name, 'missing_variable', `${name} (named by mcp_servers.${config.name}.env_vars) is not set`);
    secrets.push(value);
    env[name] = value;
  }
  return env;
}

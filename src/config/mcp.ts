/**
 * `[mcp_servers.NAME]` tables, with Codex CLI's keys: a stdio server (`command`, `args`, `env`,
 * `env_vars`, `cwd`) or a streamable-HTTP one (`url`, `bearer_token_env_var`, `http_headers`,
 * `env_http_headers`), each with `enabled`, `startup_timeout_sec`, `tool_timeout_sec`,
 * `enabled_tools` and `disabled_tools`. A profile's `[profiles.P.mcp_servers.NAME]` is merged over
 * the top-level table of the same name key by key, so a profile can switch a server on or off
 * (`enabled`) or define one of its own.
 */
import * as z from 'zod/v4';
import { ConfigError } from './errors.ts';

/** Codex's defaults. */
export const DEFAULT_MCP_STARTUP_TIMEOUT_MS = 10_000;
export const DEFAULT_MCP_TOOL_TIMEOUT_MS = 60_000;

/** Server names become part of tool names (`mcp__<server>__<tool>`), so only these characters. */
const SERVER_NAME = /^[A-Za-z0-9_-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One server as the run uses it (enabled servers only). */
export interface McpServerConfig {
  name: string;
  transport: 'stdio' | 'http';
  /** stdio: the program and its arguments, started in the workspace (or `cwd`, relative to it). */
  command?: string;
  args: string[];
  /** stdio: literal variables added to the scrubbed tool environment. */
  env: Record<string, string>;
  /** stdio: variables passed by reference, their values looked up when the server starts (secrets). */
  envVars: string[];
  cwd?: string;
  /** http: the streamable-HTTP endpoint. */
  url?: string;
  /** http: the variable holding a bearer token for `Authorization`. */
  bearerTokenEnvVar?: string;
  httpHeaders: Record<string, string>;
  /** http: header name -> the variable holding its value. */
  envHttpHeaders: Record<string, string>;
  startupTimeoutMs: number;
  toolTimeoutMs: number;
  /** Only these tools of the server (by the server's own names); absent: all. */
  enabledTools?: string[];
  disabledTools: string[];
}

/** The zod schema of one `[mcp_servers.NAME]` table, strict (unknown keys reported) or stripping (see schema.ts). */
export function mcpServerSchema(strict: boolean) {
  const obj = <T extends z.ZodRawShape>(shape: T) => (strict ? z.strictObject(shape) : z.object(shape));
  const envName = z.string().regex(ENV_NAME, 'must be an environment variable name');
  const seconds = z.number().positive();
  return obj({
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(envName, z.string()).optional(),
    env_vars: z.array(envName).optional(),
    cwd: z.string().min(1).optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    bearer_token_env_var: envName.optional(),
    http_headers: z.record(z.string(), z.string()).optional(),
    env_http_headers: z.record(z.string(), envName).optional(),
    enabled: z.boolean().optional(),
    startup_timeout_sec: seconds.optional(),
    // Codex's older spelling.
    startup_timeout_ms: z.number().int().positive().optional(),
    tool_timeout_sec: seconds.optional(),
    enabled_tools: z.array(z.string()).optional(),
    disabled_tools: z.array(z.string()).optional(),
  });
}

export type McpServerTable = z.infer<ReturnType<typeof mcpServerSchema>>;

const STDIO_KEYS = ['command', 'args', 'env', 'env_vars', 'cwd'] as const;
const HTTP_KEYS = ['url', 'bearer_token_env_var', 'http_headers', 'env_http_headers'] as const;

/**
 * The enabled servers of the file's top level merged with the selected profile's tables, sorted
 * by name. A server must have exactly one of `command` and `url`, and only the keys of its
 * transport; a bad one throws ConfigError naming its table (disabled servers are not checked).
 */
export function resolveMcpServers(
  top: Record<string, McpServerTable> | undefined,
  profile: Record<string, McpServerTable> | undefined,
  profileName: string | undefined,
  file: string,
): McpServerConfig[] {
  const names = [...new Set([...Object.keys(top ?? {}), ...Object.keys(profile ?? {})])].sort();
  const out: McpServerConfig[] = [];
  for (const name of names) {
    const fromProfile = profile !== undefined && Object.hasOwn(profile, name);
    const where = fromProfile ? `profiles.${profileName}.mcp_servers.${name}` : `mcp_servers.${name}`;
    const fail = (why: string): never => {
      throw new ConfigError(`${file}: ${where}: ${why}`, { key: where, file });
    };
    const t: McpServerTable = { ...(top?.[name] ?? {}), ...(fromProfile ? profile[name] : {}) };
    if (t.enabled === false) continue;
    if (!SERVER_NAME.test(name)) fail('a server name may hold only letters, digits, "_" and "-"');
    if ((t.command === undefined) === (t.url === undefined)) fail('give exactly one of command (a stdio server) and url (a streamable-HTTP server)');
    const stray = (t.command !== undefined ? HTTP_KEYS : STDIO_KEYS).filter((k) => t[k] !== undefined);
    if (stray.length > 0) fail(`${stray.join(', ')} ${stray.length > 1 ? 'do' : 'does'} not apply to a ${t.command !== undefined ? 'stdio' : 'streamable-HTTP'} server`);
    const seconds = (s: number | undefined) => (s === undefined ? undefined : Math.ceil(s * 1000));
    out.push({
      name,
      transport: t.command !== undefined ? 'stdio' : 'http',
      ...(t.command !== undefined ? { command: t.command } : {}),
      args: [...(t.args ?? [])],
      env: { ...(t.env ?? {}) },
      envVars: [...(t.env_vars ?? [])],
      ...(t.cwd !== undefined ? { cwd: t.cwd } : {}),
      ...(t.url !== undefined ? { url: t.url } : {}),
      ...(t.bearer_token_env_var !== undefined ? { bearerTokenEnvVar: t.bearer_token_env_var } : {}),
      httpHeaders: { ...(t.http_headers ?? {}) },
      envHttpHeaders: { ...(t.env_http_headers ?? {}) },
      startupTimeoutMs: seconds(t.startup_timeout_sec) ?? t.startup_timeout_ms ?? DEFAULT_MCP_STARTUP_TIMEOUT_MS,
      toolTimeoutMs: seconds(t.tool_timeout_sec) ?? DEFAULT_MCP_TOOL_TIMEOUT_MS,
      ...(t.enabled_tools !== undefined ? { enabledTools: [...t.enabled_tools] } : {}),
      disabledTools: [...(t.disabled_tools ?? [])],
    });
  }
  return out;
}

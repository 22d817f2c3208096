/** Model providers: the built-in ones (Codex CLI's defaults) and those a file defines or adjusts. */
import { ConfigError } from './errors.ts';
import type { ProviderTable } from './schema.ts';

export type WireApi = 'responses' | 'chat' | 'converse';

export interface ProviderConfig {
  /** Display name. */
  name: string;
  /** Absent for amazon-bedrock: its endpoint comes from the AWS region (or AWS_ENDPOINT_URL_*). */
  baseUrl?: string;
  wireApi: WireApi;
  /** Environment variable holding the API key. */
  envKey?: string;
  httpHeaders: Record<string, string>;
  requestMaxRetries?: number;
  /** A streamed answer silent this long is abandoned and the call retried. */
  streamIdleTimeoutMs?: number;
  /** A call with no response headers this long is abandoned and retried. */
  streamFirstByteTimeoutMs?: number;
  /** AWS authentication; only amazon-bedrock has it. */
  aws?: { profile?: string; region?: string };
}

export const BEDROCK = 'amazon-bedrock';

/** The built-in providers, with Codex CLI's defaults. */
export const BUILT_IN_PROVIDERS: Readonly<Record<string, ProviderConfig>> = {
  [BEDROCK]: { name: 'Amazon Bedrock', wireApi: 'converse', httpHeaders: {} },
  openai: { name: 'OpenAI', baseUrl: 'https://api.openai.com/v1', wireApi: 'responses', envKey: 'OPENAI_API_KEY', httpHeaders: {} },
  ollama: { name: 'Ollama', baseUrl: 'http://localhost:11434/v1', wireApi: 'chat', httpHeaders: {} },
  lmstudio: { name: 'LM Studio', baseUrl: 'http://localhost:1234/v1', wireApi: 'chat', httpHeaders: {} },
};

/** Merges a provider table over `base` (a built-in provider, or nothing for a custom one). */
export function toProviderConfig(id: string, table: ProviderTable, base: ProviderConfig | undefined, keyPrefix: string, file: string): ProviderConfig {
  if (table.aws && id !== BEDROCK) {
    throw new ConfigError(`${file}: ${keyPrefix}.aws: AWS authentication is only supported for the ${BEDROCK} provider, not ${JSON.stringify(id)}`, { key: `${keyPrefix}.aws`, file });
  }
  const out: ProviderConfig = { ...(base ?? { name: id, wireApi: 'chat', httpHeaders: {} }) };
  out.httpHeaders = { ...out.httpHeaders, ...(table.http_headers ?? {}) };
  if (table.name !== undefined) out.name = table.name;
  if (table.base_url !== undefined) out.baseUrl = table.base_url;
  if (table.wire_api !== undefined) out.wireApi = table.wire_api;
  if (table.env_key !== undefined) out.envKey = table.env_key;
  if (table.request_max_retries !== undefined) out.requestMaxRetries = table.request_max_retries;
  if (table.stream_idle_timeout_ms !== undefined) out.streamIdleTimeoutMs = table.stream_idle_timeout_ms;
  if (table.stream_first_byte_timeout_ms !== undefined) out.streamFirstByteTimeoutMs = table.stream_first_byte_timeout_ms;
  if (table.aws) {
    const aws = { ...(out.aws ?? {}) };
    if (table.aws.profile !== undefined) aws.profile = table.aws.profile;
    if (table.aws.region !== undefined) aws.region = table.aws.region;
    out.aws = aws;
  }
  return out;
}

/**
 * The TOML file's shape (Codex CLI's keys plus ours), as zod schemas. Built twice: strict (to
 * report unknown keys) and stripping (to get the value once unknown keys are only warnings).
 */
import * as z from 'zod/v4';
import { SANDBOX_MODE_NAMES } from '../sandbox/modes.ts';
import { mcpServerSchema } from './mcp.ts';

/** The reasoning efforts a profile may ask for; providers map each to their own setting. */
export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

const WIRE_APIS = ['responses', 'chat', 'converse'] as const;

function build(strict: boolean) {
  const obj = <T extends z.ZodRawShape>(shape: T) => (strict ? z.strictObject(shape) : z.object(shape));
  const posInt = z.number().int().positive();
  const hostPath = z.string().refine((p) => p === '~' || p.startsWith('~/') || p.startsWith('/'), 'must be an absolute path or start with ~/');
  const provider = obj({
    name: z.string().optional(),
    base_url: z.url().optional(),
    wire_api: z.enum(WIRE_APIS).optional(),
    env_key: z.string().min(1).optional(),
    http_headers: z.record(z.string(), z.string()).optional(),
    request_max_retries: z.number().int().nonnegative().optional(),
    stream_idle_timeout_ms: posInt.optional(),
    stream_first_byte_timeout_ms: posInt.optional(),
    aws: obj({ profile: z.string().min(1).optional(), region: z.string().min(1).optional() }).optional(),
  });
  const layer = {
    model_provider: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    model_reasoning_effort: z.enum(REASONING_EFFORTS).optional(),
    /** Older spelling of sandbox_mode: used when it names a mode, else only recorded. */
    sandbox: z.string().optional(),
    sandbox_mode: z.enum(SANDBOX_MODE_NAMES).optional(),
    sandbox_workspace_write: obj({ network_access: z.boolean().optional(), writable_roots: z.array(hostPath).optional() }).optional(),
    sandbox_hidden_paths: z.array(hostPath).optional(),
    sandbox_unavailable: z.enum(['fail', 'run-unsandboxed']).optional(),
    model_providers: z.record(z.string(), provider).optional(),
    limits: obj({
      max_turns: posInt.optional(),
      max_cost_usd: z.number().nonnegative().optional(),
      timeout_seconds: posInt.optional(),
      max_tokens: posInt.optional(),
    }).optional(),
    bedrock: obj({
      global_inference_profiles: z.boolean().optional(),
      /** Application inference profile ARN = the model id it routes to (its prices and capabilities apply). */
      application_inference_profiles: z.record(z.string(), z.string().min(1)).optional(),
    }).optional(),
    failover: z.array(obj({ provider: z.string().min(1).optional(), model: z.string().min(1).optional(), region: z.string().min(1).optional() })).optional(),
    tools: obj({ shell_timeout_ms: posInt.optional() }).optional(),
    redact_patterns: z.array(z.string()).optional(),
    mcp_servers: z.record(z.string(), mcpServerSchema(strict)).optional(),
    setup: obj({ command: z.string().min(1).optional(), repository_script: z.boolean().optional(), timeout_seconds: posInt.optional() }).optional(),
  };
  const profile = obj(layer);
  const file = obj({ ...layer, profile: z.string().min(1).optional(), profiles: z.record(z.string(), profile).optional() });
  return { file, profile };
}

type Schemas = ReturnType<typeof build>;
let built: { strict: Schemas; lenient: Schemas } | undefined;

/** The strict and the stripping schemas, built on first use: a run without a config file needs neither. */
export function fileSchemas(): { strict: Schemas; lenient: Schemas } {
  return (built ??= { strict: build(true), lenient: build(false) });
}

/** One layer of settings: the file's top level or one `[profiles.NAME]` table. */
export type Layer = z.infer<Schemas['profile']>;
export type ProviderTable = NonNullable<Layer['model_providers']>[string];
/** The whole file. */
export type FileConfig = z.infer<Schemas['file']>;

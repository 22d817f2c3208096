/** What template.yaml says about a function that matters to run it: its settings and literal variables. */
export interface FunctionConfig {
  logicalId: string;
  timeoutS: number;
  memoryMb: number;
  ephemeralMb: number;
  /** Variables the template gives a literal value (Globals, then the function); references are left out. */
  variables: Record<string, string>;
}

/**
 * Reads a function's Timeout, MemorySize, EphemeralStorage and literal Environment variables from
 * the parsed template (the function's own values over Globals.Function, Lambda's defaults else).
 * Values given by `!Ref` or other intrinsics are not known locally and come from `--env-vars`.
 */
export function functionConfig(template: any, logicalId: string): FunctionConfig {
  const globals = (template?.Globals?.Function ?? {}) as Record<string, any>;
  const props = (template?.Resources?.[logicalId]?.Properties ?? {}) as Record<string, any>;
  const pick = (key: string) => props[key] ?? globals[key];
  const variables: Record<string, string> = {};
  for (const source of [globals.Environment?.Variables, props.Environment?.Variables]) {
    for (const [k, v] of Object.entries<unknown>(source ?? {})) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') variables[k] = String(v);
    }
  }
  return {
    logicalId,
    timeoutS: numberOr(pick('Timeout'), 3),
    memoryMb: numberOr(pick('MemorySize'), 128),
    ephemeralMb: numberOr(pick('EphemeralStorage')?.Size, 512),
    variables,
  };
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** The standard variables that point AWS clients at endpoints (contract: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) and reach networks. */
const PASS_THROUGH = /^(AWS_ENDPOINT_URL(_[A-Z0-9_]+)?|AWS_EC2_METADATA_DISABLED|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS)$/;

/**
 * The caller's variables a local function also gets: where its AWS endpoints are (a local
 * emulator, a fake) and how to reach the network. Lambda has no such thing; locally it is how the
 * same standard variables point a run at local servers.
 */
export function passThroughVariables(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && PASS_THROUGH.test(k)) out[k] = v;
  return out;
}

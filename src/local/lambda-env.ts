import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface LambdaEnvOptions {
  functionName: string;
  memoryMb: number;
  region: string;
  packageType: 'Zip' | 'Image';
  /** The execution role's credentials as Lambda hands them to the function. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Zip functions: the handler (`index.handler`) and the folder holding the bundle. */
  handler?: string;
  taskRoot?: string;
  /** Zip functions: the runtime's PATH (Lambda's: /var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin). */
  path?: string;
  /** Zip functions: the runtime id of AWS_EXECUTION_ENV (default nodejs22.x). */
  runtime?: string;
  clock: () => number;
}

/**
 * The variables Lambda defines for a function's runtime (AWS's "defined runtime environment
 * variables"): region, function name, version, memory, log group and stream, initialization
 * type, the role's credentials, and for zip functions the handler, task root, PATH, LANG and TZ.
 * A container image keeps its own PATH, task root and handler (its CMD). The function's own
 * variables go on top, except that none may replace these (Lambda reserves them).
 */
export function lambdaEnvironment(opts: LambdaEnvOptions): Record<string, string> {
  const date = new Date(opts.clock()).toISOString().slice(0, 10).replace(/-/g, '/');
  const env: Record<string, string> = {
    AWS_REGION: opts.region,
    AWS_DEFAULT_REGION: opts.region,
    AWS_LAMBDA_FUNCTION_NAME: opts.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(opts.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${opts.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${date}/[$LATEST]${randomBytes(16).toString('hex')}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    TZ: ':UTC',
  };
  if (opts.credentials) {
    env.AWS_ACCESS_KEY_ID = opts.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = opts.credentials.secretAccessKey;
    if (opts.credentials.sessionToken) env.AWS_SESSION_TOKEN = opts.credentials.sessionToken;
  }
  if (opts.packageType === 'Zip') {
    env.AWS_EXECUTION_ENV = `AWS_Lambda_${opts.runtime ?? 'nodejs22.x'}`;
    env.LANG = 'en_US.UTF-8';
    if (opts.handler) env._HANDLER = opts.handler;
    if (opts.taskRoot) env.LAMBDA_TASK_ROOT = opts.taskRoot;
    if (opts.path) env.PATH = opts.path;
  }
  return env;
}

/** Names Lambda reserves: a function's configuration cannot set them. */
export const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** The function's variables over Lambda's, reserved names left out (returned in `dropped`). */
export function withFunctionVariables(lambda: Record<string, string>, vars: Record<string, string>): { env: Record<string, string>; dropped: string[] } {
  const env = { ...lambda };
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(vars)) {
    if (RESERVED_VARIABLES.has(k)) dropped.push(k);
    else env[k] = v;
  }
  return { env, dropped };
}

/**
 * The environment of a function run as a process of this machine (a zip bundle under the RIC),
 * not in a sandbox of its own: the worker's sweep of tools' leftovers is limited to the processes
 * its tools tagged. The user-wide sweep the template asks for (TOOL_PROCESS_SWEEP=uid), right in
 * Lambda and in a container, would here kill the caller's other processes (the other functions,
 * the emulators, a shell's commands) and, as root, the machine's.
 */
export function asLocalProcess(env: Record<string, string>): Record<string, string> {
  return { ...env, TOOL_PROCESS_SWEEP: 'marked' };
}

/** An `AWS_ENDPOINT_URL*` variable and the endpoint it names. */
export interface EndpointVariable {
  variable: string;
  url: string;
}

/** The `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` variables of `env` whose endpoint `isLocal` accepts. */
export function endpointVariables(env: Record<string, string | undefined>, isLocal: (url: string) => boolean): EndpointVariable[] {
  return Object.entries(env)
    .filter((e): e is [string, string] => /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/.test(e[0]) && !!e[1] && isLocal(e[1]))
    .map(([variable, url]) => ({ variable, url }));
}

/**
 * The endpoints nothing accepts a TCP connection on (refused, or no answer within `timeoutMs`):
 * a local emulator that is not running, found before the function spends its first retry on it.
 */
export async function unreachableEndpoints(endpoints: EndpointVariable[], timeoutMs = 2000): Promise<EndpointVariable[]> {
  const reachable = await Promise.all(endpoints.map((e) => canConnect(e.url, timeoutMs)));
  return endpoints.filter((_, i) => !reachable[i]);
}

function canConnect(url: string, timeoutMs: number): Promise<boolean> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve(true); // not ours to judge: the SDK reports a malformed endpoint itself
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

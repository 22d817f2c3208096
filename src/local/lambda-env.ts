import net from 'node:net';

/** The function `lambdaEnvironment` describes. */
export interface LambdaFunctionInfo {
  /** The template's logical id, used as the function name. */
  name: string;
  region: string;
  memoryMb?: number;
}

/**
 * The variables Lambda's Node.js 22 runtime sets in every function's environment, as a local
 * invocation should see them: the region (the SDK clients a bundle builds at module scope read
 * it), the function's name, version, memory and log names, the execution environment and UTC.
 * Not the credentials nor the runtime API: those come from the caller's machine, or do not apply.
 */
export function lambdaEnvironment(fn: LambdaFunctionInfo): Record<string, string> {
  return {
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb ?? 2048),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local/[$LATEST]invoke',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    TZ: ':UTC',
  };
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

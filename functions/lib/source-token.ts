/**
 * The worker's side of the source-token function (docs/github.md, "Private repositories"): the
 * worker holds no GitHub credential; for a `source.github` task it invokes the function, which
 * answers a token that can only read that one repository for the next hour. The token is kept in
 * memory for the download only: never in the environment, an artifact or a log line.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { SourceTokenRequest, SourceTokenResponse } from '../../src/github/index.ts';
import { regionOf } from './aws.ts';

/** Lambda's Invoke (RequestResponse), shaped like the SDK's `LambdaClient.send(new InvokeCommand(input))`. */
export type Invoke = (input: { FunctionName: string; Payload: Uint8Array }) => Promise<{ StatusCode?: number; FunctionError?: string; Payload?: Uint8Array }>;

type Env = Record<string, string | undefined>;

const RETRIES = [200, 800];

/**
 * Invoke over HTTPS with SigV4 (`POST /2015-03-31/functions/{name}/invocations`), the
 * credentials of the SDK's default chain (`credentials`, e.g. another client's
 * `config.credentials`), the function's Region, and AWS_ENDPOINT_URL_LAMBDA or AWS_ENDPOINT_URL
 * when set. Throttling (429), service faults (5xx) and network errors are retried twice; any
 * other refusal throws with Lambda's error type.
 */
export function lambdaInvoker(env: Env, credentials: AwsCredentialIdentityProvider, deps: { fetch?: typeof fetch; sleep?: (ms: number) => Promise<void> } = {}): Invoke {
  const region = regionOf(env);
  const endpoint = new URL(env.AWS_ENDPOINT_URL_LAMBDA?.trim() || env.AWS_ENDPOINT_URL?.trim() || `https://lambda.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`);
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Sha256 });
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  return async ({ FunctionName, Payload }) => {
    const path = `${endpoint.pathname.replace(/\/+$/, '')}/2015-03-31/functions/${encodeURIComponent(FunctionName)}/invocations`;
    for (let attempt = 0; ; attempt++) {
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path,
        headers: { host: endpoint.host, 'content-type': 'application/octet-stream', 'x-amz-invocation-type': 'RequestResponse' },
        body: Payload,
      });
      const { host: _host, ...headers } = signed.headers;
      let res: Response | undefined;
      let failure: string;
      try {
        res = await doFetch(new URL(path, endpoint), { method: 'POST', headers, body: Payload });
        if (res.ok) return { StatusCode: res.status, FunctionError: res.headers.get('x-amz-function-error') ?? undefined, Payload: new Uint8Array(await res.arrayBuffer()) };
        failure = `${res.headers.get('x-amzn-errortype')?.split(':')[0] ?? 'HTTP'} ${res.status}: ${(await res.text()).slice(0, 300)}`;
      } catch (err) {
        failure = `cannot reach ${endpoint.origin}: ${(err as Error).message}`;
      }
      const transient = res === undefined || res.status === 429 || res.status >= 500;
      if (!transient || attempt >= RETRIES.length) throw new Error(`Lambda Invoke of ${FunctionName} failed: ${failure}`);
      await sleep(RETRIES[attempt]);
    }
  };
}

/**
 * `sources.githubToken` for the worker: asks the source-token function `functionName` for a token
 * for the repository. A refusal (App not installed there, repository not allowed, a plain token
 * the function will not hand out) gives undefined, so the download goes without a token: public
 * repositories keep working. A failing function or Invoke throws (the source is retried later).
 */
export function sourceTokenClient(invoke: Invoke, functionName: string, log?: { warn(message: string, extra?: Record<string, unknown>): void }): (repo: SourceTokenRequest) => Promise<string | undefined> {
  return async ({ owner, repo }) => {
    const request: SourceTokenRequest = { owner, repo };
    const out = await invoke({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(request)) });
    const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
    let body: Partial<SourceTokenResponse & { errorMessage: string }> | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (out.FunctionError) throw new Error(`the source-token function failed (${out.FunctionError}): ${body?.errorMessage ?? text.slice(0, 300)}`);
    if (body && 'token' in body && typeof body.token === 'string' && body.token !== '') return body.token;
    if (body && 'error' in body && body.error) {
      log?.warn('no source token for the repository; downloading without one', { repository: `${owner}/${repo}`, code: body.error.code, reason: body.error.message });
      return undefined;
    }
    throw new Error('the source-token function answered neither a token nor a refusal');
  };
}

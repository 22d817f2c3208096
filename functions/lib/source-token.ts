/**
 * The worker's side of the source-token function (docs/github.md, "Private repositories"): the
 * worker holds no GitHub credential; for a `source.github` task it invokes the function, which
 * answers a token that can only read that one repository for the next hour. The token is kept in
 * memory for the download only: never in the environment, an artifact or a log line.
 */
import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { SourceTokenRequest, SourceTokenResponse } from '../../src/github/index.ts';

/** Lambda's Invoke (RequestResponse), as `LambdaClient.send(new InvokeCommand(input))` answers it. */
export type Invoke = (input: { FunctionName: string; Payload: Uint8Array }) => Promise<{ StatusCode?: number; FunctionError?: string; Payload?: Uint8Array }>;

/**
 * Invoke through the SDK's Lambda client (its retries, signing and endpoint resolution), built on
 * the first call: the client is imported only by workers that meet a GitHub source, so it costs
 * nothing at cold start.
 */
export function lambdaInvoker(config: LambdaClientConfig): Invoke {
  let ready: Promise<Invoke> | undefined;
  const load = async (): Promise<Invoke> => {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    const client = new LambdaClient(config);
    return (input) => client.send(new InvokeCommand({ ...input, InvocationType: 'RequestResponse' }));
  };
  return async (input) => (await (ready ??= load()))(input);
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

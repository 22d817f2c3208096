import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createViewLinker } from '../view/link.ts';
import { endpointFromEnv, firstLine, type Env } from './aws.ts';
import type { StackEndpoints } from './stack.ts';

export interface ViewLinkDeps {
  env: Env;
  now: () => Date;
  /** Reads a secret's string (default: Secrets Manager with the default chain). */
  readSecret?: (arn: string) => Promise<string>;
}

/**
 * The watch-page link of a task on this stack, signed here with the link key: the value of
 * `AGENT_RUNNER_VIEW_SECRET` (local stacks), else the stack's secret (its `ViewTokenSecretArn`
 * output or `AGENT_RUNNER_VIEW_SECRET_ARN`), which needs `secretsmanager:GetSecretValue` on it.
 * `{url}`, `{error}` when the link cannot be made, or undefined for a stack without watch pages.
 */
export async function viewLinkFor(stack: StackEndpoints, taskId: string, deps: ViewLinkDeps): Promise<{ url: string } | { error: string } | undefined> {
  if (!stack.viewUrl) return undefined;
  const value = deps.env.AGENT_RUNNER_VIEW_SECRET?.trim();
  const arn = stack.viewSecretArn;
  if (!value && !arn) return { error: 'the stack names no link key (ViewTokenSecretArn); set AGENT_RUNNER_VIEW_SECRET_ARN or AGENT_RUNNER_VIEW_SECRET' };
  const read = deps.readSecret ?? ((id: string) => readSecret(deps.env, id));
  try {
    const linker = createViewLinker({ baseUrl: stack.viewUrl, key: async () => value || (await read(arn as string)), clock: () => deps.now().getTime() });
    return { url: await linker(taskId) };
  } catch (err) {
    return { error: firstLine((err as Error)?.message ?? String(err), 500) };
  }
}

/**
 * Writes `view: <url>` on a line of its own (or why there is no link) to `err`; returns the URL.
 * Never throws: a missing link does not stop the command.
 */
export async function printViewLink(stack: StackEndpoints, taskId: string, deps: ViewLinkDeps & { err: { write(text: string): unknown } }): Promise<string | undefined> {
  const link = await viewLinkFor(stack, taskId, deps);
  if (!link) return undefined;
  if ('error' in link) {
    deps.err.write(`agent-runner: no watch-page link: ${link.error}\n`);
    return undefined;
  }
  deps.err.write(`view: ${link.url}\n`);
  return link.url;
}

async function readSecret(env: Env, arn: string): Promise<string> {
  const endpoint = endpointFromEnv(env, 'SECRETS_MANAGER');
  const client = new SecretsManagerClient(endpoint ? { endpoint } : {});
  try {
    const res = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!res.SecretString) throw new Error(`the secret ${arn} has no string value`);
    return res.SecretString;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    throw new Error(`cannot read the link key ${arn} (${e.name ?? 'Error'}: ${firstLine(e.message ?? '')}); the caller needs secretsmanager:GetSecretValue on it`, { cause: err });
  } finally {
    client.destroy();
  }
}

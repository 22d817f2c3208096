import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ClientConfigError } from './errors.ts';
import { firstLine, type Env } from './aws.ts';
import type { Budgets } from '../budget/index.ts';

/** Where a stack takes tasks and keeps artifacts. */
export interface StackEndpoints {
  queueUrl: string;
  bucket: string;
  /** The progress function URL; absent when the stack (or the caller) does not give one. */
  progressUrl?: string;
  /** The watch pages' base URL (the view function's URL), when the stack has one. */
  viewUrl?: string;
  /** The secret holding the key of the watch-page links. */
  viewSecretArn?: string;
  /** The monthly budgets, when the stack's outputs say (with --stack). */
  budgets?: Budgets;
}

export interface StackFlags {
  stack?: string;
  queueUrl?: string;
  bucket?: string;
  progressUrl?: string;
}

/** The stack outputs `template.yaml` declares. */
export const STACK_OUTPUTS = {
  queueUrl: 'TaskQueueUrl',
  bucket: 'ArtifactBucketName',
  progressUrl: 'ProgressUrl',
  viewUrl: 'ViewUrl',
  viewSecretArn: 'ViewTokenSecretArn',
  monthlyBudgetUsd: 'MonthlyBudgetUsd',
  repositoryMonthlyBudgetUsd: 'RepositoryMonthlyBudgetUsd',
} as const;

/**
 * Finds the stack's queue, bucket and progress URL: from `--stack NAME` (CloudFormation outputs),
 * else from the flags, else from `AGENT_RUNNER_STACK`, else from the environment (`AGENT_RUNNER_QUEUE_URL`/`TASK_QUEUE_URL`,
 * `AGENT_RUNNER_BUCKET`/`ARTIFACT_BUCKET`, `AGENT_RUNNER_PROGRESS_URL`), flags winning over the
 * environment field by field. Needs `queueUrl` only when `needQueue`. Problems are
 * ClientConfigErrors with one line saying what to do.
 */
export async function resolveStack(
  flags: StackFlags,
  deps: { env: Env; cloudFormation: () => CloudFormationClient; needQueue: boolean; region?: string },
): Promise<StackEndpoints> {
  const env = deps.env;
  const endpointFlags = !!(flags.queueUrl || flags.bucket || flags.progressUrl);
  if (flags.stack !== undefined && endpointFlags) {
    throw new ClientConfigError('give either --stack or --queue-url/--bucket/--progress-url, not both');
  }
  const stack = flags.stack ?? (endpointFlags ? undefined : env.AGENT_RUNNER_STACK || undefined);
  if (stack !== undefined) return describeStack(stack, deps.cloudFormation(), deps.region ?? '(unknown)');
  const queueUrl = flags.queueUrl || env.AGENT_RUNNER_QUEUE_URL || env.TASK_QUEUE_URL || '';
  const bucket = flags.bucket || env.AGENT_RUNNER_BUCKET || env.ARTIFACT_BUCKET || '';
  const progressUrl = flags.progressUrl || env.AGENT_RUNNER_PROGRESS_URL || undefined;
  if (!bucket) {
    throw new ClientConfigError('no stack given: pass --stack NAME or --bucket (and --queue-url), or set AGENT_RUNNER_STACK, or AGENT_RUNNER_BUCKET and AGENT_RUNNER_QUEUE_URL');
  }
  if (deps.needQueue && !queueUrl) {
    throw new ClientConfigError('no task queue given: pass --stack NAME or --queue-url URL, or set AGENT_RUNNER_QUEUE_URL');
  }
  checkUrl('queue URL', queueUrl, !deps.needQueue);
  if (progressUrl) checkUrl('progress URL', progressUrl, false);
  return { queueUrl, bucket, ...(progressUrl ? { progressUrl } : {}), ...viewSettings(env.AGENT_RUNNER_VIEW_URL, env.AGENT_RUNNER_VIEW_SECRET_ARN) };
}

async function describeStack(name: string, client: CloudFormationClient, region: string): Promise<StackEndpoints> {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name) && !name.startsWith('arn:')) {
    throw new ClientConfigError(`--stack ${JSON.stringify(name)} is not a valid CloudFormation stack name`);
  }
  let outputs: Record<string, string>;
  try {
    const res = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = res.Stacks?.[0];
    if (!stack) throw new ClientConfigError(`stack ${name} not found`);
    outputs = Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey as string, o.OutputValue as string]));
  } catch (err) {
    if (err instanceof ClientConfigError) throw err;
    throw describeError(name, err, region);
  }
  const queueUrl = outputs[STACK_OUTPUTS.queueUrl];
  const bucket = outputs[STACK_OUTPUTS.bucket];
  const progressUrl = outputs[STACK_OUTPUTS.progressUrl];
  const missing = [!queueUrl && STACK_OUTPUTS.queueUrl, !bucket && STACK_OUTPUTS.bucket].filter(Boolean);
  if (missing.length > 0) {
    throw new ClientConfigError(`stack ${name} has no output ${missing.join(' or ')}: is it an agent-runner stack, fully deployed?`);
  }
  const budgets = budgetsOf(outputs);
  return {
    queueUrl,
    bucket,
    ...(progressUrl ? { progressUrl } : {}),
    ...viewSettings(outputs[STACK_OUTPUTS.viewUrl], outputs[STACK_OUTPUTS.viewSecretArn]),
    ...(budgets ? { budgets } : {}),
  };
}

/** The watch-page fields present (a stack from before the watch page has neither). */
function viewSettings(viewUrl: string | undefined, viewSecretArn: string | undefined): Pick<StackEndpoints, 'viewUrl' | 'viewSecretArn'> {
  if (viewUrl) checkUrl('view URL', viewUrl, false);
  return { ...(viewUrl ? { viewUrl } : {}), ...(viewSecretArn ? { viewSecretArn } : {}) };
}

/** The budgets the stack's outputs state (a stack deployed before budgets has none: undefined). */
function budgetsOf(outputs: Record<string, string>): Budgets | undefined {
  const stack = outputs[STACK_OUTPUTS.monthlyBudgetUsd];
  const repo = outputs[STACK_OUTPUTS.repositoryMonthlyBudgetUsd];
  if (stack === undefined && repo === undefined) return undefined;
  const usd = (v: string | undefined) => (v !== undefined && Number(v) > 0 ? Number(v) : undefined);
  const monthlyUsd = usd(stack);
  const repositoryMonthlyUsd = usd(repo);
  return { ...(monthlyUsd ? { monthlyUsd } : {}), ...(repositoryMonthlyUsd ? { repositoryMonthlyUsd } : {}) };
}

function describeError(name: string, err: unknown, region: string): Error {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const message = firstLine(e?.message ?? String(err));
  if (e?.name === 'ValidationError' && /does not exist/i.test(message)) {
    return new ClientConfigError(`stack ${name} does not exist in region ${region}: check --stack and AWS_REGION`, { cause: err });
  }
  if (e?.name === 'CredentialsProviderError' || /credential/i.test(e?.name ?? '')) {
    return new ClientConfigError(`no AWS credentials found (${message}): configure them with \`aws configure\`, AWS_PROFILE or an OIDC role in CI`, { cause: err });
  }
  const status = e?.$metadata?.httpStatusCode;
  if (status === 403 || e?.name === 'AccessDenied' || e?.name === 'AccessDeniedException') {
    return new ClientConfigError(`not allowed to describe stack ${name} (${message}): the caller needs cloudformation:DescribeStacks, or pass --queue-url/--bucket/--progress-url`, { cause: err });
  }
  return new ClientConfigError(`cannot describe stack ${name}: ${e?.name ? `${e.name}: ` : ''}${message}`, { cause: err });
}

function checkUrl(what: string, url: string, optional: boolean): void {
  if (optional && !url) return;
  try {
    const p = new URL(url).protocol;
    if (p === 'https:' || p === 'http:') return;
  } catch {
    // reported below
  }
  throw new ClientConfigError(`the ${what} ${JSON.stringify(url)} is not an http(s) URL`);
}

import { createHash } from 'node:crypto';
import { gh, type GitHubClient, type RepoRef } from '../client.ts';
import type { GitHubTaskMessage } from '../types.ts';
import { handleCheckFailure, prepareTaskOnPull, type CiFixDeps, type CommentPreparation, type PullJson } from './ci-fix.ts';
import type { DeliveryLog } from './deliveries.ts';
import { buildPrompt, forkReply, permissionDeniedReply, type ThreadComment } from './prompt.ts';
import type { TaskQueue } from './queue.ts';
import { parsePayload, type WebhookRequest } from './request.ts';
import { deliveryTaskId, verifySignature } from './signature.ts';
import { startedComment } from './started.ts';
import { budgetReply, type BudgetCheck } from './budget.ts';
import { isStopCommand, stopThreadTasks, type StopDeps } from './stop.ts';
import { classifyDelivery, type Trigger, type TriggerOptions } from './triggers.ts';

export interface IngestLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface IngestDeps {
  /** The webhook secret (cached by the caller). */
  webhookSecret: () => Promise<string>;
  deliveries: DeliveryLog;
  queue: TaskQueue;
  /** A REST client authorised for the repository. */
  github: (repo: RepoRef, hint?: { installationId?: number }) => GitHubClient;
  triggers: TriggerOptions;
  /** Fixing failed CI (set with `triggers.checkRuns`); without it nothing CI-related starts. */
  ciFix?: CiFixDeps;
  /** `/agent stop`: the thread index and cancel requests; without it the command is ignored. */
  stop?: StopDeps;
  /** Refuses new tasks of a repository whose (or the stack's) monthly budget is spent. */
  budget?: BudgetCheck;
  log?: IngestLog;
  /** Makes a task's watch-page link; with it, the first comment on the issue links the page. */
  viewLink?: (taskId: string) => Promise<string>;
}

export interface IngestResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

const DELIVERY_ID = /^[A-Za-z0-9-]{1,61}$/;
const quiet: IngestLog = { info: () => {}, warn: () => {} };

/**
 * Handles one webhook delivery (contract section 11). Verifies the signature before anything else
 * (401 when it is missing, malformed or wrong), then acknowledges deliveries that trigger nothing
 * with 2xx, handles each delivery id and each signed body once (a byte-identical body under a new
 * delivery id is a replay), and for a trigger enqueues exactly one task and reacts with `eyes`.
 * Every call has completed when it returns.
 */
export async function handleDelivery(request: WebhookRequest, deps: IngestDeps): Promise<IngestResponse> {
  const log = deps.log ?? quiet;
  if (request.method !== 'POST') return { statusCode: 405, body: { error: 'POST only' } };
  const secret = await deps.webhookSecret();
  if (!verifySignature(secret, request.body, request.headers['x-hub-signature-256'])) {
    return { statusCode: 401, body: { error: 'invalid or missing X-Hub-Signature-256' } };
  }
  const event = request.headers['x-github-event'] ?? '';
  const deliveryId = request.headers['x-github-delivery'] ?? '';
  const payload = parsePayload(request);
  if (payload === undefined) return { statusCode: 400, body: { error: 'the body is not JSON' } };
  const classified = classifyDelivery(event, payload, deps.triggers);
  if ('ignored' in classified) {
    log.info('delivery ignored', { event, deliveryId, reason: classified.ignored });
    return { statusCode: 200, body: { ignored: classified.ignored } };
  }
  if (!DELIVERY_ID.test(deliveryId)) return { statusCode: 400, body: { error: 'missing or malformed X-GitHub-Delivery' } };
  if (!(await deps.deliveries.claim(deliveryId))) {
    log.info('delivery seen before', { event, deliveryId });
    return { statusCode: 200, body: { duplicate: deliveryId } };
  }
  // X-GitHub-Delivery is not signed: a signed body replayed under a new id is caught by the body.
  // A real re-label or a new comment has a different body (timestamps, ids).
  const bodyKey = bodyKeyOf(request.body);
  if (!(await deps.deliveries.claim(bodyKey))) {
    log.info('signed body seen before under another delivery id', { event, deliveryId, bodyKey });
    return { statusCode: 200, body: { duplicate: deliveryId, replayOf: 'a body handled before' } };
  }
  try {
    return await handleTrigger(classified.trigger, { deliveryId, taskId: deliveryTaskId(secret, deliveryId) }, deps, log);
  } catch (err) {
    log.warn('delivery failed; released for redelivery', { event, deliveryId, error: err instanceof Error ? err.message : String(err) });
    for (const key of [deliveryId, bodyKey]) await deps.deliveries.release(key).catch(() => {});
    return { statusCode: 502, body: { error: 'could not handle the delivery; redeliver it to retry' } };
  }
}

/** The name under which a body is remembered beside delivery ids (which never take this shape). */
export function bodyKeyOf(body: Buffer): string {
  return `sha256-${createHash('sha256').update(body).digest('hex')}`;
}

async function handleTrigger(trigger: Trigger, ids: { deliveryId: string; taskId: string }, deps: IngestDeps, log: IngestLog): Promise<IngestResponse> {
  const repo: RepoRef = { owner: trigger.repo.owner, repo: trigger.repo.repo };
  const client = deps.github(repo, trigger.installationId === undefined ? undefined : { installationId: trigger.installationId });
  const { deliveryId, taskId } = ids;
  if (trigger.kind === 'check_failed') {
    if (!deps.ciFix) return { statusCode: 200, body: { ignored: 'CI fixing is not configured' } };
    // No comment for an automatic start: it would repeat on every failed check.
    if (await deps.budget?.(repo)) return { statusCode: 200, body: { ignored: 'the monthly budget is spent' } };
    return handleCheckFailure(trigger, taskId, client, deps.ciFix, deps.queue, log);
  }
  if (trigger.kind === 'comment' && isStopCommand(trigger.comment.body)) {
    if (!deps.stop) return { statusCode: 200, body: { ignored: '/agent stop is not configured' } };
    if (!(await isWriter(client, repo, trigger.comment.author))) {
      await reply(client, repo, trigger.issue.number, permissionDeniedReply(trigger.comment.author), log);
      return { statusCode: 200, body: { ignored: `@${trigger.comment.author} has no write access` } };
    }
    return stopThreadTasks(trigger, client, deps.stop);
  }
  let ref = trigger.repo.defaultBranch;
  let thread: ThreadComment[] = [];
  let ci: Exclude<CommentPreparation, { response: unknown }> | undefined;

  const { number, isPullRequest, comments: count } = trigger.issue;
  const requester = trigger.kind === 'comment' ? trigger.comment.author : trigger.actor;
  // Independent reads in parallel, to answer GitHub quickly; all settle before we go on.
  const [permission, pull, comments] = await Promise.allSettled([
    trigger.kind === 'comment' ? isWriter(client, repo, requester) : Promise.resolve(true),
    isPullRequest ? client.get<PullJson>(gh`/repos/${repo.owner}/${repo.repo}/pulls/${number}`) : Promise.resolve(undefined),
    readThread(client, repo, number, count),
  ]);
  if (permission.status === 'rejected') throw permission.reason;
  if (!permission.value) {
    await reply(client, repo, number, permissionDeniedReply(requester), log);
    return { statusCode: 200, body: { ignored: `@${requester} has no write access` } };
  }
  const refusal = await deps.budget?.(repo);
  if (refusal) {
    await reply(client, repo, number, budgetReply(requester, refusal), log);
    return { statusCode: 200, body: { refused: refusal } };
  }
  if (pull.status === 'rejected') throw pull.reason;
  if (pull.value) {
    const { head, base } = pull.value.data;
    if (head.repo?.full_name.toLowerCase() !== base.repo.full_name.toLowerCase()) {
      await reply(client, repo, number, forkReply(requester), log);
      return { statusCode: 200, body: { ignored: 'pull request from a fork' } };
    }
    ref = head.ref;
    if (deps.ciFix) {
      const comment = trigger.kind === 'comment' ? trigger.comment : undefined;
      const prepared = await prepareTaskOnPull(deps.ciFix, client, { repo, pull: pull.value.data, comment, taskId, installationId: trigger.installationId }, log);
      if ('response' in prepared) return prepared.response;
      ci = prepared;
    }
  }
  // The thread is context only: without it the task still runs.
  if (comments.status === 'fulfilled') thread = comments.value;

  const issue = trigger.issue.number;
  const task: GitHubTaskMessage = {
    taskId,
    prompt: ci?.prompt ?? buildPrompt({ trigger, ref, thread }),
    source: { github: { owner: repo.owner, repo: repo.repo, ref } },
    reply: { github: { owner: repo.owner, repo: repo.repo, issue } },
  };
  try {
    await deps.queue.send(task);
  } catch (err) {
    await ci?.undo().catch(() => {});
    throw err;
  }
  log.info('task enqueued', { deliveryId, taskId: task.taskId, trigger: trigger.kind, repo: `${repo.owner}/${repo.repo}`, ref, issue });

  const reactionPath =
    trigger.kind === 'comment'
      ? gh`/repos/${repo.owner}/${repo.repo}/issues/comments/${trigger.comment.id}/reactions`
      : gh`/repos/${repo.owner}/${repo.repo}/issues/${issue}/reactions`;
  // The task is queued: a failed reaction or comment is reported, not retried through a redelivery.
  await Promise.all([
    client.post(reactionPath, { content: 'eyes' }).catch((err: unknown) => log.warn('reaction failed', { error: String(err) })),
    deps.viewLink &&
      deps
        .viewLink(task.taskId)
        .then((url) => reply(client, repo, issue, startedComment(task.taskId, url), log))
        .catch((err: unknown) => log.warn('no watch-page link', { error: err instanceof Error ? err.message : String(err) })),
  ]);
  return { statusCode: 202, body: { taskId: task.taskId } };
}

/** Write access as the contract defines it: permission `write` or `admin`, or role `maintain`. */
async function isWriter(client: GitHubClient, repo: RepoRef, user: string): Promise<boolean> {
  const res = await client.get<{ permission?: string; role_name?: string }>(gh`/repos/${repo.owner}/${repo.repo}/collaborators/${user}/permission`, { allow: [404] });
  if (res.status === 404) return false;
  return res.data.permission === 'write' || res.data.permission === 'admin' || res.data.role_name === 'maintain';
}

/** The latest page of the issue's comments (at most 100), oldest first. */
async function readThread(client: GitHubClient, repo: RepoRef, issue: number, count: number): Promise<ThreadComment[]> {
  if (count <= 0) return [];
  const page = Math.max(1, Math.ceil(count / 100));
  const res = await client.get<{ id: number; body?: string; user?: { login?: string } }[]>(gh`/repos/${repo.owner}/${repo.repo}/issues/${issue}/comments`, { query: { per_page: 100, page } });
  return (Array.isArray(res.data) ? res.data : []).map((c) => ({ id: c.id, author: c.user?.login ?? 'unknown', body: c.body ?? '' }));
}

async function reply(client: GitHubClient, repo: RepoRef, issue: number, body: string, log: IngestLog): Promise<void> {
  await client.post(gh`/repos/${repo.owner}/${repo.repo}/issues/${issue}/comments`, { body }).catch((err: unknown) => log.warn('reply failed', { error: String(err) }));
}

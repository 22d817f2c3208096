/**
 * `/agent stop`: a writer asks the tasks working for an issue or pull request to stop. The webhook
 * finds them in a per-thread index it writes when it enqueues (`webhook/threads/<owner>/<repo>/
 * <number>/<taskId>`, written before the message is sent so a stop right after finds it), and
 * leaves each unfinished one a cancel request, which its worker reads before its next model call.
 */
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CancelOutcome, CancelRequest } from '../../cancel/index.ts';
import { gh, type GitHubClient, type RepoRef } from '../client.ts';
import type { GitHubReply, GitHubTaskMessage } from '../types.ts';
import type { IngestResponse } from './ingest.ts';
import type { TaskQueue } from './queue.ts';
import type { IssueTrigger } from './triggers.ts';

/** The tasks started for each issue or pull request. */
export interface TaskIndex {
  record(thread: GitHubReply, taskId: string): Promise<void>;
  /** Task ids recorded for the thread (at most a thousand, oldest first by id). */
  list(thread: GitHubReply): Promise<string[]>;
  forget(thread: GitHubReply, taskId: string): Promise<void>;
}

export interface StopDeps {
  index: TaskIndex;
  /** Writes a task's cancel request (src/cancel requestCancel on the artifact store). */
  cancel(request: CancelRequest): Promise<CancelOutcome>;
  clock: () => number;
}

const STOP = /^\/agent\s+stop(?:\s+([\s\S]*))?$/i;

/** Whether a comment is `/agent stop`, optionally followed by a reason. */
export function isStopCommand(body: string): boolean {
  return STOP.test(body.trim());
}

/**
 * Handles `/agent stop` from `author` (already known to have write access): asks every indexed
 * task of the thread that has no result yet to stop, forgets the finished ones, and says which
 * on the thread.
 */
export async function stopThreadTasks(trigger: Extract<IssueTrigger, { kind: 'comment' }>, client: GitHubClient, deps: StopDeps): Promise<IngestResponse> {
  const repo: RepoRef = { owner: trigger.repo.owner, repo: trigger.repo.repo };
  const thread: GitHubReply = { ...repo, issue: trigger.issue.number };
  const author = trigger.comment.author;
  const reason = STOP.exec(trigger.comment.body.trim())?.[1]?.trim();
  const stopping: string[] = [];
  const finished: string[] = [];
  for (const taskId of await deps.index.list(thread)) {
    const outcome = await deps.cancel({
      taskId,
      requestedAt: new Date(deps.clock()).toISOString(),
      by: `@${author} (/agent stop on #${thread.issue})`,
      ...(reason ? { reason: reason.slice(0, 500) } : {}),
    });
    if (outcome.state === 'finished') {
      finished.push(taskId);
      await deps.index.forget(thread, taskId);
    } else stopping.push(taskId);
  }
  await client.post(gh`/repos/${repo.owner}/${repo.repo}/issues/comments/${trigger.comment.id}/reactions`, { content: stopping.length ? '+1' : 'confused' }).catch(() => undefined);
  await client.post(gh`/repos/${repo.owner}/${repo.repo}/issues/${thread.issue}/comments`, { body: stopReply(author, stopping) }).catch(() => undefined);
  return { statusCode: 200, body: { stopping, finished } };
}

/** The reply to `/agent stop`. */
export function stopReply(author: string, stopping: string[]): string {
  if (stopping.length === 0) return `@${author}: no agent-runner task is running for this thread, so there is nothing to stop.`;
  const ids = stopping.map((id) => `\`${id}\``).join(', ');
  return `@${author}: stopping ${stopping.length === 1 ? 'task' : 'tasks'} ${ids}. A task stops before its next model call, and a command it is running is stopped within seconds; the work done so far is kept and published as an incomplete draft.`;
}

/** A TaskQueue that records each task in the thread index before sending it. */
export class IndexedTaskQueue implements TaskQueue {
  constructor(
    private readonly inner: TaskQueue,
    private readonly index: TaskIndex,
  ) {}

  async send(task: GitHubTaskMessage): Promise<void> {
    await this.index.record(task.reply.github, task.taskId);
    await this.inner.send(task);
  }
}

/** The index as empty objects under `<prefix><owner>/<repo>/<number>/<taskId>` (default prefix `webhook/threads/`). */
export class S3TaskIndex implements TaskIndex {
  private readonly prefix: string;
  constructor(private readonly options: { client: S3Client; bucket: string; prefix?: string }) {
    this.prefix = options.prefix ?? 'webhook/threads/';
  }

  private threadPrefix(t: GitHubReply): string {
    return `${this.prefix}${t.owner.toLowerCase()}/${t.repo.toLowerCase()}/${t.issue}/`;
  }

  async record(thread: GitHubReply, taskId: string): Promise<void> {
    await this.options.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.threadPrefix(thread) + taskId, Body: '', ContentLength: 0 }));
  }

  async list(thread: GitHubReply): Promise<string[]> {
    const prefix = this.threadPrefix(thread);
    const res = await this.options.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix }));
    return (res.Contents ?? []).map((o) => (o.Key ?? '').slice(prefix.length)).filter((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id));
  }

  async forget(thread: GitHubReply, taskId: string): Promise<void> {
    await this.options.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.threadPrefix(thread) + taskId }));
  }
}

/**
 * Fixing failed CI on pull requests (off unless `TRIGGER_CHECK_RUNS=true`): a failed check on a
 * pull request the runner pushed to, or one carrying the fix label, or `/agent fix-ci` from a
 * writer, becomes a task on the pull request's branch, bounded by a per-pull-request record
 * (attempts, head commits tried, running tasks) changed by compare-and-swap.
 */
import { timeoutSignal, type Timers } from '../../time/index.ts';
import { createRedactor, type Redactor } from '../../security/index.ts';
import { gh, type GitHubClient, type RepoRef } from '../client.ts';
import { GitHubConfigError } from '../errors.ts';
import { noteTask, releaseTask, startAutomatic, startRequested, undoStart, type PullLease, type PullRef, type PullState, type StartDecision } from '../pull-state.ts';
import type { PullStateStore } from '../pull-state-store.ts';
import { AGENT_BRANCH_PREFIX, type GitHubTaskMessage } from '../types.ts';
import type { CheckFailedTrigger } from './checks.ts';
import { buildCiFixPrompt, busyReply, limitReply, nothingFailingReply } from './ci-prompt.ts';
import { gatherFailures, type FailureSource } from './failures.ts';
import type { IngestLog, IngestResponse } from './ingest.ts';
import type { JobLogReader } from './logs.ts';
import type { TaskQueue } from './queue.ts';
import { COMMAND } from './triggers.ts';

export interface CiFixSettings {
  /** The pull request label that lets the runner fix any pull request's CI (`CI_FIX_LABEL`, default `agent-fix`). */
  label: string;
  /** Automatic attempts per pull request (`CI_FIX_MAX_ATTEMPTS`, default 2). */
  maxAttempts: number;
  /** How long a task holds its pull request when the publisher never releases it. */
  leaseMs: number;
  /** Characters of logs and check output in a prompt, in all. */
  logBudget: number;
  /** Time for reading the failures (the whole delivery has GitHub's 10 s). */
  readTimeoutMs: number;
}

export interface CiFixDeps {
  settings: CiFixSettings;
  pulls: PullStateStore;
  logs: JobLogReader;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Where the read timeout is timed (default: Node's timers). */
  timers?: Timers;
  /** Default: the built-in secret patterns. */
  redactor?: Redactor;
}

/** A pull request as `GET /repos/{owner}/{repo}/pulls/{number}` answers it (the fields used). */
export interface PullJson {
  number: number;
  title?: string | null;
  body?: string | null;
  state?: string;
  labels?: { name?: string }[];
  head: { ref: string; sha?: string; repo: { full_name: string } | null };
  base: { repo: { full_name: string } };
}

type Env = Record<string, string | undefined>;

const FIX_CI = new RegExp(`^${COMMAND}[ \\t]+fix-ci(?:\\s|$)`);

/**
 * CI fixing's settings from the environment: `CI_FIX_LABEL`, `CI_FIX_MAX_ATTEMPTS` (0 leaves only
 * `/agent fix-ci`), and `TIMEOUT_SECONDS` (the task time limit; a lease lasts that plus an hour of
 * queueing and publishing). Throws GitHubConfigError for a malformed number.
 */
export function readCiFixSettings(env: Env): CiFixSettings {
  const attempts = env.CI_FIX_MAX_ATTEMPTS?.trim() || '2';
  const timeout = env.TIMEOUT_SECONDS?.trim() || '3600';
  if (!/^\d{1,3}$/.test(attempts)) throw new GitHubConfigError(`CI_FIX_MAX_ATTEMPTS is not a whole number: ${attempts}`);
  if (!/^\d{1,7}$/.test(timeout) || Number(timeout) === 0) throw new GitHubConfigError(`TIMEOUT_SECONDS is not a positive whole number: ${timeout}`);
  return { label: env.CI_FIX_LABEL?.trim() || 'agent-fix', maxAttempts: Number(attempts), leaseMs: (Number(timeout) + 3600) * 1000, logBudget: 24_000, readTimeoutMs: 3_000 };
}

/** Whether an `/agent` comment asks for a CI fix: `/agent fix-ci`, then a space, a line break or the end. */
export function isFixCiCommand(body: string): boolean {
  return FIX_CI.test(body.trimStart());
}

const hasLabel = (pull: PullJson, label: string) => (pull.labels ?? []).some((l) => l.name?.toLowerCase() === label.toLowerCase());
const sameRepo = (pull: PullJson) => pull.head.repo?.full_name.toLowerCase() === pull.base.repo.full_name.toLowerCase();
const ignored = (reason: string): IngestResponse => ({ statusCode: 200, body: { ignored: reason } });

/** Whether the runner made a commit: its message carries the publisher's `Agent-Runner-Task:` trailer. */
async function pushedByRunner(client: GitHubClient, repo: RepoRef, sha: string): Promise<boolean> {
  const res = await client.get<{ message?: string }>(gh`/repos/${repo.owner}/${repo.repo}/git/commits/${sha}`, { allow: [404] });
  return res.status !== 404 && /^Agent-Runner-Task: [A-Za-z0-9_-]+\s*$/m.test(res.data?.message ?? '');
}

/**
 * A failed check on a pull request: starts one fix when the pull request is open, from this
 * repository, still at the failing commit, and either labelled or on an `agent/...` branch whose
 * head commit the runner made; and when its record allows it (no task running, this commit not
 * tried, attempts left). At the attempt limit it comments once. Throws (after taking its start
 * back) when the task cannot be queued, so that a redelivery tries again.
 */
export async function handleCheckFailure(trigger: CheckFailedTrigger, taskId: string, client: GitHubClient, deps: CiFixDeps, queue: TaskQueue, log: IngestLog): Promise<IngestResponse> {
  const repo = { owner: trigger.repo.owner, repo: trigger.repo.repo };
  const { check } = trigger;
  const agentBranch = trigger.pull.headRef.startsWith(AGENT_BRANCH_PREFIX);
  // Read together: the commit matters only on an agent branch, which the payload already names.
  const [pullRes, prefetched] = await Promise.all([
    client.get<PullJson>(gh`/repos/${repo.owner}/${repo.repo}/pulls/${trigger.pull.number}`, { allow: [404] }),
    agentBranch ? pushedByRunner(client, repo, check.headSha) : Promise.resolve(undefined),
  ]);
  if (pullRes.status === 404) return ignored(`pull request #${trigger.pull.number} does not exist`);
  const pull = pullRes.data;
  if (pull.state !== 'open') return ignored(`pull request #${pull.number} is not open`);
  if (!sameRepo(pull)) return ignored('pull request from a fork');
  if (pull.head.sha !== check.headSha) return ignored(`pull request #${pull.number} has moved on from ${check.headSha}`);
  if (!hasLabel(pull, deps.settings.label)) {
    if (!pull.head.ref.startsWith(AGENT_BRANCH_PREFIX)) return ignored(`pull request #${pull.number} is not the runner's and not labelled \`${deps.settings.label}\``);
    if (!(prefetched ?? (await pushedByRunner(client, repo, check.headSha)))) {
      return ignored(`the runner did not make ${check.headSha} (label the pull request \`${deps.settings.label}\` to fix it anyway)`);
    }
  }

  const ref: PullRef = { ...repo, number: pull.number };
  const lease = newLease(deps, taskId, pull.head.ref, 'automatic');
  const now = deps.clock();
  const decision = await deps.pulls.update(ref, (s) => result(startAutomatic(s, check.headSha, lease, { now, maxAttempts: deps.settings.maxAttempts })));
  if (decision.kind === 'skip') return ignored(decision.reason);
  if (decision.kind === 'limit') {
    try {
      const { data } = await client.post<{ id: number }>(gh`/repos/${repo.owner}/${repo.repo}/issues/${pull.number}/comments`, { body: limitReply(deps.settings.maxAttempts) });
      log.info('ci fix limit reached', { taskId, pull: pull.number, sha: check.headSha });
      return { statusCode: 200, body: { ignored: `the limit of ${deps.settings.maxAttempts} automatic attempts was reached`, comment: data.id } };
    } catch (err) {
      await deps.pulls.update(ref, (s) => ({ next: { ...s, limitNoticed: false }, result: undefined }));
      throw err;
    }
  }
  return enqueueFix(deps, client, queue, log, {
    taskId,
    repo,
    pull,
    source: check,
    installationId: trigger.installationId,
    undo: () => deps.pulls.update(ref, (s) => ({ next: undoStart(s, taskId, check.headSha, true), result: undefined })),
  });
}

/** What a task on a pull request needs of CI fixing: a reply already sent, or the task's prompt (if special) and how to take its start back. */
export type CommentPreparation = { response: IngestResponse } | { prompt?: string; undo: () => Promise<void> };

/**
 * For a task about to start on a pull request of this repository (a writer's `/agent` comment, or
 * the label): `/agent fix-ci` gets the failures of the head commit (a reply instead when nothing
 * fails or a task is running); anything else only records its task, so that no automatic fix runs
 * beside it (a failure to record is logged, never fatal: the task goes ahead).
 */
export async function prepareTaskOnPull(
  deps: CiFixDeps,
  client: GitHubClient,
  input: { repo: RepoRef; pull: PullJson; comment?: { author: string; body: string }; taskId: string; installationId?: number },
  log: IngestLog,
): Promise<CommentPreparation> {
  const { repo, pull, comment, taskId } = input;
  const ref: PullRef = { ...repo, number: pull.number };
  const now = deps.clock();
  if (!comment || !isFixCiCommand(comment.body)) {
    const lease = newLease(deps, taskId, pull.head.ref, 'other');
    await deps.pulls.update(ref, (s) => ({ next: noteTask(s, lease, now), result: undefined })).catch((err: unknown) => log.warn('could not record the task on its pull request', { taskId, error: String(err) }));
    return { undo: () => deps.pulls.update(ref, (s) => ({ next: releaseTask(s, taskId), result: undefined })) };
  }
  const sha = pull.head.sha ?? '';
  const report = await readFailures(client, repo, { event: 'commit', headSha: sha }, deps, input.installationId);
  if (report.failures.length === 0 && !report.note) {
    await reply(client, ref, nothingFailingReply(comment.author, sha), log);
    return { response: ignored(`no check fails on ${sha}`) };
  }
  // Whether this start is the first for the commit (an automatic one may have tried it before): taking it back forgets only what it added.
  let firstForSha = true;
  const decision = await deps.pulls.update(ref, (s) => {
    firstForSha = !s.shas.includes(sha);
    return result(startRequested(s, sha, newLease(deps, taskId, pull.head.ref, 'requested'), now));
  });
  if (decision.kind !== 'start') {
    const reason = decision.kind === 'skip' ? decision.reason : 'the attempt limit is reached';
    await reply(client, ref, busyReply(comment.author, reason), log);
    return { response: ignored(reason) };
  }
  return {
    prompt: buildCiFixPrompt({ repo, pull: pullFacts(pull), report, request: comment }),
    undo: () => deps.pulls.update(ref, (s) => ({ next: undoStart(s, taskId, firstForSha ? sha : undefined, false), result: undefined })),
  };
}

interface FixInput {
  taskId: string;
  repo: RepoRef;
  pull: PullJson;
  source: FailureSource & { event: 'check_suite' | 'check_run' | 'workflow_run' };
  installationId?: number;
  undo: () => Promise<void>;
}

async function enqueueFix(deps: CiFixDeps, client: GitHubClient, queue: TaskQueue, log: IngestLog, input: FixInput): Promise<IngestResponse> {
  const { taskId, repo, pull, source } = input;
  try {
    const report = await readFailures(client, repo, source, deps, input.installationId);
    const task: GitHubTaskMessage = {
      taskId,
      prompt: buildCiFixPrompt({ repo, pull: pullFacts(pull), check: source, report }),
      source: { github: { owner: repo.owner, repo: repo.repo, ref: pull.head.ref } },
      reply: { github: { owner: repo.owner, repo: repo.repo, issue: pull.number } },
    };
    await queue.send(task);
    log.info('ci fix enqueued', { taskId, repo: `${repo.owner}/${repo.repo}`, pull: pull.number, sha: source.headSha, check: source.name, failures: report.failures.length });
    return { statusCode: 202, body: { taskId } };
  } catch (err) {
    await input.undo().catch((undoErr: unknown) => log.warn('could not take back the fix attempt', { taskId, error: String(undoErr) }));
    throw err;
  }
}

function newLease(deps: CiFixDeps, taskId: string, branch: string, kind: PullLease['kind']): PullLease {
  // CI fixes go onto the pull request's own branch; other tasks keep the publisher's usual way.
  return { taskId, branch, push: kind !== 'other', kind, until: deps.clock() + deps.settings.leaseMs };
}

function result(decision: StartDecision): { next?: PullState; result: StartDecision } {
  return { next: decision.kind === 'skip' ? undefined : decision.next, result: decision };
}

function pullFacts(pull: PullJson) {
  return { number: pull.number, title: pull.title ?? '', body: pull.body ?? '', branch: pull.head.ref, sha: pull.head.sha ?? '' };
}

const builtInRedactor = createRedactor();

/** The failures of `source`, read within the settings' read timeout (on the injected timers). */
async function readFailures(client: GitHubClient, repo: RepoRef, source: FailureSource, deps: CiFixDeps, installationId: number | undefined) {
  const limit = timeoutSignal(deps.settings.readTimeoutMs, deps.timers);
  try {
    return await gatherFailures(client, repo, source, { logs: deps.logs, redactor: deps.redactor ?? builtInRedactor, budget: deps.settings.logBudget, installationId, signal: limit.signal });
  } finally {
    limit.clear();
  }
}

async function reply(client: GitHubClient, pull: PullRef, body: string, log: IngestLog): Promise<void> {
  await client.post(gh`/repos/${pull.owner}/${pull.repo}/issues/${pull.number}/comments`, { body }).catch((err: unknown) => log.warn('reply failed', { error: String(err) }));
}

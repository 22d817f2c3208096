import type { ArtifactStore } from '../../store/types.ts';
import { gh, type GitHubClient, type RepoRef } from '../client.ts';
import { GitHubApiError, PublishConflictError } from '../errors.ts';
import { leaseOf, releaseTask, type PullRef } from '../pull-state.ts';
import type { PullStateStore } from '../pull-state-store.ts';
import { AGENT_BRANCH_PREFIX, githubReplyOf, taskMarker, type GitHubReply } from '../types.ts';
import { changedFiles, planChanges, type FileChange, type PlanOptions } from './apply.ts';
import { readOutcome, type TaskOutcome } from './artifacts.ts';
import { isCiConfigPath } from './ci-config.ts';
import { GitData, type TreeChange } from './gitdata.ts';
import type { PublishedMarker } from './marker.ts';
import { heldBackList, renderMessage, type ChangedFile, type HeldBack, type PublishMessage } from './text.ts';

export interface PublishLog {
  info(message: string, data?: Record<string, unknown>): void;
}

export interface PublishDeps {
  store: ArtifactStore;
  marker: PublishedMarker;
  /** A REST client authorised for the repository. */
  github: (repo: RepoRef) => GitHubClient;
  /** Where an artifact is, for people (`s3://bucket/tasks/<id>/<name>`). */
  artifactUri: (taskId: string, name: string) => string;
  /**
   * The pull requests' records of CI fixing: a task holding a lease that says so pushes onto the
   * pull request's branch, and its lease is released once published. Absent: neither.
   */
  pulls?: PullStateStore;
  /** Makes the task's watch-page link for the pull request or comment (none without it). */
  viewLink?: (taskId: string) => Promise<string>;
  /**
   * A task that ends `failed` or `limit_reached` after changing files publishes its change as a
   * draft pull request marked incomplete (default); false comments instead, naming the diff's URI.
   */
  publishPartial?: boolean;
  log?: PublishLog;
  /**
   * Publish changes to CI configuration (workflow files and the like, see isCiConfigPath) too.
   * Off by default: they are held back and the pull request says which.
   */
  publishCiConfig?: boolean;
}

export type PublishOutcome =
  | { action: 'skipped'; reason: string }
  | { action: 'pull_request'; pull: number; url: string; branch: string; commit: string }
  | { action: 'commit'; branch: string; commit: string; comment: number }
  | { action: 'comment'; comment: number; kind: 'no_change' | 'failed' | 'not_applied' };

type Common = Pick<PublishMessage, 'taskId' | 'result' | 'summary' | 'transcriptUri' | 'viewUrl'>;

interface Context {
  taskId: string;
  outcome: TaskOutcome;
  reply: GitHubReply;
  repo: RepoRef;
  client: GitHubClient;
  git: GitData;
  common: Common;
  deps: PublishDeps;
  /** The pull request branch a CI fix pushes onto (a lease said so), if any. */
  pushTo?: string;
  /** The task stopped before it finished: its change goes to a new draft pull request marked incomplete. */
  incomplete: boolean;
  plan: PlanOptions;
}

/** `{viewUrl}` when a link can be made; a failure leaves the link out and publishing goes on. */
async function watchLink(taskId: string, deps: PublishDeps): Promise<{ viewUrl?: string }> {
  if (!deps.viewLink) return {};
  try {
    return { viewUrl: await deps.viewLink(taskId) };
  } catch (err) {
    deps.log?.info('no watch-page link', { taskId, error: err instanceof Error ? err.message : String(err) });
    return {};
  }
}

/**
 * Turns a finished task with a `reply.github` target into GitHub changes (contract section 11):
 * success with a diff → branch `agent/<taskId>` with one commit and a draft pull request (or, for a
 * task working on an `agent/...` branch, a new commit there and a comment); a task that stopped
 * (failed, limit reached) after changing files → a draft pull request of its own marked incomplete,
 * unless `publishPartial` is false; other failures or an empty diff → a comment. Idempotent: a published task is recorded in the marker, and every step first looks
 * for what an interrupted earlier run already did.
 */
export async function publishTask(taskId: string, deps: PublishDeps): Promise<PublishOutcome> {
  if ((await deps.marker.get(taskId)) !== undefined) return { action: 'skipped', reason: 'published before' };
  const outcome = await readOutcome(deps.store, taskId);
  if (!outcome) return { action: 'skipped', reason: 'task.json or result.json is missing' };
  const reply = githubReplyOf(outcome.task.reply);
  if (!reply) return { action: 'skipped', reason: 'no GitHub reply target' };
  const repo = { owner: reply.owner, repo: reply.repo };
  const client = deps.github(repo);
  const pull: PullRef = { ...repo, number: reply.issue };
  const lease = deps.pulls ? await deps.pulls.update(pull, (s) => ({ result: leaseOf(s, taskId) })) : undefined;
  const ctx: Context = {
    taskId,
    outcome,
    reply,
    repo,
    client,
    git: new GitData(client, repo),
    common: { taskId, result: outcome.result, summary: outcome.summary, transcriptUri: deps.artifactUri(taskId, 'transcript.json'), ...(await watchLink(taskId, deps)) },
    deps,
    pushTo: lease?.push ? lease.branch : undefined,
    incomplete: outcome.result.status === 'failed' || outcome.result.status === 'limit_reached',
    plan: deps.publishCiConfig ? {} : { holdBack: isCiConfigPath },
  };
  const { status } = outcome.result;
  const changed = outcome.patch.trim() !== '';
  const published =
    changed && (status === 'succeeded' || (ctx.incomplete && deps.publishPartial !== false))
      ? await publishChange(ctx)
      : status === 'succeeded'
        ? await comment(ctx, { ...ctx.common, kind: 'no_change' })
        : await comment(ctx, { ...ctx.common, kind: 'failed', ...(outcome.patch.trim() ? { diffUri: deps.artifactUri(taskId, 'diff.patch') } : {}) });
  // Before the marker: a run cut short here releases on its retry.
  if (lease) await deps.pulls!.update(pull, (s) => ({ next: releaseTask(s, taskId), result: undefined }));
  await deps.marker.record(taskId, { taskId, ...published });
  deps.log?.info('task published', { taskId, ...published });
  return published;
}

async function publishChange(ctx: Context): Promise<PublishOutcome> {
  const { outcome, reply, repo } = ctx;
  const source = outcome.task.source && 'github' in outcome.task.source ? outcome.task.source.github : undefined;
  if (!source || source.owner.toLowerCase() !== reply.owner.toLowerCase() || source.repo.toLowerCase() !== reply.repo.toLowerCase()) {
    return notApplied(ctx, `the task's source is not ${repo.owner}/${repo.repo}`);
  }
  const { files, heldBack } = changedFiles(outcome.patch, ctx.plan);
  if (files.length === 0 && heldBack.length > 0) {
    return notApplied(ctx, `it changes only what the publisher holds back: ${heldBackList(heldBack)} (CI configuration is published only where the stack's \`PublishCiConfig\` setting allows it)`);
  }
  const baseRef = source.ref || (await ctx.client.get<{ default_branch: string }>(gh`/repos/${repo.owner}/${repo.repo}`)).data.default_branch;
  try {
    // Incomplete work never lands on a branch under review: it gets a draft of its own, based there.
    const onto = !ctx.incomplete && (baseRef.startsWith(AGENT_BRANCH_PREFIX) || baseRef === ctx.pushTo);
    return onto ? await followUp(ctx, baseRef) : await newPullRequest(ctx, baseRef);
  } catch (err) {
    if (err instanceof PublishConflictError) return notApplied(ctx, err.message);
    throw err;
  }
}

async function newPullRequest(ctx: Context, baseRef: string): Promise<PublishOutcome> {
  const branch = AGENT_BRANCH_PREFIX + ctx.taskId;
  let head = await ctx.git.branchHead(branch);
  let files: ChangedFile[];
  if (head === undefined) {
    const base = await ctx.git.branchHead(baseRef);
    if (base === undefined) throw new PublishConflictError(`the branch \`${baseRef}\` does not exist any more`);
    const built = await buildCommit(ctx, base);
    head = (await ctx.git.createBranch(branch, built.commit)) ? built.commit : (await ctx.git.branchHead(branch))!;
    files = built.files;
  } else {
    files = changedFiles(ctx.outcome.patch, ctx.plan).files;
  }
  const pull = await findOrCreatePull(ctx, branch, baseRef, files);
  return { action: 'pull_request', pull: pull.number, url: pull.html_url, branch, commit: head };
}

async function followUp(ctx: Context, branch: string): Promise<PublishOutcome> {
  const tip = await ctx.git.branchHead(branch);
  if (tip === undefined) throw new PublishConflictError(`the branch \`${branch}\` does not exist any more`);
  let commit = await findTaskCommit(ctx, tip);
  let files = changedFiles(ctx.outcome.patch, ctx.plan).files;
  if (commit === undefined) {
    const built = await buildCommit(ctx, tip);
    // Not forced: if someone pushed meanwhile this fails, and the retried invocation starts over from the new tip.
    await ctx.git.updateBranch(branch, built.commit);
    commit = built.commit;
    files = built.files;
  }
  const id = await commentOnce(ctx, { ...ctx.common, kind: 'follow_up', branch, commit, files, ...heldBackOf(ctx) });
  return { action: 'commit', branch, commit, comment: id };
}

/** One commit on top of `parentSha` holding the task's diff, through blobs and a tree. */
async function buildCommit(ctx: Context, parentSha: string): Promise<{ commit: string; files: ChangedFile[] }> {
  const { git } = ctx;
  const parent = await git.commit(parentSha);
  const planned = await planChanges(ctx.outcome.patch, async (path) => {
    const entry = await git.entry(parent.tree, path);
    if (!entry) return undefined;
    return { mode: entry.mode, content: entry.type === 'blob' ? await git.blob(entry.sha) : Buffer.alloc(0) };
  }, ctx.plan);
  const tree: TreeChange[] = [];
  for (const change of planned.changes) tree.push(await toTreeChange(git, change));
  const treeSha = await git.createTree(parent.tree, tree);
  const message = renderMessage({ ...ctx.common, kind: 'commit', issue: ctx.reply.issue, files: planned.files, incomplete: ctx.incomplete });
  const commit = await git.createCommit(message.body, treeSha, [parent.sha]);
  return { commit, files: planned.files };
}

async function toTreeChange(git: GitData, change: FileChange): Promise<TreeChange> {
  if ('deleted' in change) return change;
  return { path: change.path, mode: change.mode, sha: await git.createBlob(change.content) };
}

/** The commit an earlier run made for this task: the tip or one of its last first-parents. */
async function findTaskCommit(ctx: Context, tip: string): Promise<string | undefined> {
  const trailer = `Agent-Runner-Task: ${ctx.taskId}`;
  let sha: string | undefined = tip;
  for (let i = 0; i < 10 && sha; i++) {
    const commit = await ctx.git.commit(sha);
    if (commit.message.split('\n').some((line) => line.trim() === trailer)) return commit.sha;
    sha = commit.parents[0];
  }
  return undefined;
}

interface Pull {
  number: number;
  html_url: string;
}

async function findPull(ctx: Context, branch: string): Promise<Pull | undefined> {
  const { owner, repo } = ctx.repo;
  const res = await ctx.client.get<Pull[]>(gh`/repos/${owner}/${repo}/pulls`, { query: { head: `${owner}:${branch}`, state: 'all', per_page: 1 } });
  return Array.isArray(res.data) ? res.data[0] : undefined;
}

async function findOrCreatePull(ctx: Context, branch: string, base: string, files: ChangedFile[]): Promise<Pull> {
  const existing = await findPull(ctx, branch);
  if (existing) return existing;
  const { owner, repo } = ctx.repo;
  const issue = await ctx.client.get<{ title?: string; pull_request?: unknown }>(gh`/repos/${owner}/${repo}/issues/${ctx.reply.issue}`, { allow: [404, 410] });
  const found = issue.status === 200 ? issue.data : undefined;
  const text = renderMessage({
    ...ctx.common,
    kind: 'pull_request',
    issue: ctx.reply.issue,
    issueIsPullRequest: Boolean(found?.pull_request),
    issueTitle: found?.title ?? '',
    files,
    incomplete: ctx.incomplete,
    ...heldBackOf(ctx),
  });
  const path = gh`/repos/${owner}/${repo}/pulls`;
  const request = { title: text.title, body: text.body, head: branch, base, draft: true };
  let res = await ctx.client.post<Pull & { message?: string; errors?: unknown }>(path, request, { allow: [422] });
  if (res.status === 422) {
    // Either a concurrent run opened it, or the repository's plan has no draft pull requests.
    const raced = await findPull(ctx, branch);
    if (raced) return raced;
    if (!/draft/i.test(JSON.stringify(res.data))) throw new GitHubApiError('POST', path, 422, String(res.data?.message ?? 'unprocessable'));
    res = await ctx.client.post<Pull>(path, { ...request, draft: false });
  }
  return res.data;
}

/** The changes held back from publishing, for the pull request or comment, when there are any. */
function heldBackOf(ctx: Context): { heldBack?: HeldBack } {
  const { heldBack } = changedFiles(ctx.outcome.patch, ctx.plan);
  return heldBack.length ? { heldBack: { files: heldBack, diffUri: ctx.deps.artifactUri(ctx.taskId, 'diff.patch') } } : {};
}

async function notApplied(ctx: Context, reason: string): Promise<PublishOutcome> {
  return comment(ctx, { ...ctx.common, kind: 'not_applied', reason, diffUri: ctx.deps.artifactUri(ctx.taskId, 'diff.patch') });
}

type CommentMessage = Extract<PublishMessage, { kind: 'no_change' | 'failed' | 'not_applied' }>;

async function comment(ctx: Context, message: CommentMessage): Promise<PublishOutcome> {
  return { action: 'comment', comment: await commentOnce(ctx, message), kind: message.kind };
}

/** Comments on the reply target once (an existing comment carrying the task's marker is reused); the comment's id. */
async function commentOnce(ctx: Context, message: PublishMessage): Promise<number> {
  const { owner, repo } = ctx.repo;
  const path = gh`/repos/${owner}/${repo}/issues/${ctx.reply.issue}/comments`;
  const marker = taskMarker(ctx.taskId);
  for await (const list of ctx.client.pages<{ id: number; body?: string }>(path, { query: { per_page: 100 } })) {
    const mine = list.find((c) => c.body?.includes(marker));
    if (mine) return mine.id;
  }
  const { data } = await ctx.client.post<{ id: number }>(path, { body: renderMessage(message).body });
  return data.id;
}
